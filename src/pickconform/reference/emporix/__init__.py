"""The Emporix pick-pack reference: tenants, scoped tokens, orders, packing events, recalculation jobs."""

from __future__ import annotations

import secrets
import threading
import time

from pickconform.reference.emporix.http import EmporixHTTP
from pickconform.reference.emporix.store import EmporixStore
from pickconform.reference.mutants import Faults

TENANTS = ("acme", "globex")


def demo_clients() -> dict[str, tuple[str, str]]:
    """Well-known credentials for `pickconform serve` (a local sandbox, documented in DECISIONS.md)."""
    return {tenant: (f"{tenant}-pickpack", f"{tenant}-pickpack-secret") for tenant in TENANTS}


class EmporixReference:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.clients = clients
        self.store = EmporixStore(faults, clients)
        self.app = EmporixHTTP(self.store, faults).app
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run_jobs, name="emporix-recalculations", daemon=True)

    def _run_jobs(self) -> None:
        """The background job runner: recalculation jobs move from IN_PROGRESS to SUCCESS or FAILURE when due."""
        while not self._stop.is_set():
            next_due = self.store.finish_due_jobs()
            wait = 0.02 if next_due is None else max(0.001, min(0.02, next_due - time.monotonic()))
            self._stop.wait(wait)

    def start(self) -> None:
        if not self._worker.is_alive():
            self._worker.start()

    def close(self) -> None:
        self._stop.set()
        if self._worker.is_alive():
            self._worker.join(timeout=2)


def build(faults: Faults, *, demo_credentials: bool = False) -> EmporixReference:
    clients = (
        demo_clients()
        if demo_credentials
        else {tenant: (f"{tenant}-pickpack", secrets.token_urlsafe(16)) for tenant in TENANTS}
    )
    return EmporixReference(faults, clients)
