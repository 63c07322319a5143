"""The Butler API as the scenarios use it: calls recorded with the lifecycle checker, control steps, and waiting for
notifications with a deadline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from pickconform.butler import spec
from pickconform.butler.lifecycle import Transaction
from pickconform.butler.receiver import Received, Receiver
from pickconform.butler.target import ButlerTarget
from pickconform.determinism import Values
from pickconform.family.ready_data import ReadyData
from pickconform.verdict import SetupError, Violation, judged, record

INVENTORY = "inventory"


class ControlFailed(SetupError):
    """The control protocol refused a physical step a scenario needs: the suite could not set up, never a fail."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"control step {what}", response)


def assigned_id(response: httpx.Response) -> str | None:
    """The externalServiceRequestId a target gave a request created without one, if its answer says it (the vendor
    calls the field optional: "Even if this is not provided, there is an internal unique id")."""
    try:
        body = response.json()
    except ValueError:
        return None
    found = body.get("externalServiceRequestId") if isinstance(body, dict) else None
    return found if isinstance(found, str) else None


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
    ready: ReadyData | None = None  # the run's ready data (the profile's [butler.test_data]) and the test's report
    requests: list[str] = field(default_factory=list)  # created by this scenario, in order
    owned: set[str] = field(default_factory=set)  # every request this scenario created or sent a cancel/modify for
    refuse_first: bool = False
    _cursors: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    _seen_invalid: set[int] = field(default_factory=set)

    @property
    def receiver(self) -> Receiver:
        return self.target.receiver

    def need(self, capability: str) -> None:
        if capability not in self.target.capabilities:
            pytest.skip(f"butler target lacks capability {capability} (see specs/butler/CONTROL.md)")

    def _own(self, external_id: str) -> None:
        self.owned.add(external_id)
        self.receiver.checker.claimed.add(external_id)

    # --- the API, recorded with the checker -------------------------------------------------------------------

    def create(self, body: Any) -> httpx.Response:
        receiver = self.receiver
        external_id = body.get("externalServiceRequestId") if isinstance(body, dict) else None
        with receiver.condition:  # notifications caused by this call wait until it is recorded
            if isinstance(external_id, str):
                self._own(external_id)
                if self.refuse_first:
                    receiver.refuse_next(external_id)
                    self.refuse_first = False
            first = isinstance(external_id, str) and self.target.first_sends.first(external_id)
            response = self.target.client.post(spec.SERVICE_REQUEST, json=body)
            if response.status_code == 200 and external_id is None:  # optional: the target's own id names it
                external_id = assigned_id(response)
                if external_id is not None:
                    self._own(external_id)
            if response.status_code == 200 and isinstance(external_id, str):
                receiver.checker.created(external_id)
                self.requests.append(external_id)
        if isinstance(external_id, str):
            what = f"the create of pick request {external_id}"
            self.target.first_sends.refused(external_id, first, self.values.run.run_id, what, response)
        return response

    def _transaction(self, path: str, kind: str, body: dict[str, Any]) -> httpx.Response:
        receiver, external_id = self.receiver, body.get("externalServiceRequestId")
        with receiver.condition:
            if isinstance(external_id, str):
                self._own(external_id)
                # What arrived before the call is not its outcome: the next order_information looked at is later.
                seen = len(self._matching(external_id, "order_information"))
                self._cursors[(external_id, "order_information")] = seen
            response = self.target.client.post(path, json=body)
            try:
                transaction = response.json().get("id") if response.status_code == 200 else None
            except (ValueError, AttributeError):
                transaction = None
            if isinstance(transaction, int) and isinstance(external_id, str):
                receiver.checker.started(external_id, kind, transaction)
        return response

    def cancel(self, external_id: str) -> httpx.Response:
        return self._transaction(spec.CANCEL, "cancel", {"externalServiceRequestId": external_id, "type": "PICK"})

    def cancel_body(self, body: dict[str, Any]) -> httpx.Response:
        """A cancel with this body as it is (e.g. of the wrong shape)."""
        return self._transaction(spec.CANCEL, "cancel", body)

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
        self._control(INVENTORY, "PUT", f"/inventory/{sku}", {"quantity": quantity})

    # --- the data a scenario needs: set up through the control protocol, or the profile's test_data -------------

    def sku_in_stock(self, quantity: int, at_least: int | None = None) -> tuple[str, int]:
        """A SKU with inventory that this test alone blocks and picks, and its quantity: a new SKU given `quantity`
        units (capability inventory), else one of the profile's SKUs in stock with at least `at_least` (default
        `quantity`) units, each used by one test per run; neither: skipped with the reason. The report says which."""
        if INVENTORY in self.target.capabilities:
            sku = self.values.reference("SKU")
            self.put_inventory(sku, quantity)
            self._note(f"SKU {sku}: {quantity} units put through the control protocol (set-up)")
            return sku, quantity
        needed = quantity if at_least is None else at_least
        data = self.target.test_data
        fitting = {s.sku: s for s in sorted(data.in_stock, key=lambda s: s.quantity) if s.quantity >= needed}
        claimed = self.ready.claim("butler.in_stock", list(fitting)) if self.ready is not None else None
        if claimed is None:
            if not data.in_stock:
                short = "names no SKUs in_stock"
            elif not fitting:
                short = f"has no SKU in_stock with {needed} units"
            else:
                short = f"has its {len(fitting)} SKUs in_stock with {needed} units used by other tests"
            pytest.skip(
                f"butler: the test needs a SKU with {needed} units of inventory that no other test blocks: the target "
                f"lacks capability {INVENTORY}, and [butler.test_data] {short} (each serves one test per run)"
            )
        stocked = fitting[claimed[0]]
        self._note(f"SKU {stocked.sku}: [butler.test_data] in_stock, {stocked.quantity} units")
        return stocked.sku, stocked.quantity

    def sku_without_inventory(self) -> str:
        """A SKU the target has none of: a new one (capability inventory: the suite alone gives SKUs inventory), else
        one the profile names absent (never changed by a test, so shared), else a new one taken as absent."""
        if INVENTORY in self.target.capabilities:
            return self.values.reference("SKU")
        absent = self.target.test_data.absent
        if absent:
            sku = absent[self.values.integer("absent SKU", 0, len(absent) - 1)]
            self._note(f"SKU {sku}: [butler.test_data] absent")
            return sku
        sku = self.values.reference("SKU")
        self._note(f"SKU {sku}: new, taken as absent ([butler.test_data] names no absent SKUs)")
        return sku

    def _note(self, line: str) -> None:
        if self.ready is not None:
            self.ready.note(line)

    def hold_allocation(self, hold: bool) -> None:
        self._control("hold", "PUT", "/allocation", {"hold": hold})

    def reach_first_rack(self, external_id: str) -> None:
        self._control("rack", "POST", f"/pick-requests/{external_id}/first-rack")

    def pick(self, external_id: str, quantity: int, exception: str | None = None) -> None:
        body: dict[str, Any] = {"quantity": quantity}
        if exception is not None:
            body["exception"] = exception
        self._control("pick", "POST", f"/pick-requests/{external_id}/picks", body)

    def finish(self, external_id: str) -> None:
        self._control("finish", "POST", f"/pick-requests/{external_id}/finish")

    # --- notifications ----------------------------------------------------------------------------------------

    def _matching(self, external_id: str, kind: str) -> list[Received]:
        return [
            r
            for r in self.receiver.by_request.get(external_id, [])
            if r.valid and r.notification.get("notification_type") == kind
        ]

    def _next(
        self, external_id: str, kind: str, showing: Callable[[dict[str, Any]], bool] | None = None
    ) -> Received | None:
        unseen = self._matching(external_id, kind)[self._cursors[(external_id, kind)] :]
        if showing is not None:
            unseen = [r for r in unseen if showing(r.notification["notification_data"])]
        return unseen[0] if unseen else None

    def _last(self, external_id: str, kind: str) -> Received | None:
        unseen = self._matching(external_id, kind)[self._cursors[(external_id, kind)] :]
        return unseen[-1] if unseen else None

    def _invalid(self, external_id: str) -> Received | None:
        """An unseen notification about this request that breaks the schema (it may be the one awaited)."""
        found = (r for r in self.receiver.by_request.get(external_id, []) if not r.valid)
        return next((r for r in found if id(r) not in self._seen_invalid), None)

    def next(
        self,
        external_id: str,
        kind: str,
        requirement: str,
        showing: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """The next valid `kind` notification about this request, once it arrives; the checker's findings about
        this scenario's requests are recorded meanwhile. Not arriving by the deadline is a violation of
        `requirement`; a notification about the request that breaks the schema instead stops on NOTIFY-SCHEMA.

        `showing`: wait for the first one whose data shows this (notifications about the request that the call did
        not cause, such as a late re-notification of its state, may come first); none by the deadline: the last one
        that came, for the caller to judge."""
        receiver = self.receiver
        timeout = self.target.notification_timeout
        receiver.wait_for(lambda: self._next(external_id, kind, showing) or self._invalid(external_id), timeout)
        with receiver.condition:
            self.report()
            found = self._next(external_id, kind, showing)
            if found is None and showing is not None:
                found = self._last(external_id, kind)
            if found is None:
                invalid = self._invalid(external_id)
                if invalid is not None:
                    self._seen_invalid.add(id(invalid))
                    raise Violation(
                        "BUTLER-NOTIFY-SCHEMA",
                        f"awaiting {kind} about pick request {external_id}, a notification about it broke the schema "
                        "(recorded above); the scenario cannot go on",
                    )
                raise Violation(
                    requirement,
                    f"no {kind} notification about pick request {external_id} within {timeout:g} s\n"
                    f"stream of pick request {external_id}:\n{receiver.checker.show(external_id)}",
                )
            matching = self._matching(external_id, kind)
            self._cursors[(external_id, kind)] = next(i for i, r in enumerate(matching) if r is found) + 1
            return found.notification

    def state(self, external_id: str) -> str:
        self.receiver.settle()
        with self.receiver.condition:
            return self.receiver.checker.streams[external_id].state

    def transaction(self, transaction_id: int) -> Transaction | None:
        with self.receiver.condition:
            return self.receiver.checker.transactions.get(transaction_id)

    def report(self) -> None:
        """Record what the checker found about this scenario's requests (and about notifications no one claims)."""
        with self.receiver.condition:
            for violation in self.receiver.checker.report(self.owned):
                record(violation)
            for requirement, count in self.receiver.checker.take_applied(self.owned).items():
                for _ in range(count):
                    judged(requirement)

    def judge(self) -> None:
        """Every finding of the checker about this scenario's requests is recorded, each on its requirement."""
        self.receiver.settle()
        self.report()
