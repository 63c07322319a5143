"""The [clarus] section of a target profile."""

from __future__ import annotations

from dataclasses import dataclass, field

GRAPHQL_SHAPES = ("seed", "reference")
CAPABILITIES = ("receive_creates_stock",)


@dataclass(frozen=True)
class OAuthSettings:
    token_url: str
    client_id: str
    client_secret_env: str
    scope: str = ""


@dataclass(frozen=True)
class TenantSettings:
    """A second tenant, for the tenant-isolation checks."""

    subdomain: str
    token_env: str = ""
    oauth: OAuthSettings | None = None

    def __post_init__(self) -> None:
        if bool(self.token_env) == (self.oauth is not None):
            raise ValueError("give either token_env or an [oauth] table")


@dataclass(frozen=True)
class Settings:
    base_url: str
    subdomain: str
    rest_prefix: str = "/api"
    graphql_path: str = "/graphql"
    graphql_shapes: list[str] = field(default_factory=lambda: list(GRAPHQL_SHAPES))
    token_env: str = ""
    oauth: OAuthSettings | None = None
    other_tenant: TenantSettings | None = None
    # Where a vendor's error document keeps the numeric code and its symbol (JSON pointers).
    error_code_pointer: str = "/errors/0/code"
    error_symbol_pointer: str = "/errors/0/title"
    capabilities: list[str] = field(default_factory=lambda: list(CAPABILITIES))
    poll_timeout: float = 30.0
    # Products are created with a stock unit type, the tenant's own master data (vendor: "Create a product").
    stock_unit_type_id: int = 1

    def __post_init__(self) -> None:
        if bool(self.token_env) == (self.oauth is not None):
            raise ValueError("give either token_env or an [clarus.oauth] table (client credentials)")
        if self.rest_prefix not in ("/api", "/api/v1"):
            raise ValueError(f"rest_prefix must be /api or /api/v1, not {self.rest_prefix!r}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        unknown = set(self.graphql_shapes) - set(GRAPHQL_SHAPES)
        if unknown or not self.graphql_shapes:
            raise ValueError(f"graphql_shapes must name some of {', '.join(GRAPHQL_SHAPES)}")
        unknown = set(self.capabilities) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capability {sorted(unknown)[0]!r} (known: {', '.join(CAPABILITIES)})")
