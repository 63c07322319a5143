"""Slots: target-independent names for the parts of a family target — its base URLs (roles), its tenants and its
credentials — so that what was recorded against one target can be re-sent to another (`pickconform diff`).

A recording stores, per family, the path of each role's URL (`rest`, `graphql`, `control`, ...) and the name of each
tenant role (`tenant`, `other_tenant`); every credential labels its redacted Authorization header with its slot
(`clarus/tenant`, `emporix/other_tenant/pickpack.pickpack_view`, `butler/token`). Each family target names its own
parts (`pickconform.family.target.FamilyTarget`); this module records them and labels the credentials.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def label_credentials(target: Any) -> None:
    """Give every credential of a target its slot, so recordings say which credential each request carried."""
    for family_target in target.families.values():
        for slot, auth in family_target.credential_slots():
            auth.label = slot  # type: ignore[attr-defined]


def describe(target: Any) -> dict[str, dict[str, dict[str, str]]]:
    """What a recording keeps about its target: per family, each role's URL path and each tenant role's name."""
    return {
        family: {
            "endpoints": {role: urlsplit(url).path.rstrip("/") for role, url in ft.role_urls().items()},
            "tenants": ft.tenant_names(),
        }
        for family, ft in target.families.items()
    }
