"""The [clarus] section of a target profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GRAPHQL_SHAPES = ("seed", "reference")
CAPABILITIES = ("receive_creates_stock",)
STOCK_IN = ("receive", "none")
# The vendor requires stock_unit_type_id on a product ("Create a product"); an id of the tenant's own stock unit types.
DEFAULT_PRODUCT_ATTRIBUTES: dict[str, Any] = {"stock_unit_type_id": 1}


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
class ReadyProduct:
    """A product the target already has, with stock: used by one stock-dependent test per run."""

    id: int
    stock: int  # the units available in the warehouse now, exactly: a test may order all of them
    warehouse_id: int | None = None  # default: the table's warehouse_id

    def __post_init__(self) -> None:
        if self.stock < 1:
            raise ValueError("stock must be at least 1")


@dataclass(frozen=True)
class TestData:
    """[clarus.test_data]: the master data of a sandbox, and how its stock comes in."""

    __test__ = False  # a dataclass, not a pytest test class
    account_id: int = 1  # goods outs and goods-in receipts are for this account
    warehouse_id: int = 1  # stock is received into, and goods outs ship from, this warehouse
    # Merged into every product the suite creates (over its defaults, DEFAULT_PRODUCT_ATTRIBUTES).
    product_attributes: dict[str, Any] = field(default_factory=dict)
    # How stock comes in: "receive" (a goods-in receipt, then receiving it; needs capability receive_creates_stock)
    # or "none" (stock-dependent tests use `products`, or are skipped with the reason).
    stock_in: str = "receive"
    products: list[ReadyProduct] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.stock_in not in STOCK_IN:
            raise ValueError(f"stock_in must be one of {', '.join(STOCK_IN)}, not {self.stock_in!r}")
        places = [(p.id, p.warehouse_id or self.warehouse_id) for p in self.products]
        if len(set(places)) < len(places):
            raise ValueError("products: a product is named twice in the same warehouse")

    def warehouse_of(self, product: ReadyProduct) -> int:
        return product.warehouse_id or self.warehouse_id


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
    test_data: TestData = field(default_factory=TestData)

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
