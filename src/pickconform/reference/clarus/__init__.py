"""The Clarus WMS reference implementation: goods outs, stock, pick processing, GraphQL polling."""

from __future__ import annotations

import secrets
from typing import Any

from pickconform.reference.clarus.graphql import ClarusGraphQL
from pickconform.reference.clarus.http import ClarusHTTP
from pickconform.reference.clarus.store import ClarusStore, stock_unit_type_ids
from pickconform.reference.mutants import Faults
from pickconform.reference.worker import DueWorker

TENANTS = ("acme", "globex")


def demo_clients() -> dict[str, tuple[str, str]]:
    """Well-known credentials for `pickconform serve` (a local sandbox, documented in the README)."""
    return {tenant: (f"{tenant}-client", f"{tenant}-secret") for tenant in TENANTS}


class ClarusReference:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.clients = clients
        self.stock_unit_type_ids = stock_unit_type_ids(faults)  # the tenants' master data, for the embedded target
        self.store = ClarusStore(faults, clients)
        self.app = ClarusHTTP(self.store, ClarusGraphQL(self.store, faults), faults).app
        self._worker = DueWorker("clarus-pick-lists", self.store.finish_due_requests)

    @property
    def handed(self) -> dict[str, Any]:
        """What the suite is told to reach this reference: the tenants' client credentials, their master data."""
        return {"clients": dict(self.clients), "stock_unit_type_id": self.stock_unit_type_ids[0]}

    def start(self) -> None:
        self._worker.start()  # pick processing requests move from pending to completed or failed

    def close(self) -> None:
        self._worker.close()


def build(faults: Faults, *, demo_credentials: bool = False) -> ClarusReference:
    clients = (
        demo_clients()
        if demo_credentials
        else {tenant: (f"{tenant}-client", secrets.token_urlsafe(16)) for tenant in TENANTS}
    )
    return ClarusReference(faults, clients)
