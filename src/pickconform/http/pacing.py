"""Waiting for asynchronous work: real time against a live target, the recording's time in a replay.

A replay answers every poll at once and knows when the recording stopped polling, so it neither sleeps nor waits for
a deadline: it makes the recorded polls, in the recorded order, as fast as the cassette answers them.
"""

from __future__ import annotations

import time

import httpx

from pickconform.http.client import wire_of


class Patience:
    """How long to wait for one piece of a target's asynchronous work (a pick list, a recalculation job): the
    profile's poll timeout, until some work of the target did not finish within it. From then on each wait gets a
    third of it: the target has shown it does not finish in time, and waiting the whole timeout in every further
    scenario would only hold the run (the time to a verdict against a stuck target). Each verdict says how long its
    wait was (`last`)."""

    SHORTENED = 3

    def __init__(self, timeout: float) -> None:
        self.full, self.exhausted, self.last = timeout, False, timeout

    def deadline(self) -> float:
        self.last = self.full / self.SHORTENED if self.exhausted else self.full
        return time.monotonic() + self.last

    def ran_out(self) -> None:
        self.exhausted = True


def pause(seconds: float, after: httpx.Response) -> None:
    """Wait before the next poll; a replay (whose `after` came from a cassette) does not."""
    wire = wire_of(after.request)
    if wire is None or not wire.tap.replaying:
        time.sleep(seconds)


def deadline_passed(deadline: float, last: httpx.Response) -> bool:
    """Live: the clock says so. Replay: the recording polled no further after this response."""
    wire = wire_of(last.request)
    if wire is not None and wire.tap.replaying:
        return not wire.tap.can_replay(last.request)
    return time.monotonic() > deadline
