"""Slots: target-independent names for the parts of a family target — its base URLs (roles), its tenants and its
credentials — so that what was recorded against one target can be re-sent to another (`pickconform diff`).

A recording stores, per family, the path of each role's URL (`rest`, `graphql`, `control`, ...) and the name of each
tenant role (`tenant`, `other_tenant`); every credential labels its redacted Authorization header with its slot
(`clarus/tenant`, `emporix/other_tenant/pickpack.pickpack_view`, `butler/token`). The family targets are not asked
to know any of this: the knowledge of each family's shape sits here, in one place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

TENANT_ROLES = ("tenant", "other_tenant")


def endpoints(family: str, target: Any) -> dict[str, str]:
    """Role → base URL of a family target; a recorded path is re-based by the longest role prefix it starts with."""
    if family == "clarus":
        return {"base": target.base_url, "rest": target.rest_url, "graphql": target.base_url + target.graphql_path}
    if family == "butler":
        return {"base": target.base_url, **({"control": target.control_url} if target.control_url else {})}
    return {"base": target.base_url}


def tenants(family: str, target: Any) -> dict[str, str]:
    """Tenant role → the tenant's name (Clarus subdomain, Emporix tenant); Butler has no tenants."""
    found = {}
    for role in TENANT_ROLES:
        tenant = getattr(target, role, None)
        if tenant is not None:
            found[role] = tenant.subdomain if family == "clarus" else tenant.name
    return found if family in ("clarus", "emporix") else {}


def credentials(family: str, target: Any) -> list[tuple[str, httpx.Auth]]:
    """(slot, auth object) of every credential a family target holds (a slot may appear twice: Butler's API and
    control clients share one token)."""
    found: list[tuple[str, httpx.Auth]] = []
    if family == "clarus":
        for role in TENANT_ROLES:
            if (tenant := getattr(target, role)) is not None:
                found.append((f"clarus/{role}", target.client(tenant).auth))
    elif family == "emporix":
        from pickconform.emporix.target import ROLES as SCOPES

        for role in TENANT_ROLES:
            if (tenant := getattr(target, role)) is not None:
                found += [(f"emporix/{role}/{scope}", target.client(scope, tenant).auth) for scope in SCOPES]
    elif family == "butler":
        found += [("butler/token", client.auth) for client in (target.client, target.control) if client is not None]
    return [(slot, auth) for slot, auth in found if auth is not None]


def label_credentials(target: Any) -> None:
    """Give every credential of a target its slot, so recordings say which credential each request carried."""
    for family, family_target in target.families.items():
        for slot, auth in credentials(family, family_target):
            auth.label = slot  # type: ignore[attr-defined]


def describe(target: Any) -> dict[str, dict[str, dict[str, str]]]:
    """What a recording keeps about its target: per family, each role's URL path and each tenant role's name."""
    return {
        family: {
            "endpoints": {role: urlsplit(url).path.rstrip("/") for role, url in endpoints(family, ft).items()},
            "tenants": tenants(family, ft),
        }
        for family, ft in target.families.items()
    }
