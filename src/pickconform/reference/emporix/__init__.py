"""The Emporix pick-pack reference: tenants, scoped tokens, orders, packing events, recalculation jobs."""

from __future__ import annotations

import secrets
from typing import Any

from pickconform.reference.emporix.http import EmporixHTTP
from pickconform.reference.emporix.store import EmporixStore
from pickconform.reference.mutants import Faults
from pickconform.reference.worker import DueWorker

TENANTS = ("acme", "globex")


def demo_clients() -> dict[str, tuple[str, str]]:
    """Well-known credentials for `pickconform serve` (a local sandbox, documented in DECISIONS.md)."""
    return {tenant: (f"{tenant}-pickpack", f"{tenant}-pickpack-secret") for tenant in TENANTS}


class EmporixReference:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.clients = clients
        self.store = EmporixStore(faults, clients)
        self.app = EmporixHTTP(self.store, faults).app
        self._worker = DueWorker("emporix-recalculations", self.store.finish_due_jobs)

    @property
    def handed(self) -> dict[str, Any]:
        """What the suite is told to reach this reference: the tenants' client credentials."""
        return {"clients": dict(self.clients)}

    def start(self) -> None:
        self._worker.start()  # recalculation jobs move from IN_PROGRESS to SUCCESS or FAILURE when due

    def close(self) -> None:
        self._worker.close()


def build(faults: Faults, *, demo_credentials: bool = False) -> EmporixReference:
    clients = (
        demo_clients()
        if demo_credentials
        else {tenant: (f"{tenant}-pickpack", secrets.token_urlsafe(16)) for tenant in TENANTS}
    )
    return EmporixReference(faults, clients)
