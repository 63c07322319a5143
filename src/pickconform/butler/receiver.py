"""The notification receiver: the callback a Butler target POSTs its notifications to.

Started by the suite on a real socket (loopback for the embedded target; the profile's listen address for a remote
one). Every notification is validated against specs/butler/notifications and, when valid, judged by the lifecycle
checker. A repeated notification_id is acknowledged and not processed again (idempotent), but recorded: the same id
with a different content is a violation. Steps wait for notifications with a deadline on a Condition.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pickconform.butler import spec
from pickconform.butler.lifecycle import LifecycleChecker
from pickconform.loopback import LoopbackServer


@dataclass(frozen=True)
class Received:
    notification: dict[str, Any]
    external_id: str | None
    at: float  # time.monotonic() on arrival


def external_id_of(document: Any) -> str | None:
    """The pick request a notification is about, as far as it can be told (also from an invalid one)."""
    data = document.get("notification_data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("externalServiceRequestId"), str):
        return data["externalServiceRequestId"]
    requests = data.get("serviceRequests")
    if isinstance(requests, list) and requests and isinstance(requests[0], dict):
        found = requests[0].get("externalServiceRequestId")
        return found if isinstance(found, str) else None
    return None


class Receiver:
    def __init__(self, checker: LifecycleChecker | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.checker = checker or LifecycleChecker()
        # One lock for the checker and the records; the suite holds it while it calls the target, so that a
        # notification caused by a call is judged after the call is recorded.
        self.condition = threading.Condition(threading.RLock())
        self.received: list[Received] = []
        self.by_request: dict[str | None, list[Received]] = defaultdict(list)
        self.repeats: list[Received] = []
        self.refused: list[tuple[str | None, str | None]] = []  # (external id, notification_id) answered 500
        self._contents: dict[str, str] = {}
        self._refuse: dict[str, int] = {}
        app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["POST"])])
        self._server = LoopbackServer(app, host, port, name="the notification receiver")
        self.host, self.port = self._server.host, self._server.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/notifications"

    def start(self) -> Receiver:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    # --- what steps use ---------------------------------------------------------------------------------------

    def refuse_next(self, external_id: str, times: int = 1) -> None:
        """Answer 500 to the next `times` notifications about this request (to see them retried)."""
        with self.condition:
            self._refuse[external_id] = times

    def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Wait until `predicate()` (called under the lock) is truthy, or the deadline passes (then it is falsy)."""
        with self.condition:
            return self.condition.wait_for(predicate, timeout)

    # --- the callback -----------------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        raw = await request.body()
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            with self.condition:
                self.checker.violation("BUTLER-NOTIFY-SCHEMA", None, f"a notification is not JSON: {raw[:200]!r}")
                self.condition.notify_all()
            return JSONResponse({"error": "not JSON"}, status_code=400)
        outcome = self.accept(document)
        return JSONResponse({"outcome": outcome}, status_code=500 if outcome == "refused" else 200)

    def accept(self, document: Any) -> str:
        """Record and judge one notification: `accepted`, `repeat` (acknowledged, not processed again) or `refused`."""
        external_id = external_id_of(document)
        with self.condition:
            try:
                return self._accept(document, external_id)
            finally:
                self.condition.notify_all()

    def _accept(self, document: Any, external_id: str | None) -> str:
        if external_id is None:  # an order_modification names its transaction, and the transaction its request
            data = document.get("notification_data") if isinstance(document, dict) else None
            transaction = self.checker.transactions.get(data.get("id")) if isinstance(data, dict) else None
            external_id = transaction.external_id if transaction else None
        notification_id = document.get("notification_id") if isinstance(document, dict) else None
        if external_id is not None and self._refuse.get(external_id):
            self._refuse[external_id] -= 1
            self.refused.append((external_id, notification_id if isinstance(notification_id, str) else None))
            return "refused"
        received = Received(document, external_id, time.monotonic())
        content = json.dumps(document, sort_keys=True)
        if isinstance(notification_id, str) and notification_id in self._contents:
            self.repeats.append(received)
            if self._contents[notification_id] != content:
                self.checker.violation(
                    "BUTLER-NOTIFY-UNIQUE-ID",
                    external_id,
                    f"notification_id {notification_id} names two different notifications:\n"
                    f"  first: {self._contents[notification_id][:400]}\n  then:  {content[:400]}",
                )
            return "repeat"
        if isinstance(notification_id, str):
            self._contents[notification_id] = content
        self.received.append(received)
        self.by_request[external_id].append(received)
        errors = spec.notification_errors(document)
        if errors:
            self.checker.violation(
                "BUTLER-NOTIFY-SCHEMA",
                external_id,
                "a notification breaks specs/butler/notifications:\n  "
                + "\n  ".join(errors[:5])
                + f"\n  notification: {content[:600]}",
            )
        else:
            self.checker.observe(document)
        return "accepted"
