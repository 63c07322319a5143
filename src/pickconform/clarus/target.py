"""A Clarus target: base URL, REST prefix, tenants with their credentials, and the clients that reach them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from pickconform.clarus.settings import CAPABILITIES, GRAPHQL_SHAPES, OAuthSettings, Settings, TestData
from pickconform.family.preflight import require_reachable, require_token
from pickconform.family.profile import secret_from_env
from pickconform.family.target import TENANT_ROLES
from pickconform.http.auth import Credentials, OAuthClient, StaticToken, make_auth
from pickconform.http.client import Wire, make_client
from pickconform.http.pacing import Patience
from pickconform.verdict import FirstSends


@dataclass(frozen=True)
class Tenant:
    subdomain: str
    credentials: Credentials = field(repr=False)


class ClarusTarget:
    """Implements `pickconform.family.target.FamilyTarget`."""

    def __init__(
        self,
        base_url: str,
        tenant: Tenant,
        wire: Wire,
        *,
        other_tenant: Tenant | None = None,
        rest_prefix: str = "/api",
        graphql_path: str = "/graphql",
        graphql_shapes: tuple[str, ...] = GRAPHQL_SHAPES,
        error_code_pointer: str = "/errors/0/code",
        error_symbol_pointer: str = "/errors/0/title",
        capabilities: frozenset[str] = frozenset(CAPABILITIES),
        poll_timeout: float = 30.0,
        test_data: TestData | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant, self.other_tenant = tenant, other_tenant
        self.rest_prefix, self.graphql_path, self.graphql_shapes = rest_prefix, graphql_path, graphql_shapes
        self.error_code_pointer, self.error_symbol_pointer = error_code_pointer, error_symbol_pointer
        self.capabilities, self.poll_timeout = capabilities, poll_timeout
        self.patience = Patience(poll_timeout)  # shortened once a pick list did not finish within poll_timeout
        self.test_data = test_data or TestData()  # the tenant's master data, ready products, how stock comes in
        self.wire = wire
        self.log = wire.log
        self.first_sends = FirstSends()  # references created in this process: an earlier run's are refused
        self._token_client = make_client(self.base_url, self.wire)
        self._clients: dict[str, httpx.Client] = {}

    @property
    def rest_url(self) -> str:
        return self.base_url + self.rest_prefix

    def client(self, tenant: Tenant | None = None) -> httpx.Client:
        """An authenticated client for a tenant (the main one by default), sending its subdomain on every request."""
        tenant = tenant or self.tenant
        if tenant.subdomain not in self._clients:
            self._clients[tenant.subdomain] = make_client(
                self.base_url,
                self.wire,
                auth=make_auth(tenant.credentials, self._token_client),
                headers={"X-Clarus-Subdomain": tenant.subdomain},
            )
        return self._clients[tenant.subdomain]

    def anonymous(self) -> httpx.Client:
        """A client without credentials (for the 401 checks); it still names the tenant."""
        key = "\x00anonymous"
        if key not in self._clients:
            self._clients[key] = make_client(
                self.base_url, self.wire, headers={"X-Clarus-Subdomain": self.tenant.subdomain}
            )
        return self._clients[key]

    def without_subdomain(self) -> httpx.Client:
        """The main tenant's credentials without X-Clarus-Subdomain (for the check that it is required)."""
        key = "\x00without-subdomain"
        if key not in self._clients:  # the same credential (and token) as the tenant's client: one slot, one token
            self._clients[key] = make_client(self.base_url, self.wire, auth=self.client().auth)
        return self._clients[key]

    # --- slots (see pickconform.family.target) ---

    def role_urls(self) -> dict[str, str]:
        return {"base": self.base_url, "rest": self.rest_url, "graphql": self.base_url + self.graphql_path}

    def tenant_names(self) -> dict[str, str]:
        """Tenant role → subdomain."""
        return {role: tenant.subdomain for role in TENANT_ROLES if (tenant := getattr(self, role)) is not None}

    def credential_slots(self) -> list[tuple[str, httpx.Auth]]:
        """One credential per tenant: `clarus/<tenant role>`."""
        tenants = [(role, tenant) for role in TENANT_ROLES if (tenant := getattr(self, role)) is not None]
        found = [(f"clarus/{role}", self.client(tenant).auth) for role, tenant in tenants]
        return [(slot, auth) for slot, auth in found if auth is not None]

    def openapi_for(self, role: str, path: str) -> Any:
        """The REST API's spec; the GraphQL endpoint has none."""
        if role != "rest":
            return None
        from pickconform.clarus import spec  # Schemathesis is loaded only when a spec is asked for

        return spec.openapi()

    def take_unexpected_inbound(self) -> tuple[int, list[str]]:
        return 0, []  # no endpoint of the suite's is this family's target's to call

    def preflight(self) -> None:
        require_reachable(self._token_client, "clarus", self.base_url)
        for tenant in filter(None, (self.tenant, self.other_tenant)):
            require_token(self.client(tenant).auth, f"clarus tenant {tenant.subdomain}")

    def close(self) -> None:
        for client in (*self._clients.values(), self._token_client):
            client.close()


def embedded(base_url: str, handed: dict[str, Any], wire: Wire) -> ClarusTarget:
    """The target on the embedded reference at `base_url`, from what it handed (`ClarusReference.handed`)."""

    def tenant(subdomain: str) -> Tenant:
        client_id, secret = handed["clients"][subdomain]
        return Tenant(subdomain, OAuthClient(f"{base_url}/oauth/token", client_id, secret))

    # Like a sandbox's user, the suite is told the tenant's master data: here by the reference itself.
    data = TestData(product_attributes={"stock_unit_type_id": handed["stock_unit_type_id"]})
    return ClarusTarget(base_url, tenant("acme"), wire, other_tenant=tenant("globex"), poll_timeout=3.0, test_data=data)


def _credentials(token_env: str, oauth: OAuthSettings | None, where: str) -> Credentials:
    if oauth is None:
        return StaticToken(secret_from_env(token_env, where))
    return OAuthClient(
        oauth.token_url, oauth.client_id, secret_from_env(oauth.client_secret_env, f"{where[:-1]}.oauth]"), oauth.scope
    )


def from_settings(settings: Settings, where: str, wire: Wire) -> ClarusTarget:
    other = None
    if settings.other_tenant is not None:
        o = settings.other_tenant
        other = Tenant(o.subdomain, _credentials(o.token_env, o.oauth, f"{where[:-1]}.other_tenant]"))
    return ClarusTarget(
        settings.base_url,
        Tenant(settings.subdomain, _credentials(settings.token_env, settings.oauth, where)),
        wire,
        other_tenant=other,
        rest_prefix=settings.rest_prefix,
        graphql_path=settings.graphql_path,
        graphql_shapes=tuple(settings.graphql_shapes),
        error_code_pointer=settings.error_code_pointer,
        error_symbol_pointer=settings.error_symbol_pointer,
        capabilities=frozenset(settings.capabilities),
        poll_timeout=settings.poll_timeout,
        test_data=settings.test_data,
    )
