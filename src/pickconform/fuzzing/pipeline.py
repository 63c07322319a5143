"""A fuzz test's independent cases, sent concurrently: across a network the time of a fuzz test is its cases times the
round trip, and Hypothesis draws the next case while earlier ones are still in flight.

Schemathesis calls the test once per case; the test hands `Pipeline.submit` the sending and judging of its case,
which runs in one of `width` threads while the test returns for the next case. The cases and their order are
Hypothesis' own (derandomised, reproducible); only their answers may come back in another order. Judging needs no
order: every check records what it finds (`verdict.record`, thread-safe) without raising. An exchange the target
broke ends the test as it does one case at a time (`fuzzing.send`): the next case submitted raises it, within
Hypothesis. The test's call then waits for the cases in flight (`finish`, from the plugin), so its verdict holds all
of them.

With cassettes the width is 1 (the case runs at once, in the test's own thread): a recording keeps its exchanges in
the order the cases were drawn, so it is deterministic, and a replay answers them in that order. Against the embedded
reference too: on loopback there is no round trip to overlap.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable

from pickconform import verdict

__all__ = ["LIVE_WIDTH", "Pipeline"]

# Cases in flight at once against a live target. The round trip, not the target, sets a fuzz test's time across a
# network (~200 cases at 100 ms: 20 s one at a time, ~1.3 s sixteen at a time); Hypothesis drawing the cases, not
# sending them, is then the limit (~6 s of CPU for the largest Butler test). A target answers them as it answers
# any sixteen clients.
LIVE_WIDTH = 16


class Pipeline:
    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._in_flight: list[concurrent.futures.Future[None]] = []
        self._failed: list[BaseException] = []
        self._lock = threading.Lock()
        self.submitted = 0

    def submit(self, send_and_judge: Callable[[], None]) -> None:
        """Send and judge one case: at once with width 1, else in a thread once fewer than `width` are in flight."""
        findings = verdict.current()
        if findings is not None and findings.broken is not None:
            raise findings.broken  # the target broke an exchange: the test's judging ends, as `fuzzing.send` says
        with self._lock:
            if self._failed:
                raise self._failed[0]
        self.submitted += 1
        if self.width == 1:
            send_and_judge()
            return
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self.width, thread_name_prefix="pickconform-fuzz")
        if len(self._in_flight) >= self.width:
            concurrent.futures.wait(self._in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
            self._collect()
        self._in_flight.append(self._pool.submit(send_and_judge))

    def _collect(self) -> None:
        done = [future for future in self._in_flight if future.done()]
        self._in_flight = [future for future in self._in_flight if not future.done()]
        for future in done:
            error = future.exception()
            if error is not None:
                with self._lock:
                    self._failed.append(error)

    def close(self) -> None:
        """Wait for the cases in flight (their findings are recorded), and stop the threads."""
        if self._in_flight:
            concurrent.futures.wait(self._in_flight)
            self._collect()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def finish(self) -> None:
        """`close`, then raise the first error a case raised in its thread (a broken exchange, a suite error)."""
        self.close()
        if self._failed:
            raise self._failed[0]
