"""The one client factory: every request the suite sends goes through `make_client`, on the run's `Wire`.

Keeping a single place lets recording and replay wrap every transport (the wire's tap), holds every exchange to the
run's limits, lets every failure show the request and response that caused it, and keeps secrets out of what is
logged.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from pickconform._compat.httpx import set_content, wrap_network_backend
from pickconform.http import redaction
from pickconform.http.tap import LIVE, Tap, mark_once_per_session

USER_AGENT = "pickconform/0.1"
# The content codings `read_bounded` decodes within its limits (httpx's own default without brotli or zstandard):
# a body in any other coding is kept as it came, as httpx does with a coding it cannot decode.
ACCEPT_ENCODING = "gzip, deflate"
_BODY_LIMIT = 2000  # bytes of a body too large or too slow to read that are kept as evidence
_STEP = 64 * 1024  # the most one decompression step produces: a gzip bomb never inflates further than this at once


@dataclass(frozen=True)
class Limits:
    """What one exchange with a target may cost: the decoded body (compressed or not, counted while it streams) and
    the wall-clock time from sending the request to the last byte of the response (httpx's timeouts are per read, so
    a body dripped a byte at a time would never trip them)."""

    max_body: int = 8 * 1024 * 1024
    deadline: float = 30.0
    evidence: int = 4096  # characters of a body kept as evidence (terminal, reports); the full size is noted


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
    def from_response(cls, response: httpx.Response, *, body: bytes | None = None, note: str = "") -> Exchange:
        """The exchange, redacted; `body` and `note`: a response body not read to its end, its first bytes and why."""
        request = response.request
        limit = limits_of(request).evidence
        content_type = response.headers.get("content-type", "")
        if body is None:
            shown = redaction.body(_text(response.content), content_type)
        else:
            shown = redaction.fragment(_text(body[:_BODY_LIMIT]))
        return cls(
            method=request.method,
            url=str(request.url),
            request_headers=redaction.headers(dict(request.headers), credential_of(request)),
            request_body=_clip(redaction.body(_text(request.content), request.headers.get("content-type", "")), limit),
            status=response.status_code,
            response_headers=redaction.headers(dict(response.headers)),
            response_body=_clip(shown, limit) + (f" [{note}]" if note else ""),
        )

    @classmethod
    def partial(cls, response: httpx.Response, first: bytes, note: str) -> Exchange:
        """An exchange whose response body was not read to its end: its headers and first bytes."""
        return cls.from_response(response, body=first, note=note)

    def describe(self) -> str:
        lines = [f"> {self.method} {self.url}"]
        if self.request_body:
            lines.append(f"> {self.request_body}")
        lines.append(f"< {self.status} {self.response_headers.get('content-type', '')}".rstrip())
        if self.response_body:
            lines.append(f"< {self.response_body}")
        return "\n".join(lines)


class ExchangeLog:
    """The exchanges of the running test (thread-safe: races send from several threads): its first `head` (the
    set-up calls) and its latest `size`, each with the time it was logged, so the evidence of a test shows how it set
    up and how it ended, in order, beside its notifications.

    An exchange is redacted when it is read, not when it is added: most are never read (only a failing test's are
    shown), and redacting every body took a tenth of a replay. A response with a large body is redacted at once, so
    that the log never holds more than `_LAZY_BODY` bytes of body per exchange."""

    _LAZY_BODY = 64 * 1024

    def __init__(self, size: int = 50, head: int = 10) -> None:
        self._head: list[tuple[float, Exchange | httpx.Response]] = []
        self._head_size = head
        self._items: deque[tuple[float, Exchange | httpx.Response]] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.count = 0  # every exchange ever added, for the report's "how many exchanges a test made"

    def add(self, response: httpx.Response) -> None:
        item: Exchange | httpx.Response = response
        try:
            large = len(response.content) + len(response.request.content) > self._LAZY_BODY
        except httpx.RequestNotRead:  # a streamed request body: redacted now, as it is
            large = True
        if large:
            item = Exchange.from_response(response)
        with self._lock:
            if len(self._head) < self._head_size:
                self._head.append((time.monotonic(), item))
            else:
                self._items.append((time.monotonic(), item))
            self.count += 1

    def clear(self) -> None:
        with self._lock:
            self._head.clear()
            self._items.clear()

    def _held(self) -> list[tuple[float, Exchange | httpx.Response]]:
        with self._lock:
            return [*self._head, *self._items]

    def __iter__(self) -> Iterator[Exchange]:
        return iter([_exchange(item) for _, item in self._held()])

    def latest(self, count: int) -> list[Exchange]:
        """The last `count` exchanges, oldest first (only those are redacted now)."""
        items = self._held()[-count:] if count > 0 else []
        return [_exchange(item) for _, item in items]

    def timed(self, head: int, tail: int) -> list[tuple[float, Exchange]]:
        """The first `head` and the last `tail` exchanges held, oldest first, each with when it was logged
        (`time.monotonic()`), redacted."""
        items = self._held()
        chosen = items if len(items) <= head + tail else [*items[:head], *items[len(items) - tail :]]
        return [(at, _exchange(item)) for at, item in chosen]

    def last(self) -> Exchange | None:
        found = self.latest(1)
        return found[0] if found else None


def _exchange(item: Exchange | httpx.Response) -> Exchange:
    return item if isinstance(item, Exchange) else Exchange.from_response(item)


@dataclass(frozen=True)
class Wire:
    """What every client of a run shares: the limits of an exchange, the log of the running test's exchanges, and the
    tap that records or replays them. Each client's requests carry their wire (a request extension), so whatever sees
    only a request or a response (evidence, pacing) finds the run's limits and tap there."""

    log: ExchangeLog = field(default_factory=ExchangeLog)
    limits: Limits = Limits()
    tap: Tap = LIVE


