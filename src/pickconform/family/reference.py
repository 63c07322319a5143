"""The family reference: what the composed reference implementation (`pickconform.reference.app`) and the suite ask
of one family's reference implementation, built by the family's descriptor (`pickconform.registry.Family.reference`).

This module sits below the families: it imports nothing of pickconform.
"""

from __future__ import annotations

from typing import Any, Protocol

from starlette.types import ASGIApp

__all__ = ["FamilyReference"]


class FamilyReference(Protocol):
    app: ASGIApp

    @property
    def handed(self) -> Any:
        """What the reference hands the suite to reach it, as a sandbox's user would be told it (its credentials,
        the tenant's master data): the family's `embedded` target is built from it, never from the reference's
        internals."""
        ...

    def start(self) -> None: ...

    def close(self) -> None: ...
