"""Recording and replaying a session: the `Recorder` is the session's tap (`pickconform.http.tap.Tap`), each client's
transport goes through it, and it keeps the running test's cassette (`Recording`).

Recording is a transport, as httpx would have it: `Recorder.transport` wraps the client's real transport, so vcrpy
patches nothing and nothing the suite's clients do not send (the embedded target's own deliveries) is ever recorded.
vcrpy still holds and matches the interactions: a cassette is vcrpy's `Cassette`, loaded and saved through the
suite's persister.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from vcr import matchers
from vcr.cassette import Cassette
from vcr.errors import CannotOverwriteExistingCassetteException, UnhandledHTTPRequestError
from vcr.record_mode import RecordMode
from vcr.request import Request
from vcr.serializers import jsonserializer

from pickconform.cassettes.files import AtomicPersister, Metadata, cassette_path, shared_exchanges, spec_digests
from pickconform.cassettes.filters import Filters
from pickconform.cassettes.playback import CassetteMiss, NetworkBlocked, StaleCassette, index_playback
from pickconform.http import redaction
from pickconform.http.client import Limits, credential_of
from pickconform.http.tap import InboundSink, made_once_per_session

__all__ = ["MATCH_ON", "MODES", "Recorder", "Recording"]

# vcrpy logs every interaction it appends at INFO, bodies included, before and after our redaction.
logging.getLogger("vcr").setLevel(logging.WARNING)

MODES = ("record", "replay")
MATCH_ON = ("method", "path", "query", "body")


class Recording:
    """The cassette of the test now running (a process runs one test at a time; xdist workers are processes), and
    the inbound requests it holds."""

    def __init__(self, mode: str, cassette: Cassette, persister: AtomicPersister) -> None:
        self.mode, self.cassette, self.persister = mode, cassette, persister
        self.inbound = persister.inbound  # record: appended to as requests arrive; replay: consumed as they fall due
        self.shared = persister.shared_indices  # record: indices of the interactions made once per session
        self.shared_plays = 0  # replay: such exchanges played (they need not happen in the same test)
        self.lock = threading.Lock()

    def exchanges(self) -> int:
        """How many of the test's own outbound exchanges are done: an inbound request's place among them."""
        if self.mode == "replay":
            return self.cassette.play_count - self.shared_plays
        return len(self.cassette.data) - len(self.shared)

    def append(self, request: Request, response: dict[str, Any], shared: bool) -> None:
        with self.lock:
            before = len(self.cassette.data)
            self.cassette.append(request, response)
            if shared and len(self.cassette.data) > before:
                self.shared.append(before)

    def play(self, request: Request, shared: bool) -> dict[str, Any]:
        with self.lock:
            try:
                response: dict[str, Any] = self.cassette.play_response(request)
            except UnhandledHTTPRequestError:  # vcrpy's own message would show the request unredacted
                raise CannotOverwriteExistingCassetteException(cassette=self.cassette, failed_request=request) from None
            self.shared_plays += shared
            return response


class Recorder:
    """Cassettes of one session: a directory, a mode, what every cassette records as its metadata, and the test
    now running. The session's tap: every client of the run sends through `transport`."""

    def __init__(
        self,
        directory: Path,
        mode: str,
        metadata: Metadata | None = None,
        *,
        fail_stale: bool = False,
        limits: Limits | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"cassette mode must be one of {MODES}, not {mode!r}")
        self.directory, self.mode, self.metadata, self.fail_stale = Path(directory), mode, metadata, fail_stale
        self.filters = Filters((limits or Limits()).max_body)
        self._shared = shared_exchanges(self.directory) if mode == "replay" else []
        self._specs = spec_digests() if mode == "replay" else {}
        self.stale: dict[str, list[str]] = {}  # node id → spec files that changed since its cassette was recorded
        self.recording: Recording | None = None  # the running test's
        self._sink: InboundSink | None = None

    # --- the tap ------------------------------------------------------------------------------------------------

    @property
    def replaying(self) -> bool:
        return self.mode == "replay"

    def transport(self, inner: httpx.BaseTransport) -> httpx.BaseTransport:
        return _Transport(self, inner)

    def can_replay(self, request: httpx.Request) -> bool:
        recording = self.recording
        if recording is None or not self.replaying:
            return False
        return bool(recording.cassette.can_play_response_for(_vcr_request(request)))

    def alias(self, live: str, canonical: str) -> None:
        self.filters.alias(live, canonical)

    def inbound(self, path: str, body: bytes) -> None:
        recording = self.recording
        if recording is None or recording.mode != "record":
            return
        redacted = redaction.stored_body(body, "application/json")
        text = redacted.decode("utf-8", errors="replace") if isinstance(redacted, bytes) else redacted or ""
        with recording.lock:
            recording.inbound.append({"after": recording.exchanges(), "path": path, "body": text})

    def receive_with(self, sink: InboundSink | None) -> None:
        self._sink = sink

    def deliver_due(self) -> None:
        """Deliver the recorded inbound requests that are due: those that arrived, in the recording, after no more
        outbound exchanges than the replay has played so far."""
        self._deliver(everything=False)

    def _deliver(self, *, everything: bool) -> None:
        recording, sink = self.recording, self._sink
        if recording is None or recording.mode != "replay" or sink is None:
            return
        while True:
            with recording.lock:
                if not recording.inbound or not (everything or recording.inbound[0]["after"] <= recording.exchanges()):
                    return
                due = recording.inbound.pop(0)
            sink(due["path"], due["body"].encode())

    # --- one test -----------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def use(self, nodeid: str, requirements: tuple[str, ...] = ()) -> Iterator[Recording]:
        """The test's cassette, for as long as it runs: recorded into (and saved at the end) or played back."""
        path = cassette_path(self.directory, nodeid)
        if self.replaying and not path.is_file():
            raise CassetteMiss(f"replay of {nodeid}: no cassette {path.name} in {self.directory}")
        metadata = self.metadata.as_dict() if self.metadata is not None else {}
        if self.metadata is not None:  # the test and its requirements: `diff` reports per requirement
            metadata.update(test=nodeid, requirements=list(requirements))
        persister = AtomicPersister(metadata, self._shared, read_only=self.replaying)
        cassette = Cassette.load(
            path=str(path),
            serializer=jsonserializer,
            persister=persister,
            # record: a fresh cassette replaces the old one; replay: nothing leaves the process.
            record_mode=RecordMode.ALL if self.mode == "record" else RecordMode.NONE,
            match_on=tuple(getattr(matchers, name) for name in MATCH_ON),
            before_record_request=self.filters.request,
            # A replay records nothing, and what it loads was filtered when it was recorded.
            before_record_response=self.filters.response if self.mode == "record" else None,
        )
        recording = Recording(self.mode, cassette, persister)
        if self.replaying:
            self._check_fresh(nodeid, path, persister.loaded_metadata.get("specs", {}))
            index_playback(cassette)
        self.recording = recording
        try:
            yield recording
            if self.replaying:
                self._deliver(everything=True)  # what arrived after the test's last exchange arrived during it
        finally:
            self.recording = None
        if self.mode == "record":
            # A test that sent nothing still gets its (empty) cassette: replay then proves it sends nothing.
            persister.save_cassette(
                path, {"requests": cassette.requests, "responses": cassette.responses}, jsonserializer
            )

    def _check_fresh(self, nodeid: str, path: Path, recorded: dict[str, str]) -> None:
        changed = sorted(
            name for name in recorded.keys() | self._specs.keys() if recorded.get(name) != self._specs.get(name)
        )
        if not changed:
            return
        self.stale[nodeid] = changed
        if self.fail_stale:
            raise StaleCassette(
                f"cassette {path.name} of {nodeid} is stale: recorded with other specs ({', '.join(changed[:5])}); "
                "re-record it with --record"
            )


