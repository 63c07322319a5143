"""The [emporix] section of a target profile."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CAPABILITIES = ("seed_orders", "token_lifetime")
TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")


@dataclass(frozen=True)
class TenantSettings:
    """Another tenant, for the isolation check: its name and either a client or ready-made tokens per scope."""

    tenant: str
    client_id: str = ""
    client_secret_env: str = ""
    view_token_env: str = ""
    manage_token_env: str = ""

    def __post_init__(self) -> None:
        _check_tenant(self.tenant)
        _check_credentials(self.client_id, self.client_secret_env, self.view_token_env, self.manage_token_env)


@dataclass(frozen=True)
class TestData:
    """[emporix.test_data]: orders the tenant already has, for a target without capability seed_orders."""

    __test__ = False  # a dataclass, not a pytest test class
    orders: list[str] = field(default_factory=list)  # each is recalculated by one test per run

    def __post_init__(self) -> None:
        if any(not order for order in self.orders):
            raise ValueError("orders: an order id is empty")
        if len(set(self.orders)) < len(self.orders):
            raise ValueError("orders: an order id is named twice")


@dataclass(frozen=True)
class Settings:
    base_url: str
    tenant: str
    token_url: str = ""
    # Either an OAuth client (the suite requests view-only and manage-only tokens by scope) ...
    client_id: str = ""
    client_secret_env: str = ""
    # ... or one ready-made token per scope.
    view_token_env: str = ""
    manage_token_env: str = ""
    # An already expired token of the tenant, for EMPORIX-AUTH-EXPIRED when the token endpoint cannot issue one.
    expired_token_env: str = ""
    other_tenant: TenantSettings | None = None
    capabilities: list[str] = field(default_factory=list)
    poll_timeout: float = 30.0
    test_data: TestData = field(default_factory=TestData)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        _check_tenant(self.tenant)
        _check_credentials(self.client_id, self.client_secret_env, self.view_token_env, self.manage_token_env)
        if self.client_id and not self.token_url:
            raise ValueError("client_id needs a token_url")
        unknown = set(self.capabilities) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capability {sorted(unknown)[0]!r} (known: {', '.join(CAPABILITIES)})")
        if "token_lifetime" in self.capabilities and not self.client_id:
            raise ValueError("capability token_lifetime needs client_id (tokens come from the token endpoint)")
        if self.poll_timeout <= 0:
            raise ValueError("poll_timeout must be positive")


def _check_tenant(tenant: str) -> None:
    if not TENANT.fullmatch(tenant):
        raise ValueError(f"tenant {tenant!r} does not match ^[a-z][a-z0-9]+$ with 3-16 characters")


def _check_credentials(client_id: str, secret_env: str, view_env: str, manage_env: str) -> None:
    oauth, tokens = bool(client_id or secret_env), bool(view_env or manage_env)
    if oauth == tokens:
        raise ValueError("give either client_id and client_secret_env, or view_token_env and manage_token_env")
    if oauth and not (client_id and secret_env):
        raise ValueError("client_id and client_secret_env go together")
    if tokens and not (view_env and manage_env):
        raise ValueError("view_token_env and manage_token_env go together")
