"""The Clarus WMS reference implementation: goods outs, stock, pick processing, GraphQL polling."""

from __future__ import annotations

import secrets
import threading
import time

from pickconform.reference.clarus.graphql import ClarusGraphQL
from pickconform.reference.clarus.http import ClarusHTTP
from pickconform.reference.clarus.store import ClarusStore
from pickconform.reference.mutants import Faults

TENANTS = ("acme", "globex")


def demo_clients() -> dict[str, tuple[str, str]]:
    """Well-known credentials for `pickconform serve` (a local sandbox, documented in the README)."""
    return {tenant: (f"{tenant}-client", f"{tenant}-secret") for tenant in TENANTS}


class ClarusReference:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.clients = clients
        self.store = ClarusStore(faults, clients)
        self.app = ClarusHTTP(self.store, ClarusGraphQL(self.store, faults), faults).app
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._generate_pick_lists, name="clarus-pick-lists", daemon=True)

    def _generate_pick_lists(self) -> None:
        """The background job runner: pick processing requests move from pending to completed or failed."""
        while not self._stop.is_set():
            next_due = self.store.finish_due_requests()
            wait = 0.02 if next_due is None else max(0.001, min(0.02, next_due - time.monotonic()))
            self._stop.wait(wait)

    def start(self) -> None:
        if not self._worker.is_alive():
            self._worker.start()

    def close(self) -> None:
        self._stop.set()
        if self._worker.is_alive():
            self._worker.join(timeout=2)


def build(faults: Faults, *, demo_credentials: bool = False) -> ClarusReference:
    clients = (
        demo_clients()
        if demo_credentials
        else {tenant: (f"{tenant}-client", secrets.token_urlsafe(16)) for tenant in TENANTS}
    )
    return ClarusReference(faults, clients)
