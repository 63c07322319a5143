"""Where recording and replay plug into the suite's HTTP: a `Tap`, handed to every client as part of its `Wire`.

The client factory, the credentials, the pacing of polls and the Butler receiver know nothing of cassettes: they talk
to a tap. Live, it is `LIVE`, which changes nothing. With `--record` or `--replay`, it is the session's cassette
recorder (`pickconform.cassettes.Recorder`), which wraps each client's transport (as httpx would have it: recording is
a transport), notes the inbound requests the target sends to the suite, and replays them when they fall due.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Protocol

import httpx

__all__ = [
    "LIVE",
    "RECEIVER_ORIGIN",
    "InboundSink",
    "Live",
    "Tap",
    "made_once_per_session",
    "mark_once_per_session",
    "once_per_session",
]

# Where the suite's notification receiver is, as recorded (and in a replay, which has no receiver listening): the
# callback URL the suite registers is in request bodies, and must not depend on a loopback port or a per-run token.
RECEIVER_ORIGIN = "http://receiver.pickconform.invalid"

InboundSink = Callable[[str, bytes], Any]  # the receiver's `deliver(path, body)`


class Tap(Protocol):
    """What the suite's HTTP asks of recording and replay."""

    @property
    def replaying(self) -> bool:
        """Responses come from cassettes: nothing waits for real time, nothing arrives by itself."""
        ...

    def transport(self, inner: httpx.BaseTransport) -> httpx.BaseTransport:
        """The transport a client sends through: `inner` itself, or one recording or replaying around it."""
        ...

    def can_replay(self, request: httpx.Request) -> bool:
        """Whether a replay still holds a response, not yet played, for this request (it polled no further)."""
        ...

    def alias(self, live: str, canonical: str) -> None:
        """Store the URL `live` (the receiver's callback URL, with its port and token) as `canonical`."""
        ...

    def inbound(self, path: str, body: bytes) -> None:
        """Note a request the target sent to the suite, where the suite judges it: its place is taken then."""
        ...

    def deliver_due(self) -> None:
        """In a replay, hand the receiver the recorded inbound requests that had arrived by now."""
        ...

    def receive_with(self, sink: InboundSink | None) -> None:
        """Where a replay delivers inbound requests (the offline receiver), or None when it stops."""
        ...


class Live:
    """The tap of a run that neither records nor replays: every exchange goes straight to the target."""

    replaying = False

    def transport(self, inner: httpx.BaseTransport) -> httpx.BaseTransport:
        return inner

    def can_replay(self, request: httpx.Request) -> bool:
        return False

    def alias(self, live: str, canonical: str) -> None:
        pass

    def inbound(self, path: str, body: bytes) -> None:
        pass

    def deliver_due(self) -> None:
        pass

    def receive_with(self, sink: InboundSink | None) -> None:
        pass


LIVE: Tap = Live()

# Exchanges made once per session (a token, the target's capabilities, the callback registration) are recorded in
# whichever test needs them first and offered to every test in a replay. The marker is context-local (each thread and
# each task has its own), set only around the call that makes such an exchange.
_ONCE: ContextVar[bool] = ContextVar("pickconform_once_per_session", default=False)
ONCE_KEY = "pickconform_once_per_session"  # the request extension the client sets from it


@contextlib.contextmanager
def once_per_session() -> Iterator[None]:
    """Around an exchange made once per session, by whichever test needs it first."""
    token = _ONCE.set(True)
    try:
        yield
    finally:
        _ONCE.reset(token)


def mark_once_per_session(request: httpx.Request) -> None:
    """Called by the client as a request is sent: carry the marker on the request, where a tap sees it."""
    if _ONCE.get():
        request.extensions[ONCE_KEY] = True


def made_once_per_session(request: httpx.Request) -> bool:
    return bool(request.extensions.get(ONCE_KEY))