WIRE_KEY = "pickconform_wire"  # the request extension carrying the wire of the client that sent it
CREDENTIAL_KEY = "pickconform_credential"  # the request extension naming its credential's slot (`http.auth`)


def wire_of(request: httpx.Request) -> Wire | None:
    wire = request.extensions.get(WIRE_KEY)
    return wire if isinstance(wire, Wire) else None


def limits_of(request: httpx.Request) -> Limits:
    wire = wire_of(request)
    return wire.limits if wire is not None else Limits()


def credential_of(request: httpx.Request) -> str:
    """The slot of the credential a request carries (see `pickconform.targets.slots`), "" if none is named."""
    return str(request.extensions.get(CREDENTIAL_KEY) or "")


def fast_transport(limits: Limits = Limits()) -> httpx.BaseTransport:
    """The transport of every client: Nagle's algorithm off (httpx writes headers and body separately, and on loopback
    the second write would otherwise wait ~40 ms for the peer's delayed ACK, on every POST), and every socket operation
    of an exchange within the exchange's deadline (see `BoundedTransport`)."""
    options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    return BoundedTransport(httpx.HTTPTransport(verify=_tls_context(), socket_options=options), limits)


@functools.cache
def _tls_context() -> Any:
    """httpx's default TLS context (certifi's CAs, or SSL_CERT_FILE/SSL_CERT_DIR), built once per process: httpx builds
    one for every transport, and loading the CA bundle took ~40 ms a client (a run makes dozens)."""
    return httpx.create_ssl_context()


