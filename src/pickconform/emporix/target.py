"""An Emporix target: base URL, tenants with a credential per scope, and the clients that reach them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from pickconform.emporix.settings import CAPABILITIES, Settings, TenantSettings, TestData
from pickconform.family.preflight import require_reachable, require_token
from pickconform.family.profile import ProfileError, secret_from_env
from pickconform.family.target import TENANT_ROLES
from pickconform.http.auth import Credentials, OAuthClient, StaticToken, make_auth
from pickconform.http.client import Wire, make_client
from pickconform.http.pacing import Patience

VIEW, MANAGE = "pickpack.pickpack_view", "pickpack.pickpack_manage"
ROLES = (VIEW, MANAGE)


@dataclass(frozen=True)
class Tenant:
    """A tenant and one credential per scope: a view-only and a manage-only token, as the 403 checks need."""

    name: str
    credentials: dict[str, Credentials] = field(repr=False)
    client: OAuthClient | None = field(default=None, repr=False)  # the OAuth client, when tokens come from one


class EmporixTarget:
    """Implements `pickconform.family.target.FamilyTarget`."""

    def __init__(
        self,
        base_url: str,
        tenant: Tenant,
        wire: Wire,
        *,
        other_tenant: Tenant | None = None,
        expired_token: str | None = None,
        capabilities: frozenset[str] = frozenset(),
        poll_timeout: float = 30.0,
        test_data: TestData | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant, self.other_tenant = tenant, other_tenant
        self.capabilities, self.poll_timeout = capabilities, poll_timeout
        self.patience = Patience(poll_timeout)  # shortened once a job did not finish within poll_timeout
        self.test_data = test_data or TestData()
        # Without seed_orders, the tests that only need some job of the tenant share one per process (EmporixApi.job)
        self.shared_job: tuple[str, str] | None = None  # (job id, the ready order it recalculated)
        self.shared_job_order = ""  # the ready order claimed for it (kept if the job could not be made)
        self.shared_job_lock = threading.Lock()
        self.wire = wire
        self.log = wire.log
        self._expired_token = expired_token
        self._token_client = make_client(self.base_url, self.wire)
        self._clients: dict[tuple[str, str], httpx.Client] = {}

    def client(self, scope: str, tenant: Tenant | None = None) -> httpx.Client:
        """A client whose token has exactly `scope` (pickpack.pickpack_view or pickpack.pickpack_manage)."""
        tenant = tenant or self.tenant
        key = (tenant.name, scope)
        if key not in self._clients:
            auth = make_auth(tenant.credentials[scope], self._token_client)
            self._clients[key] = make_client(self.base_url, self.wire, auth=auth)
        return self._clients[key]

    def bearer(self, token: str) -> httpx.Client:
        """A client sending a given bearer token (a malformed or an expired one)."""
        return make_client(self.base_url, self.wire, headers={"Authorization": f"Bearer {token}"})

    def anonymous(self) -> httpx.Client:
        key = ("", "anonymous")
        if key not in self._clients:
            self._clients[key] = make_client(self.base_url, self.wire)
        return self._clients[key]

    def expired_token(self) -> str | None:
        """An expired token of the tenant: from the profile, or issued with a zero lifetime (capability)."""
        if self._expired_token:
            return self._expired_token
        oauth = self.tenant.client
        if oauth is None or "token_lifetime" not in self.capabilities:
            return None
        form = {
            "grant_type": "client_credentials",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret,
            "scope": " ".join(ROLES),
            "expires_in": "0",
        }
        response = self._token_client.post(oauth.token_url, data=form)
        if response.status_code != 200:
            return None
        token = response.json().get("access_token")
        return token if isinstance(token, str) and token else None

    # --- slots (see pickconform.family.target) ---

    def role_urls(self) -> dict[str, str]:
        return {"base": self.base_url}

    def tenant_names(self) -> dict[str, str]:
        """Tenant role → tenant name."""
        return {role: tenant.name for role in TENANT_ROLES if (tenant := getattr(self, role)) is not None}

    def credential_slots(self) -> list[tuple[str, httpx.Auth]]:
        """One credential per tenant and scope: `emporix/<tenant role>/<scope>`."""
        found = [
            (f"emporix/{role}/{scope}", self.client(scope, tenant).auth)
            for role in TENANT_ROLES
            if (tenant := getattr(self, role)) is not None
            for scope in ROLES
        ]
        return [(slot, auth) for slot, auth in found if auth is not None]

    def openapi_for(self, role: str, path: str) -> Any:
        """The pick-pack spec, or the control protocol's for its `/_control/` paths."""
        if role != "base":
            return None
        from pickconform.emporix import spec  # Schemathesis is loaded only when a spec is asked for

        return spec.control_openapi() if path.startswith("/_control/") else spec.openapi()

    def take_unexpected_inbound(self) -> tuple[int, list[str]]:
        return 0, []  # no endpoint of the suite's is this family's target's to call

    def preflight(self) -> None:
        require_reachable(self._token_client, "emporix", self.base_url)
        for tenant in filter(None, (self.tenant, self.other_tenant)):
            for scope in ROLES:
                require_token(self.client(scope, tenant).auth, f"emporix tenant {tenant.name} ({scope})")

    def close(self) -> None:
        for client in (*self._clients.values(), self._token_client):
            client.close()


def embedded(base_url: str, handed: dict[str, Any], wire: Wire) -> EmporixTarget:
    """The target on the embedded reference at `base_url`, from what it handed (`EmporixReference.handed`)."""

    def tenant(name: str) -> Tenant:
        client_id, secret = handed["clients"][name]
        oauth = OAuthClient(f"{base_url}/oauth/token", client_id, secret)
        scoped = {scope: OAuthClient(oauth.token_url, client_id, secret, scope) for scope in ROLES}
        return Tenant(name, scoped, oauth)  # type: ignore[arg-type]

    return EmporixTarget(
        base_url,
        tenant("acme"),
        wire,
        other_tenant=tenant("globex"),
        capabilities=frozenset(CAPABILITIES),
        poll_timeout=3.0,
    )


def _tenant(name: str, settings: Settings | TenantSettings, token_url: str, where: str) -> Tenant:
    if settings.client_id:
        secret = secret_from_env(settings.client_secret_env, where)
        oauth = OAuthClient(token_url, settings.client_id, secret)
        scoped: dict[str, Credentials] = {
            scope: OAuthClient(token_url, settings.client_id, secret, scope) for scope in ROLES
        }
        return Tenant(name, scoped, oauth)
    return Tenant(
        name,
        {
            VIEW: StaticToken(secret_from_env(settings.view_token_env, where)),
            MANAGE: StaticToken(secret_from_env(settings.manage_token_env, where)),
        },
    )


def from_settings(settings: Settings, where: str, wire: Wire) -> EmporixTarget:
    other = None
    if settings.other_tenant is not None:
        o = settings.other_tenant
        if o.client_id and not settings.token_url:
            raise ProfileError(f"{where[:-1]}.other_tenant]: client_id needs the section's token_url")
        other = _tenant(o.tenant, o, settings.token_url, f"{where[:-1]}.other_tenant]")
    expired = secret_from_env(settings.expired_token_env, where) if settings.expired_token_env else None
    return EmporixTarget(
        settings.base_url,
        _tenant(settings.tenant, settings, settings.token_url, where),
        wire,
        other_tenant=other,
        expired_token=expired,
        capabilities=frozenset(settings.capabilities),
        poll_timeout=settings.poll_timeout,
        test_data=settings.test_data,
    )
