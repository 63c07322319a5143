"""The notification receiver: the callback a Butler target POSTs its notifications to.

Started by the suite on a real socket (loopback for the embedded target; the profile's listen address for a remote
one); in a replay it opens no socket and is fed the notifications recorded in each test's cassette instead.
Every notification is validated against specs/butler/notifications and, when valid, judged by the lifecycle
checker. A repeated notification_id with the same content is a retried delivery: acknowledged and not processed
again (idempotent). The same id with a different content is a different notification: processed, and a departure
from BUTLER-NOTIFY-UNIQUE-ID. Steps wait for notifications with a deadline on a Condition.

It is a server on the network, guarded as one: it answers only POSTs to its own path (`/notifications/<token>`,
a random token or the profile's, so only who was told the callback URL can reach it), with a bounded body, a
bounded count per pick request and a bounded number of requests in flight. Anything else is answered 404, 405,
413 or 429 and counted as an *unexpected inbound request* in the report, without affecting any verdict.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pickconform.butler import spec
from pickconform.butler.lifecycle import LifecycleChecker
from pickconform.http.loopback import LoopbackServer
from pickconform.http.tap import LIVE, RECEIVER_ORIGIN, Tap

MAX_BODY_BYTES = 1024 * 1024  # a notification is a few KiB; the seed's largest example is under 4 KiB
MAX_PER_REQUEST = 500  # notifications about one pick request (a complete lifecycle is about a dozen)
MAX_IN_FLIGHT = 32  # requests handled at once; more are answered 429 at once
_NOT_JSON = object()
MAX_UNEXPECTED_KEPT = 20  # descriptions of unexpected inbound requests kept (all are counted)


@dataclass(frozen=True)
class Received:
    notification: dict[str, Any]
    external_id: str | None
    at: float  # time.monotonic() on arrival
    valid: bool = True  # matches specs/butler/notifications (an invalid one is recorded, not judged further)


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
    """Butler's notification source (`pickconform.butler.FAMILY.notifications`)."""

    PATH = "/notifications"
    external_id_of = staticmethod(external_id_of)  # whose a notification is: `diff` compares a scenario's own ones

    def __init__(
        self,
        checker: LifecycleChecker | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        offline: bool = False,
        token: str = "",
        tap: Tap = LIVE,
    ) -> None:
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
        self.unexpected_count = 0  # in all
        self._unexpected_pending = 0  # not yet taken into a test's report, and the first of them described
        self._unexpected: list[str] = []  # not yet taken into a test's report
        self._in_flight = 0
        self.offline = offline
        self.tap = tap  # a recording notes each notification; a replay delivers the recorded ones
        # Unguessable, and never recorded (cassettes canonicalise the callback URL): not a value the suite judges by.
        self.path = f"{self.PATH}/{token or secrets.token_urlsafe(24)}"
        if offline:
            self._server = None
            self.url = RECEIVER_ORIGIN + self.PATH
        else:
            methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
            app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=methods)])
            self._server = LoopbackServer(app, host, port, name="the notification receiver")
            self.url = f"http://{self._server.host}:{self._server.port}{self.path}"
            # Recorded without the random port and the per-run token: cassettes do not depend on either.
            tap.alias(self.url, RECEIVER_ORIGIN + self.PATH)

    def start(self) -> Receiver:
        if self._server is None:
            self.tap.receive_with(self.deliver)
        else:
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            self.tap.receive_with(None)
        else:
            self._server.stop()

    # --- what steps use ---------------------------------------------------------------------------------------

    def refuse_next(self, external_id: str, times: int = 1) -> None:
        """Answer 500 to the next `times` notifications about this request (to see them retried)."""
        with self.condition:
            self._refuse[external_id] = times

    def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Wait until `predicate()` (called under the lock) is truthy, or the deadline passes (then it is falsy).
        A replay does not wait: what the recording received by now has been delivered, and nothing else comes."""
        self.tap.deliver_due()
        with self.condition:
            return self.condition.wait_for(predicate, 0 if self.offline else timeout)

    def settle(self) -> None:
        """In a replay, deliver the recorded notifications that had arrived by now (live, they arrive by themselves)."""
        self.tap.deliver_due()

    # --- the callback -----------------------------------------------------------------------------------------

    def public_url(self, base: str) -> str:
        """The callback URL through a tunnel or proxy at `base`: the per-run path appended."""
        return base.rstrip("/") + self.path

    def take_unexpected(self) -> tuple[int, list[str]]:
        """How many unexpected inbound requests came since the last call, and the first few described (each is
        reported once)."""
        with self.condition:
            taken = (self._unexpected_pending, self._unexpected)
            self._unexpected_pending, self._unexpected = 0, []
            return taken

    def _unexpected_request(self, status: int, why: str, request: Request) -> Response:
        with self.condition:
            self.unexpected_count += 1
            self._unexpected_pending += 1
            if len(self._unexpected) < MAX_UNEXPECTED_KEPT:
                client = request.client.host if request.client else "?"
                self._unexpected.append(f"{request.method} from {client} answered {status}: {why}")
        return JSONResponse({"error": why}, status_code=status)

    async def _endpoint(self, request: Request) -> Response:
        if request.url.path != self.path:
            return self._unexpected_request(404, "not the callback path", request)
        if request.method != "POST":
            return self._unexpected_request(405, "not a POST", request)
        if self._in_flight >= MAX_IN_FLIGHT:
            return self._unexpected_request(429, f"more than {MAX_IN_FLIGHT} notifications in flight", request)
        self._in_flight += 1  # the event loop's thread only: no lock needed
        try:
            try:
                raw = await self._bounded_body(request)
            except ClientDisconnect:  # the sender gave up before its body was whole: nothing to judge
                return self._unexpected_request(400, "the sender disconnected before the body ended", request)
            if raw is None:
                return self._unexpected_request(413, f"body larger than {MAX_BODY_BYTES} bytes", request)
            # Judged in a worker thread: the suite's steps hold the lock while they call the target.
            status, answer = await asyncio.to_thread(self.deliver, self.PATH, raw)
            if status == 429:
                return self._unexpected_request(429, answer["error"], request)
            return JSONResponse(answer, status_code=status)
        finally:
            self._in_flight -= 1

    @staticmethod
    async def _bounded_body(request: Request) -> bytes | None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def deliver(self, path: str, raw: bytes) -> tuple[int, dict[str, str]]:
        """One notification POSTed to the callback (live) or replayed from a cassette: the status and body to answer."""
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            document = _NOT_JSON
        with self.condition:
            external_id = None if document is _NOT_JSON else external_id_of(document)
            if external_id is not None and len(self.by_request.get(external_id, ())) >= MAX_PER_REQUEST:
                return 429, {"error": f"more than {MAX_PER_REQUEST} notifications about pick request {external_id}"}
            # Recorded under the lock, where it is judged: its place among the suite's calls is the one it had here.
            self.tap.inbound(path, raw)
            if document is _NOT_JSON:
                self.checker.violation(
                    "BUTLER-NOTIFY-SCHEMA", None, f"a notification is not JSON: {raw[:200]!r}", anywhere=True
                )
                self.condition.notify_all()
                return 400, {"error": "not JSON"}
            outcome = self.accept(document)
            return (500 if outcome == "refused" else 200), {"outcome": outcome}

    def accept(self, document: Any) -> str:
        """Record and judge one notification: `accepted`, `repeat` (acknowledged, not processed again) or `refused`."""
        external_id = external_id_of(document)
        with self.condition:
            try:
                return self._accept(document, external_id)
            finally:
                self.condition.notify_all()

    def _accept(self, document: Any, external_id: str | None) -> str:
        data = document.get("notification_data") if isinstance(document, dict) else None
        kind = document.get("notification_type") if isinstance(document, dict) else None
        # An order_modification names its transaction (or, without an id, answers the oldest one), and the
        # transaction its request: that is whose scenario it belongs to.
        transaction = self.checker.outcome_of(data) if kind == "order_modification" else None
        if external_id is None and transaction is not None:
            external_id = transaction.external_id
        notification_id = document.get("notification_id") if isinstance(document, dict) else None
        if external_id is not None and self._refuse.get(external_id):
            self._refuse[external_id] -= 1
            self.refused.append((external_id, notification_id if isinstance(notification_id, str) else None))
            return "refused"
        content = json.dumps(document, sort_keys=True)
        if isinstance(notification_id, str) and notification_id in self._contents:
            if self._contents[notification_id] == content:
                self.repeats.append(Received(document, external_id, time.monotonic()))
                return "repeat"  # a retried delivery: acknowledged, not processed again
            self.checker.violation(
                "BUTLER-NOTIFY-UNIQUE-ID",
                external_id,
                f"notification_id {notification_id} names two different notifications:\n"
                f"  first: {self._contents[notification_id][:400]}\n  then:  {content[:400]}",
            )
        if isinstance(notification_id, str):
            self._contents[notification_id] = content
            self.checker.apply("BUTLER-NOTIFY-UNIQUE-ID", external_id)
        self.checker.apply("BUTLER-NOTIFY-SCHEMA", external_id)
        errors = spec.notification_errors(document)
        received = Received(document, external_id, time.monotonic(), valid=not errors)
        self.received.append(received)
        self.by_request[external_id].append(received)
        if errors:
            inferred_only = not spec.notification_errors(document, documented=True)
            self.checker.violation(
                "BUTLER-NOTIFY-SCHEMA",
                external_id,
                "a notification breaks specs/butler/notifications"
                + (" (only keywords pickconform inferred)" if inferred_only else "")
                + ":\n  "
                + "\n  ".join(errors[:5])
                + f"\n  notification: {content[:600]}",
                anywhere=True,  # checked whoever's it is; reported by its scenario, or by the next if no one's
                soft=inferred_only,
            )
        else:
            self.checker.observe(document, transaction)
        return "accepted"
