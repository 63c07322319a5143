"""Waiting for asynchronous work: real time against a live target, the recording's time in a replay.

A replay answers every poll at once and knows when the recording stopped polling, so it neither sleeps nor waits for
a deadline: it makes the recorded polls, in the recorded order, as fast as the cassette answers them.
"""

from __future__ import annotations

import time

import httpx

from pickconform import cassettes


def pause(seconds: float) -> None:
    if not cassettes.replaying():
        time.sleep(seconds)


def deadline_passed(deadline: float, last: httpx.Response) -> bool:
    """Live: the clock says so. Replay: the recording polled no further after this response."""
    if cassettes.replaying():
        return not cassettes.can_replay(last.request)
    return time.monotonic() > deadline
