"""Webhook delivery of the Butler reference over real HTTP: retries (500, timeout), bounded attempts, order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pickconform.butler.api import pick_request
from pickconform.butler.receiver import Receiver
from pickconform.reference.butler.delivery import Delivery
from pickconform.reference.butler.store import ButlerStore
from pickconform.reference.mutants import Faults


@pytest.fixture
def store() -> ButlerStore:
    return ButlerStore(Faults())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def deliver(store: ButlerStore, url: str, **options: Any) -> Delivery:
    store.set_setting("callback_url", url)
    delivery = Delivery(store, Faults(), **options)
    delivery.start()
    return delivery


def create(store: ButlerStore, delivery: Delivery, receiver: Receiver | None, external_id: str, sku: str) -> None:
    if receiver is not None:
        receiver.checker.created(external_id)
    store.create(pick_request(external_id, [(f"{external_id}_1", sku, 1)]))
    delivery.wake()


def outbox(store: ButlerStore) -> list[tuple[str, int]]:
    with store.db.read() as conn:
        return [(r["status"], r["attempts"]) for r in conn.execute("SELECT status, attempts FROM outbox ORDER BY seq")]


def settled(store: ButlerStore, expected: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The outbox once it reads `expected` (it is marked just after the callback answers), or at the deadline."""
    deadline = time.monotonic() + 5
    while outbox(store) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return outbox(store)


def test_a_refused_notification_is_retried_with_the_same_id(store: ButlerStore, receiver: Receiver) -> None:
    delivery = deliver(store, receiver.url)
    try:
        receiver.refuse_next("A", times=2)
        create(store, delivery, receiver, "A", "NONE")
        assert receiver.wait_for(lambda: receiver.by_request.get("A"), 5)
        (accepted,) = receiver.by_request["A"]
        assert [nid for _, nid in receiver.refused] == [accepted.notification["notification_id"]] * 2
        assert settled(store, [("delivered", 3)]) == [("delivered", 3)]
    finally:
        delivery.close()


def test_attempts_are_bounded(store: ButlerStore, receiver: Receiver) -> None:
    delivery = deliver(store, receiver.url, attempts=3)
    try:
        receiver.refuse_next("A", times=100)
        create(store, delivery, receiver, "A", "NONE")
        assert receiver.wait_for(lambda: len(receiver.refused) == 3, 5)
        assert settled(store, [("failed", 3)]) == [("failed", 3)]
    finally:
        delivery.close()


class _SlowOnce(BaseHTTPRequestHandler):
    """Answers the first POST too late (after the delivery timeout), every later one at once."""

    calls: list[float] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            self.calls.append(time.monotonic())
            first = len(self.calls) == 1
        if first:
            time.sleep(0.5)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_timeout_is_retried(store: ButlerStore) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowOnce)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    delivery = deliver(store, f"http://127.0.0.1:{server.server_address[1]}/", timeout=0.1)
    try:
        create(store, delivery, None, "A", "NONE")
        assert settled(store, [("delivered", 2)]) == [("delivered", 2)]
        assert len(_SlowOnce.calls) == 2
    finally:
        delivery.close()
        server.shutdown()


def test_order_is_kept_while_a_notification_is_retried(store: ButlerStore, receiver: Receiver) -> None:
    delivery = deliver(store, receiver.url)
    try:
        receiver.refuse_next("A", times=2)
        for name in ("A", "B", "C"):
            store.put_inventory(f"SKU-{name}", 1)
            create(store, delivery, receiver, name, f"SKU-{name}")
            store.reach_first_rack(name)
        delivery.wake()
        assert receiver.wait_for(lambda: len(receiver.received) == 6, 5)
        arrived = [(r.external_id, r.notification["notification_data"]["state"]) for r in receiver.received]
        assert arrived == [
            (name, state) for name in ("A", "B", "C") for state in ("fulfillable", "cancellation_locked")
        ]
        assert receiver.checker.findings == []
    finally:
        delivery.close()


def test_every_notification_gets_its_own_id(store: ButlerStore, receiver: Receiver) -> None:
    delivery = deliver(store, receiver.url)
    try:
        for name in ("A", "B"):
            store.put_inventory(name, 1)
            create(store, delivery, receiver, name, name)
            store.reach_first_rack(name)
            delivery.wake()
        assert receiver.wait_for(lambda: len(receiver.received) == 4, 5)
        ids = [r.notification["notification_id"] for r in receiver.received]
        assert len(set(ids)) == 4 and receiver.repeats == []
    finally:
        delivery.close()
