"""The family target: what code outside an API family may ask of that family's target, so that it never asks which
family it is talking to.

Each family's target class (built by its descriptor, `pickconform.registry.Family`) implements `FamilyTarget`.
Besides reaching the target (`preflight`, `close`) and saying what it can do (`capabilities`), a family target names
its parts in target-independent terms — its *slots* — so that what was recorded against one target can be re-sent
to another (`pickconform diff`):

- `role_urls()`: role → base URL (`base`, `rest`, `graphql`, `control`, ...); a recorded path is re-based by the
  longest role prefix it starts with;
- `tenant_names()`: tenant role (`TENANT_ROLES`) → the tenant's name on this target, for the roles it has;
- `credential_slots()`: (slot, auth) of every credential it holds, the slot naming the credential in recordings
  (`clarus/tenant`, `emporix/other_tenant/pickpack.pickpack_view`, `butler/token`); a slot may appear twice;
- `openapi_for(role, path)`: the OpenAPI operations (a Schemathesis schema) that document a request to a role's
  URL at `path`, or None when no spec documents it (GraphQL, control protocols);

Whether a family's target sends notifications to the suite (Butler) is its descriptor's: `Family.notifications`.

This module sits below the families (see tests/selftest/test_architecture.py): it imports nothing of pickconform.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

__all__ = ["TENANT_ROLES", "FamilyTarget"]

TENANT_ROLES = ("tenant", "other_tenant")


class FamilyTarget(Protocol):
    """One API family's target: where its requests go, with which credentials, and how its parts are named.

    Not runtime-checkable on purpose: `isinstance` would read every member, and a Butler target's `capabilities` may
    ask the target itself (tests/selftest/test_family_target.py checks the members without reading them)."""

    @property
    def capabilities(self) -> frozenset[str]:
        """What the target can do beyond the documented API (control protocol, callback registration, ...)."""
        ...

    def role_urls(self) -> dict[str, str]:
        """Role → base URL."""
        ...

    def tenant_names(self) -> dict[str, str]:
        """Tenant role → the tenant's name (empty for a family without tenants)."""
        ...

    def credential_slots(self) -> list[tuple[str, httpx.Auth]]:
        """(slot, auth object) of every credential the target holds."""
        ...

    def openapi_for(self, role: str, path: str) -> Any:
        """The schema documenting a request to `role` at `path` (relative to the role's URL), or None."""
        ...

    def take_unexpected_inbound(self) -> tuple[int, list[str]]:
        """Requests to the suite's own endpoints refused since the last call: how many, and the first few described
        (only a family with a notification receiver has any)."""
        ...

    def preflight(self) -> None:
        """Raise `ProfileError` when the target is unreachable or refuses the credentials."""
        ...

    def close(self) -> None: ...
