"""Webhook delivery: a background thread POSTs the outbox to the registered callback, in order, with bounded retries.

Head-of-line delivery (the oldest pending notification first, retried until acknowledged or given up) keeps the
order of every request's notifications; an Event wakes the thread as soon as something is written, so a
notification leaves within milliseconds of the change that caused it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import httpx

from pickconform.reference.butler import mutants as m
from pickconform.reference.butler.store import ButlerStore
from pickconform.reference.mutants import Faults

VERSION = "1.5.0"


class Delivery:
    def __init__(
        self, store: ButlerStore, faults: Faults, *, attempts: int = 5, timeout: float = 2.0, backoff: float = 0.01
    ) -> None:
        self.store, self.faults = store, faults
        self.attempts, self.backoff = attempts, backoff
        # TCP_NODELAY: headers and body leave in separate writes, and Nagle would hold the body for a delayed ACK.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self._client = httpx.Client(timeout=timeout, headers={"Content-Type": "application/json"}, transport=transport)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="butler-delivery", daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive():
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._client.close()

    def envelope(self, row: Any) -> dict[str, Any]:
        # The outbox sequence makes every id unique, and a retry repeats the same id with the same content.
        notification_id = f"butler_core:{row['seq']:08x}"
        if self.faults.active(m.NOTIFICATION_ID_PER_REQUEST):
            notification_id = f"butler_core:{row['request_id']:08x}"
        type_key = "notificationType" if self.faults.active(m.ENVELOPE_CAMEL_CASE) else "notification_type"
        envelope = {
            type_key: row["notification_type"],
            "version_number": VERSION,
            "notification_id": notification_id,
            "notification_data": json.loads(row["data"]),
        }
        if self.faults.active(m.EXTRA_FIELDS):  # what a newer platform might add: nothing the seed forbids
            envelope["notification_timestamp"] = row["seq"]
            envelope["notification_data"]["platform_priority"] = 1
        return envelope

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking, so a write after the look is not missed
            with self.store.db.read() as conn:
                row = conn.execute("SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT 1").fetchone()
            if row is None:
                self._wake.wait()
                continue
            delay = row["due_at"] - time.monotonic()
            if delay > 0:
                self._wake.wait(delay)
                continue
            self._deliver(row)

    def _deliver(self, row: Any) -> None:
        url = self.store.setting("callback_url")
        if not url:
            self._mark(row["seq"], "dropped", row["attempts"], 0)  # nobody to tell: no callback registered
            return
        if self.faults.active(m.FEW_SLOW_RETRIES):
            time.sleep(0.05)  # a slower platform: every delivery leaves a little later
        try:
            acknowledged = self._client.post(url, content=json.dumps(self.envelope(row))).is_success
        except httpx.HTTPError:
            acknowledged = False  # a timeout or a refused connection counts as not acknowledged
        attempts = row["attempts"] + 1
        most, backoff = self.attempts, self.backoff
        if self.faults.active(m.FEW_SLOW_RETRIES):
            most, backoff = 2, 0.5
        if acknowledged:
            self._mark(row["seq"], "delivered", attempts, 0)
        elif attempts >= most or self.faults.active(m.NO_RETRY):
            self._mark(row["seq"], "failed", attempts, 0)
        else:
            self._mark(row["seq"], "pending", attempts, time.monotonic() + backoff * 2 ** (attempts - 1))

    def _mark(self, seq: int, status: str, attempts: int, due_at: float) -> None:
        with self.store.db.write() as conn:
            conn.execute(
                "UPDATE outbox SET status = ?, attempts = ?, due_at = ? WHERE seq = ?", (status, attempts, due_at, seq)
            )
