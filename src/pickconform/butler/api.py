"""The Butler API as the scenarios use it: calls recorded with the lifecycle checker, control steps, and waiting for
notifications with a deadline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from pickconform.butler import spec
from pickconform.butler.receiver import Received, Receiver
from pickconform.butler.target import ButlerTarget
from pickconform.client import Exchange
from pickconform.determinism import Values
from pickconform.verdict import Violation


class ControlFailed(AssertionError):
    """The control protocol refused a physical step a scenario needs; the scenario cannot judge its requirement."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"control step failed: {what}\n{Exchange.from_response(response).describe()}")


def pick_request(external_id: str, lines: list[tuple[str, str, int]], attributes: dict[str, Any] | None = None):
    """A pick service request body; `lines` are (line id, SKU, quantity)."""
    body: dict[str, Any] = {
        "externalServiceRequestId": external_id,
        "type": "PICK",
        "serviceRequests": [
            {
                "externalServiceRequestId": line_id,
                "type": "PICK_LINE",
                "expectations": {
                    "containers": [
                        {
                            "products": [
                                {
                                    "productQuantity": quantity,
                                    "productAttributes": {"filter_parameters": [f"product_sku = '{sku}'"]},
                                }
                            ]
                        }
                    ]
                },
            }
            for line_id, sku, quantity in lines
        ],
    }
    if attributes is not None:
        body["attributes"] = attributes
    return body


@dataclass
class ButlerApi:
    target: ButlerTarget
    values: Values
    requests: list[str] = field(default_factory=list)  # created by this scenario, in order
    refuse_first: bool = False
    _cursors: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    @property
    def receiver(self) -> Receiver:
        return self.target.receiver

    def need(self, capability: str) -> None:
        if capability not in self.target.capabilities:
            pytest.skip(f"butler target lacks capability {capability} (see specs/butler/CONTROL.md)")

    # --- the API, recorded with the checker -------------------------------------------------------------------

    def create(self, body: Any) -> httpx.Response:
        receiver = self.receiver
        external_id = body.get("externalServiceRequestId") if isinstance(body, dict) else None
        with receiver.condition:  # notifications caused by this call wait until it is recorded
            if self.refuse_first and isinstance(external_id, str):
                receiver.refuse_next(external_id)
                self.refuse_first = False
            response = self.target.client.post(spec.SERVICE_REQUEST, json=body)
            if response.status_code == 200 and isinstance(external_id, str):
                receiver.checker.created(external_id)
                self.requests.append(external_id)
        return response

    def _transaction(self, path: str, kind: str, body: dict[str, Any]) -> httpx.Response:
        receiver = self.receiver
        with receiver.condition:
            response = self.target.client.post(path, json=body)
            try:
                transaction = response.json().get("id") if response.status_code == 200 else None
            except (ValueError, AttributeError):
                transaction = None
            if isinstance(transaction, int) and body["externalServiceRequestId"] in receiver.checker.streams:
                receiver.checker.started(body["externalServiceRequestId"], kind, transaction)
        return response

    def cancel(self, external_id: str) -> httpx.Response:
        return self._transaction(spec.CANCEL, "cancel", {"externalServiceRequestId": external_id, "type": "PICK"})

    def modify(self, body: dict[str, Any]) -> httpx.Response:
        return self._transaction(spec.MODIFY, "modify", body)

    # --- the control protocol ---------------------------------------------------------------------------------

    def _control(self, capability: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        self.need(capability)
        assert self.target.control is not None
        response = self.target.control.request(method, path, json=body)
        if not response.is_success:
            raise ControlFailed(f"{method} {path}", response)
        return response.json() if response.content else {}

    def put_inventory(self, sku: str, quantity: int) -> None:
        self._control("inventory", "PUT", f"/inventory/{sku}", {"quantity": quantity})

    def hold_allocation(self, hold: bool) -> None:
        self._control("hold", "PUT", "/allocation", {"hold": hold})

    def reach_first_rack(self, external_id: str) -> None:
        self._control("rack", "POST", f"/pick-requests/{external_id}/first-rack")

    def pick(self, external_id: str, quantity: int, exception: str | None = None) -> None:
        body: dict[str, Any] = {"quantity": quantity}
        if exception is not None:
            self.need("pick")
            body["exception"] = exception
        self._control("pick", "POST", f"/pick-requests/{external_id}/picks", body)

    def finish(self, external_id: str) -> None:
        self._control("finish", "POST", f"/pick-requests/{external_id}/finish")

    # --- notifications ----------------------------------------------------------------------------------------

    def _unreported(self, external_id: str) -> bool:
        return any(not f.reported and f.external_id in (None, external_id) for f in self.receiver.checker.findings)

    def _next(self, external_id: str, kind: str) -> Received | None:
        cursor = self._cursors[(external_id, kind)]
        matching = [
            r
            for r in self.receiver.by_request.get(external_id, [])
            if isinstance(r.notification, dict) and r.notification.get("notification_type") == kind
        ]
        return matching[cursor] if cursor < len(matching) else None

    def next(self, external_id: str, kind: str, requirement: str) -> dict[str, Any]:
        """The next `kind` notification about this request, once it arrives; a violation the checker found
        meanwhile fails first, and so does the deadline passing (on `requirement`)."""
        receiver = self.receiver
        timeout = self.target.notification_timeout
        receiver.wait_for(lambda: self._unreported(external_id) or self._next(external_id, kind), timeout)
        with receiver.condition:
            receiver.checker.raise_findings({external_id})
            found = self._next(external_id, kind)
            if found is None:
                raise Violation(
                    requirement,
                    f"no {kind} notification about pick request {external_id} within {timeout:g} s\n"
                    f"stream of pick request {external_id}:\n{receiver.checker.show(external_id)}",
                )
            self._cursors[(external_id, kind)] += 1
            return found.notification

    def state(self, external_id: str) -> str:
        self.receiver.settle()
        with self.receiver.condition:
            return self.receiver.checker.streams[external_id].state

    def judge(self) -> None:
        """Every violation the checker found in this scenario's streams (or in none) fails the scenario."""
        self.receiver.settle()
        with self.receiver.condition:
            self.receiver.checker.raise_findings(set(self.requests))
