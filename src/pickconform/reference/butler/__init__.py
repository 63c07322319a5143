"""The GreyOrange Butler reference implementation: pick service requests, their lifecycle, webhook notifications."""

from __future__ import annotations

import secrets
from typing import Any

from pickconform.reference.butler.delivery import Delivery
from pickconform.reference.butler.http import ButlerHTTP
from pickconform.reference.butler.store import ButlerStore
from pickconform.reference.mutants import Faults

DEMO_TOKEN = "butler-demo-token"


class ButlerReference:
    def __init__(self, faults: Faults, token: str) -> None:
        self.token = token
        self.store = ButlerStore(faults)
        self.delivery = Delivery(self.store, faults)
        self.app = ButlerHTTP(self.store, faults, token, self.delivery.wake).app

    @property
    def handed(self) -> dict[str, Any]:
        """What the suite is told to reach this reference: its bearer token."""
        return {"token": self.token}

    def start(self) -> None:
        self.delivery.start()

    def close(self) -> None:
        self.delivery.close()


def build(faults: Faults, *, demo_credentials: bool = False) -> ButlerReference:
    """`demo_credentials`: the well-known token of `pickconform serve` (a local sandbox, documented in CONTROL.md)."""
    return ButlerReference(faults, DEMO_TOKEN if demo_credentials else secrets.token_urlsafe(16))
