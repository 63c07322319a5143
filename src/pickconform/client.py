"""The one client factory: every request the suite sends goes through `make_client`.

Keeping a single place lets cassettes hook recording and replay in later, lets every failure show the request and
response that caused it, and keeps secrets out of what is logged.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from pickconform import cassettes, compat, redaction

USER_AGENT = "pickconform/0.1"
_BODY_LIMIT = 2000  # bytes of a body too large or too slow to read that are kept as evidence


@dataclass(frozen=True)
class Limits:
    """What one exchange with a target may cost: the decoded body (compressed or not, counted while it streams) and
    the wall-clock time from sending the request to the last byte of the response (httpx's timeouts are per read, so
    a body dripped a byte at a time would never trip them)."""

    max_body: int = 8 * 1024 * 1024
    deadline: float = 30.0
    evidence: int = 4096  # characters of a body kept as evidence (terminal, reports); the full size is noted


LIMITS = Limits()  # the run's limits: the profile's [target] table may change them (`configure`)


def configure(limits: Limits) -> None:
    global LIMITS
    LIMITS = limits


class TargetMisbehaved(httpx.TransportError):
    """The target broke the limits of an exchange (a body too large, a response too slow): judged on the test's
    requirement, with the headers and the first bytes as evidence, never read to the end."""

    def __init__(self, message: str, exchange: Exchange) -> None:
        super().__init__(message)
        self.exchange = exchange


@dataclass(frozen=True)
class Exchange:
    """One request and its response, redacted, for failure messages and reports."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: dict[str, str]
    response_body: str

    @classmethod
    def from_response(cls, response: httpx.Response) -> Exchange:
        request = response.request
        return cls(
            method=request.method,
            url=str(request.url),
            request_headers=redaction.headers(dict(request.headers)),
            request_body=_clip(redaction.body(_text(request.content), request.headers.get("content-type", ""))),
            status=response.status_code,
            response_headers=redaction.headers(dict(response.headers)),
            response_body=_clip(redaction.body(_text(response.content), response.headers.get("content-type", ""))),
        )

    @classmethod
    def partial(cls, response: httpx.Response, first: bytes, note: str) -> Exchange:
        """An exchange whose response body was not read to its end: its headers and first bytes."""
        request = response.request
        return cls(
            method=request.method,
            url=str(request.url),
            request_headers=redaction.headers(dict(request.headers)),
            request_body=_clip(redaction.body(_text(request.content), request.headers.get("content-type", ""))),
            status=response.status_code,
            response_headers=redaction.headers(dict(response.headers)),
            response_body=_clip(_text(first[:_BODY_LIMIT])) + f" [{note}]",
        )

    def describe(self) -> str:
        lines = [f"> {self.method} {self.url}"]
        if self.request_body:
            lines.append(f"> {self.request_body}")
        lines.append(f"< {self.status} {self.response_headers.get('content-type', '')}".rstrip())
        if self.response_body:
            lines.append(f"< {self.response_body}")
        return "\n".join(lines)


class ExchangeLog:
    """The latest exchanges of the running test (thread-safe: races send from several threads)."""

    def __init__(self, size: int = 50) -> None:
        self._items: deque[Exchange] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.count = 0  # every exchange ever added, for the report's "how many exchanges a test made"

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)
            self.count += 1

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._items))

    def last(self) -> Exchange | None:
        with self._lock:
            return self._items[-1] if self._items else None


def fast_transport() -> httpx.HTTPTransport:
    """A transport with Nagle's algorithm off: httpx writes headers and body separately, and on loopback the second
    write would otherwise wait ~40 ms for the peer's delayed ACK, on every POST."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def make_client(
    base_url: str,
    *,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
    log: ExchangeLog | None = None,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    def record(response: httpx.Response) -> None:
        read_bounded(response, LIMITS)
        if log is not None:
            log.add(Exchange.from_response(response))

    def before_send(request: httpx.Request) -> None:
        request.extensions["pickconform_sent"] = time.monotonic()
        # In a replay, notifications the recording had received before this request are delivered first.
        cassettes.replay_inbound()

    return httpx.Client(
        base_url=base_url,
        auth=auth,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        timeout=min(timeout, LIMITS.deadline),
        transport=transport or fast_transport(),
        event_hooks={"request": [before_send], "response": [record]},
    )


def read_bounded(response: httpx.Response, limits: Limits) -> None:
    """Read the body within the limits, or close the response and raise `TargetMisbehaved`."""
    sent = response.request.extensions.get("pickconform_sent", time.monotonic())
    chunks: list[bytes] = []
    size = 0

    def misbehaved(note: str) -> TargetMisbehaved:
        response.close()
        first = b"".join(chunks)[:_BODY_LIMIT]
        chunks.clear()  # a failing test's traceback keeps this frame alive: it must not keep the body too
        return TargetMisbehaved(note, Exchange.partial(response, first, note))

    # Decoded chunk by chunk: a compressed chunk of the socket's read size inflates to a bounded size, so a gzip bomb
    # is stopped after a few of them, not after it has filled the memory.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_body:
            raise misbehaved(f"response larger than {limits.max_body} bytes")
        if time.monotonic() - sent > limits.deadline:
            raise misbehaved(f"response not complete within {limits.deadline:g} s")
        chunks.append(chunk)
    compat.set_content(response, b"".join(chunks))


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _clip(text: str) -> str:
    limit = LIMITS.evidence
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
