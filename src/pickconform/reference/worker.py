"""The reference implementation's background job runner: real threads, woken when the next piece of work is due."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

IDLE_WAIT = 0.02


class DueWorker:
    """Runs `finish_due()` until closed; it does the work that is due and returns when the next is (monotonic)."""

    def __init__(self, name: str, finish_due: Callable[[], float | None]) -> None:
        self._finish_due = finish_due
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            next_due = self._finish_due()
            wait = IDLE_WAIT if next_due is None else max(0.001, min(IDLE_WAIT, next_due - time.monotonic()))
            self._stop.wait(wait)

    def start(self) -> None:
        if not self._thread.is_alive():
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