def make_client(
    base_url: str,
    wire: Wire,
    *,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client of the run's `wire`: its exchanges are bounded by the wire's limits, logged in its log (redacted),
    and go through its tap."""

    def record(response: httpx.Response) -> None:
        read_bounded(response, wire.limits)
        wire.log.add(response)

    def before_send(request: httpx.Request) -> None:
        request.extensions["pickconform_sent"] = time.monotonic()
        request.extensions[WIRE_KEY] = wire
        mark_once_per_session(request)

    return httpx.Client(
        base_url=base_url,
        auth=auth,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, **(headers or {})},
        timeout=min(timeout, wire.limits.deadline),
        transport=wire.tap.transport(transport or fast_transport(wire.limits)),
        event_hooks={"request": [before_send], "response": [record]},
    )


def read_bounded(response: httpx.Response, limits: Limits) -> None:
    """Read and decode the body within the limits, or close the response and raise `TargetMisbehaved`."""
    sent = response.request.extensions.get("pickconform_sent", time.monotonic())
    chunks: list[bytes] = []
    size = 0

    def misbehaved(note: str) -> TargetMisbehaved:
        response.close()
        first = b"".join(chunks)[:_BODY_LIMIT]
        chunks.clear()  # a failing test's traceback keeps this frame alive: it must not keep the body too
        return TargetMisbehaved(note, Exchange.partial(response, first, note))

    if response.is_stream_consumed:  # built in memory (a mock transport's answer): httpx has decoded it already
        if len(response.content) > limits.max_body:
            raise misbehaved(f"response larger than {limits.max_body} bytes")
        return
    encoding = response.headers.get("content-encoding", "")
    decoder = BodyDecoder(encoding)
    try:
        # The raw bytes are decoded here, a bounded step at a time, not by httpx: httpx inflates each chunk the socket
        # gives it whole, and 64 KiB of a gzip bomb are 64 MiB of body.
        for chunk in decoder.decode_all(response.iter_raw()):
            size += len(chunk)
            if size > limits.max_body:
                raise misbehaved(f"response larger than {limits.max_body} bytes")
            if time.monotonic() - sent > limits.deadline:
                raise misbehaved(f"response not complete within {limits.deadline:g} s")
            chunks.append(chunk)
    except zlib.error as error:
        raise misbehaved(f"response body is not valid {encoding}: {error}") from None
    except httpx.TransportError as error:
        if isinstance(error, TargetMisbehaved):
            raise
        if isinstance(error, httpx.TimeoutException):
            note = f"response not complete within {limits.deadline:g} s"
        elif isinstance(error.__cause__, _TooLarge):
            note = f"response larger than {limits.max_body} bytes"
        else:  # the connection closed or broke mid-body: what arrived until then is the evidence
            note = f"response body broken off: {type(error).__name__}: {error}"
        raise misbehaved(note) from None
    set_content(response, b"".join(chunks))


class BodyDecoder:
    """Undoes a response's content codings chunk by chunk, never producing more than `_STEP` bytes at once, so whoever
    reads its output can stop at a size limit before a compressed body has inflated any further."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        # Applied in the order listed, so undone in reverse; a coding we cannot decode is kept (httpx does the same).
        self._layers = [_Inflate(_WBITS[c]) for c in reversed(codings) if c in _WBITS]
        self.complete = all(c in _WBITS or c == "identity" for c in codings)  # every coding is undone

    def decode_all(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        for data in raw:
            yield from self._through(0, [data])
        for index, layer in enumerate(self._layers):
            yield from self._through(index + 1, layer.flush())

    def _through(self, start: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for layer in self._layers[start:]:
            pieces = layer.feed(pieces)
        return iter(pieces)


_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


def decode_within(body: bytes, content_encoding: str, limit: int) -> bytes | None:
    """A whole body with its content codings undone, or None when it cannot be: a coding we do not decode, data that
    is not valid, or more than `limit` bytes once decoded (inflating stops there)."""
    decoder = BodyDecoder(content_encoding)
    if not decoder.complete:
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in decoder.decode_all([body]):
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    except zlib.error:
        return None
    return b"".join(chunks)


class _Inflate:
    """One gzip or deflate layer. `deflate` is meant to be zlib-wrapped but is often sent raw: like httpx, a first
    chunk that is not zlib is read as raw deflate."""

    def __init__(self, wbits: int) -> None:
        self._inflater = zlib.decompressobj(wbits)
        self._raw_fallback = wbits == zlib.MAX_WBITS
        self._started = False

    def feed(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for data in pieces:
            first, self._started = not self._started, True
            try:
                out = self._inflater.decompress(data, _STEP)
            except zlib.error:
                if not (first and self._raw_fallback):
                    raise
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._inflater.decompress(data, _STEP)
            while out:  # what did not fit in one step waits in `unconsumed_tail` (or, at its end, in zlib itself)
                yield out
                out = self._inflater.decompress(self._inflater.unconsumed_tail, _STEP)

    def flush(self) -> Iterator[bytes]:
        if rest := self._inflater.flush():  # nothing is left once `feed` has drained its steps; kept for zlib's sake
            yield rest


# --- deadlines: every socket operation of an exchange waits at most until the exchange's deadline ----------------


@dataclass
class _Budget:
    """What one exchange may still spend at its socket: the wall clock up to its deadline, and raw bytes (a safety net
    for whatever reads the raw stream whole before `read_bounded` sees it: vcrpy's recorder does)."""

    deadline: float
    seconds: float
    raw_left: int
    max_body: int

    def wait(self, timeout: float | None, late: type[httpcore.TimeoutException]) -> float:
        """The timeout for the next socket operation: httpx's own (per operation), cut to what the deadline leaves."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise late(self.late())
        return remaining if timeout is None else min(timeout, remaining)

    def late(self) -> str:
        return f"no complete response within the request deadline of {self.seconds:g} s"


_EXCHANGE: ContextVar[_Budget | None] = ContextVar("pickconform_exchange", default=None)


@contextlib.contextmanager
def _spending(budget: _Budget) -> Iterator[None]:
    token = _EXCHANGE.set(budget)
    try:
        yield
    finally:
        _EXCHANGE.reset(token)


class _TooLarge(httpcore.ReadError):
    """More raw bytes than any body within the limits can take (httpx reports it as a `ReadError`)."""


class _BoundedStream(httpcore.NetworkStream):
    """A connection's socket, spending the budget of whichever exchange uses it (none outside an exchange)."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _EXCHANGE.get()
        if budget is None:
            return self._stream.read(max_bytes, timeout)
        wait = budget.wait(timeout, httpcore.ReadTimeout)
        try:
            data = self._stream.read(max_bytes, wait)
        except httpcore.ReadTimeout:
            if timeout is None or wait < timeout:  # the deadline, not httpx's own timeout, ran out
                raise httpcore.ReadTimeout(budget.late()) from None
            raise
        budget.raw_left -= len(data)
        if budget.raw_left < 0:
            raise _TooLarge(f"response larger than {budget.max_body} bytes (more than that arrived on the wire)")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _EXCHANGE.get()
        if budget is None:
            return self._stream.write(buffer, timeout)
        for start in range(0, len(buffer), _STEP):  # a peer that reads slowly gets the deadline, not one per send
            self._stream.write(buffer[start : start + _STEP], budget.wait(timeout, httpcore.WriteTimeout))
        return None

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, _connect_timeout(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _connect_timeout(timeout: float | None) -> float | None:
    """A connect (or TLS handshake) waits at most what is left of the running exchange's deadline."""
    budget = _EXCHANGE.get()
    return timeout if budget is None else budget.wait(timeout, httpcore.ConnectTimeout)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _connect_timeout(timeout), local_address, socket_options)
        return _BoundedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _BoundedStream(self._backend.connect_unix_socket(path, _connect_timeout(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class BoundedTransport(httpx.BaseTransport):
    """An `httpx.HTTPTransport` whose every exchange has a wall-clock deadline, `limits.deadline` from sending the
    request to the last byte of the response: connecting, writing and each read wait at most what is left of it.
    httpx's timeouts are per operation, so a target that answers a byte at a time, or never, would hold the run for as
    long as it likes. The deadline also holds for whatever reads the stream before `read_bounded` (vcrpy's recorder)."""

    def __init__(self, inner: httpx.HTTPTransport, limits: Limits) -> None:
        wrap_network_backend(inner, _BoundedBackend)
        self._inner, self._limits = inner, limits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = request.extensions.get("pickconform_sent") or time.monotonic()
        limits = self._limits
        budget = _Budget(sent + limits.deadline, limits.deadline, 2 * limits.max_body + 1024 * 1024, limits.max_body)
        with _spending(budget):
            response = self._inner.handle_request(request)
        response.stream = _BudgetedStream(response.stream, budget)
        return response

    def close(self) -> None:
        self._inner.close()


class _BudgetedStream(httpx.SyncByteStream):
    """The response body's stream, read within its exchange's budget. The budget is set around each step only, never
    across a `yield`: a generator shares its caller's context."""

    def __init__(self, stream: httpx.SyncByteStream, budget: _Budget) -> None:
        self._stream, self._budget = stream, budget

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._stream)
        while True:
            with _spending(self._budget):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        with _spending(self._budget):
            self._stream.close()


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