class _Transport(httpx.BaseTransport):
    """A client's transport under a recorder: the real one, each exchange recorded once its response was read to the
    end (within the client's limits); or no transport at all, each response played from the running test's
    cassette."""

    def __init__(self, recorder: Recorder, inner: httpx.BaseTransport) -> None:
        self._recorder, self._inner = recorder, inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        recording = self._recorder.recording
        shared = made_once_per_session(request)
        if self._recorder.replaying:
            if recording is None:
                raise NetworkBlocked(f"pickconform replay: {request.method} {request.url} outside any test's cassette")
            # Notifications the recording had received before this request are delivered first.
            self._recorder.deliver_due()
            played = recording.play(_vcr_request(request), shared)
            return httpx.Response(
                played["status"]["code"],
                headers=[(name, value) for name, values in played["headers"].items() for value in values],
                stream=httpx.ByteStream(played["body"]["string"] or b""),
                extensions={"reason_phrase": str(played["status"].get("message") or "").encode("ascii", "replace")},
            )
        response = self._inner.handle_request(request)
        if recording is None:
            return response  # outside a test (the session's set-up): nothing to record into

        def read(raw: bytes) -> None:
            recording.append(
                _vcr_request(request),
                {
                    "status": {"code": response.status_code, "message": response.reason_phrase},
                    "headers": _headers(response.headers),
                    "body": {"string": raw},
                },
                shared,
            )

        response.stream = _Tee(response.stream, read)
        return response

    def close(self) -> None:
        self._inner.close()


class _Tee(httpx.SyncByteStream):
    """A response body as the client reads it, handed whole to `read` once it was read to its end (a body the client
    stops reading, at a limit or a deadline, is never recorded: its test fails on what it got)."""

    def __init__(self, stream: httpx.SyncByteStream, read: Callable[[bytes], None]) -> None:
        self._stream, self._read = stream, read

    def __iter__(self) -> Iterator[bytes]:
        chunks: list[bytes] = []
        for chunk in self._stream:
            chunks.append(chunk)
            yield chunk
        self._read(b"".join(chunks))

    def close(self) -> None:
        self._stream.close()


def _vcr_request(request: httpx.Request) -> Request:
    """vcrpy's request for an httpx one, its Authorization header already naming its credential's slot."""
    headers = redaction.headers(dict(request.headers), credential_of(request))
    return Request(request.method, str(request.url), request.read(), headers)


def _headers(headers: httpx.Headers) -> dict[str, list[str]]:
    """Every header as a list of values (a header may repeat: Set-Cookie), as vcrpy stores them."""
    stored: dict[str, list[str]] = {}
    for name, value in headers.multi_items():
        stored.setdefault(name, []).append(value)
    return stored
