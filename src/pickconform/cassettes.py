"""Cassettes: record one test's HTTP with vcrpy (JSON, one file per test) and replay it offline.

A cassette holds the test's outbound interactions (vcrpy's `interactions`) and the inbound requests the target sent
to the suite meanwhile (`inbound`: Butler notifications), each with its place among the outbound ones.

Recorded interactions are redacted with the suite's one set of rules (`pickconform.http.redaction`) and carry canonical
origins, so a cassette holds no secrets and does not depend on the loopback ports it was recorded on. Files are written
atomically, so an interrupted run leaves the old or the new cassette, never a partial one.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import logging
import os
import re
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.matchers import requests_match
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request
from vcr.serialize import CASSETTE_FORMAT_VERSION
from vcr.serializers import compat, jsonserializer

from pickconform import __version__
from pickconform._compat import vcrpy as vcr_internals
from pickconform.determinism import RunContext
from pickconform.http import redaction
from pickconform.paths import SPECS

# Every recorded and replayed request is rewritten to this origin; replay targets use it as their base URL, and
# `.invalid` can never resolve, so a replay that escapes the cassette fails instead of reaching a real host.
PLACEHOLDER_ORIGIN = "http://pickconform.invalid"
# Where the suite's notification receiver is, as recorded: the callback URL the suite registers is in request bodies.
RECEIVER_ORIGIN = "http://receiver.pickconform.invalid"
MODES = ("record", "replay")
MATCH_ON = ("method", "path", "query", "body")
METADATA_KEY = "pickconform"
INBOUND_KEY = "inbound"
SHARED_KEY = "shared"  # indices of the interactions made once per session (tokens, capabilities, callback)
CASES_KEY = "cases"  # a fuzz test's Schemathesis cases, in the order it ran them (see `pickconform.fuzzing`)

# vcrpy logs every request at INFO, body included, before our redaction runs.
logging.getLogger("vcr").setLevel(logging.WARNING)


class CassetteMiss(AssertionError):
    """A replayed request that the test's cassette does not hold; the message names the closest recorded one."""


class StaleCassette(AssertionError):
    """A cassette recorded with other specs than the ones the suite now judges by."""


@dataclass(frozen=True)
class Metadata:
    """What a cassette was recorded with, stored beside its interactions."""

    run: RunContext
    target: str
    families: tuple[str, ...]
    # Per family, its role URLs' paths and tenant names (`pickconform.targets.slots.describe`): what `diff` re-bases
    # onto another target.
    slots: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.run.as_dict(),
            "target": self.target,
            "families": list(self.families),
            "pickconform_version": __version__,
            "specs": spec_digests(),
            "slots": self.slots,
        }


# Under specs/ but no contract of a target: the schema of pickconform's own report.json.
NOT_A_CONTRACT = frozenset({"report.schema.json"})


def spec_digests(specs: Path = SPECS) -> dict[str, str]:
    """sha256 of every file under specs/ that states a target's contract (relative POSIX path → digest): a change
    makes a recording stale."""
    return {
        path.relative_to(specs).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(specs.rglob("*"))
        if path.is_file() and path.relative_to(specs).as_posix() not in NOT_A_CONTRACT
    }


def cassette_path(directory: Path, nodeid: str) -> Path:
    """One file per test, named from its node id (readable, and unique: a digest disambiguates long or odd ids)."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.removeprefix("tests/conformance/"))[:120].strip("_")
    return directory / f"{readable}-{hashlib.sha256(nodeid.encode()).hexdigest()[:8]}.json"


# --- filters: redaction and a canonical origin (both idempotent: vcrpy runs them on live and on loaded data) --------


def canonical_uri(uri: str) -> str:
    parts = urlsplit(uri)
    origin = urlsplit(PLACEHOLDER_ORIGIN)
    return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))


_aliases: dict[str, str] = {}  # live URL or origin → canonical, for URLs the suite sends in request bodies


def alias_origin(live: str, canonical: str) -> None:
    """Record `live` (e.g. the receiver's callback URL, with its loopback port and per-run token) as `canonical` in
    request bodies; requests to `live`'s origin are the suite's own (in-process deliveries), not the target's."""
    parts, canonical_parts = urlsplit(live), urlsplit(canonical)
    origin = f"{parts.scheme}://{parts.netloc}"
    _aliases[live] = canonical
    _aliases.setdefault(origin, f"{canonical_parts.scheme}://{canonical_parts.netloc}")


def _canonical_body(body: bytes | str | None) -> bytes | str | None:
    for live, canonical in sorted(_aliases.items(), key=lambda alias: -len(alias[0])):  # a whole URL before its origin
        if isinstance(body, bytes) and live.encode() in body:
            body = body.replace(live.encode(), canonical.encode())
        elif isinstance(body, str) and live in body:
            body = body.replace(live, canonical)
    return body


def _content_type(headers: Mapping[str, Any]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value[0] if isinstance(value, list) else str(value)
    return ""


def _redact_bytes(body: bytes | str | None, content_type: str) -> bytes | str | None:
    if not body:
        return body
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    redacted = redaction.body(text, content_type)
    if redacted == text:
        return body  # keep the original bytes when nothing was secret (JSON re-serialisation is not byte-exact)
    return redacted.encode() if isinstance(body, bytes) else redacted


def filter_request(request: Request) -> Request | None:
    if getattr(request, _LOADED, False):
        # Read from a cassette, so filtered when it was recorded: vcrpy filters every loaded request again (copy,
        # redaction, body re-encoding), which was ~0.5 s of a replay of the whole suite for nothing.
        return request
    parts = urlsplit(request.uri)
    if f"{parts.scheme}://{parts.netloc}" in _aliases:
        # The embedded target delivering a notification to the suite (same process, so vcrpy sees it): that is an
        # inbound request, recorded by the receiver, not one of the test's outbound interactions.
        return None
    request = copy.deepcopy(request)  # the live request must keep its real credentials
    request.uri = canonical_uri(request.uri)
    headers = redaction.headers(dict(request.headers))
    request.headers = {
        k: (urlsplit(PLACEHOLDER_ORIGIN).netloc if k.lower() == "host" else v) for k, v in headers.items()
    }
    request.body = _redact_bytes(_canonical_body(request.body), _content_type(request.headers))
    return request


def filter_response(response: dict[str, Any]) -> dict[str, Any]:
    response = _inflated(copy.deepcopy(response))
    headers: dict[str, list[str]] = response.get("headers", {})
    response["headers"] = {
        name: ([redaction.REDACTED] if name.lower() in redaction.SECRET_HEADERS else values)
        for name, values in headers.items()
    }
    if _header(response["headers"], "content-encoding"):
        # Not decodable within the response size limit (a gzip bomb, say): kept as it came, which the suite never
        # shows beyond its first bytes, and from which a replay reaches the same verdict.
        return response
    body = response.get("body", {}).get("string")
    redacted = _redact_bytes(_canonical_body(body), _content_type(response["headers"]))
    if redacted is not body:
        response["body"]["string"] = redacted
        for name in response["headers"]:
            if name.lower() == "content-length":
                size = len(redacted.encode() if isinstance(redacted, str) else redacted or b"")
                response["headers"][name] = [str(size)]
    return response


def _header(headers: Mapping[str, list[str]], wanted: str) -> str:
    return ", ".join(v for name, values in headers.items() if name.lower() == wanted for v in values)


def _inflated(response: dict[str, Any]) -> dict[str, Any]:
    """The response with its content codings undone, as vcrpy's `decode_compressed_response` would (redaction must see
    the plain body), but within the suite's response size limit: vcrpy inflates a body whole, whatever its size."""
    from pickconform.http import client  # imported here: the client module imports this one

    headers: dict[str, list[str]] = response.get("headers", {})
    body = response.get("body", {}).get("string")
    encoding = _header(headers, "content-encoding")
    if not encoding or not isinstance(body, bytes):
        return response
    decoded = client.decode_within(body, encoding, client.LIMITS.max_body)
    if decoded is None:
        return response
    response["headers"] = {name: values for name, values in headers.items() if name.lower() != "content-encoding"}
    length = next((name for name in response["headers"] if name.lower() == "content-length"), "content-length")
    response["headers"][length] = [str(len(decoded))]
    response["body"]["string"] = decoded
    return response


# --- persistence ------------------------------------------------------------------------------------------------


class AtomicPersister:
    """vcrpy's filesystem persister, but written through a temp file in the same directory and `os.replace`d, and
    with the pickconform metadata beside the interactions."""

    def __init__(
        self,
        metadata: dict[str, Any] | None = None,
        shared: list[tuple[Request, Any]] | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self.metadata, self.read_only = metadata, read_only
        self.saved = False
        self.shared = list(shared or ())  # replay: every cassette's shared exchanges, offered to this one
        self.shared_indices: list[int] = []  # record: which of this cassette's interactions are shared
        self.loaded_metadata: dict[str, Any] = {}
        self.inbound: list[dict[str, Any]] = []  # record: filled while the test runs; replay: what was recorded
        self.cases: list[dict[str, Any]] | None = None  # a fuzz test's cases, recorded or to replay

    def load_cassette(self, cassette_path: str | os.PathLike[str], serializer: Any) -> tuple[list[Any], list[Any]]:
        path = Path(cassette_path)
        if not self.read_only or not path.is_file():
            raise CassetteNotFoundError()  # a recording starts empty: its interactions are exactly this run's
        document = json.loads(path.read_text(encoding="utf-8"))
        self.loaded_metadata = document.get(METADATA_KEY, {})
        self.inbound = list(document.get(INBOUND_KEY, []))
        self.cases = document.get(CASES_KEY)
        requests, responses = _interactions(document)
        # A shared exchange sits in whichever cassette needed it first; offering them all to every cassette (after
        # its own) makes a replay independent of test order, subset and xdist distribution.
        for request, response in self.shared:
            requests.append(request)
            responses.append(response)
        return requests, responses

    def save_cassette(
        self, cassette_path: str | os.PathLike[str], cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        if self.read_only:
            return  # a replay never rewrites what it replays
        # The format is vcrpy's JSON cassette; bodies that are not UTF-8 (fuzzing sends such) are stored as base64.
        document: dict[str, Any] = {
            "version": CASSETTE_FORMAT_VERSION,
            "interactions": [
                {
                    "request": _encoded(vcr_internals.request_to_dict(request), ("body",)),
                    "response": _encoded(response, ("body", "string")),
                }
                for request, response in zip(cassette_dict["requests"], cassette_dict["responses"], strict=True)
            ],
        }
        if self.inbound:
            document[INBOUND_KEY] = self.inbound
        if self.shared_indices:
            document[SHARED_KEY] = self.shared_indices
        if self.cases is not None:
            document[CASES_KEY] = self.cases
        if self.metadata is not None:
            document[METADATA_KEY] = self.metadata
        write_atomically(Path(cassette_path), json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        self.saved = True


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never a partial one (the rename is atomic within a filesystem)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is chosen before the file exists, so an interruption right after its creation still removes it.
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def shared_exchanges(directory: Path) -> list[tuple[Request, Any]]:
    """Every recorded exchange made once per session (see `shared`), from all cassettes."""
    found: dict[tuple[str, str, Any], tuple[Request, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        with contextlib.suppress(ValueError, KeyError, OSError, IndexError):
            document = json.loads(path.read_text(encoding="utf-8"))
            requests, responses = _interactions(document)
            for index in document.get(SHARED_KEY, []):
                request, response = requests[index], responses[index]
                found.setdefault((request.method, request.uri, request.body), (request, response))
    return list(found.values())


def _encoded(value: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    value = compat.convert_to_unicode(copy.deepcopy(value))
    holder = value
    for key in where[:-1]:
        holder = holder[key]
    body = holder.get(where[-1])
    if isinstance(body, bytes):  # still bytes after convert_to_unicode: not UTF-8
        holder[where[-1]] = {"base64": base64.b64encode(body).decode("ascii")}
    return value


def _decoded(value: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    holder = value
    for key in where[:-1]:
        holder = holder[key]
    body = holder.get(where[-1])
    if isinstance(body, dict) and "base64" in body:
        holder[where[-1]] = base64.b64decode(body["base64"])
    return value


_LOADED = "_pickconform_loaded"  # on a request read from a cassette (and on vcrpy's deep copies of it)


def _interactions(document: dict[str, Any]) -> tuple[list[Request], list[dict[str, Any]]]:
    requests, responses = [], []
    for interaction in document["interactions"]:
        requests.append(vcr_internals.request_from_dict(_decoded(interaction["request"], ("body",))))
        setattr(requests[-1], _LOADED, True)  # `filter_request` passes it as it is
        responses.append(compat.convert_to_bytes(_decoded(interaction["response"], ("body", "string"))))
    return requests, responses


# --- recording and replaying one test ---------------------------------------------------------------------------


class Recorder:
    """Cassettes of one run: a directory, a mode, and what every cassette records as its metadata."""

    def __init__(
        self, directory: Path, mode: str, metadata: Metadata | None = None, *, fail_stale: bool = False
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"cassette mode must be one of {MODES}, not {mode!r}")
        self.directory, self.mode, self.metadata, self.fail_stale = Path(directory), mode, metadata, fail_stale
        self._shared = shared_exchanges(self.directory) if mode == "replay" else []
        self._specs = spec_digests() if mode == "replay" else {}
        self.stale: dict[str, list[str]] = {}  # node id → spec files that changed since its cassette was recorded
        self.persister: AtomicPersister | None = None  # the running test's: a fuzz test keeps its cases in it

    @contextlib.contextmanager
    def use(self, nodeid: str, requirements: tuple[str, ...] = ()) -> Iterator[Any]:
        path = cassette_path(self.directory, nodeid)
        if self.mode == "replay" and not path.is_file():
            raise CassetteMiss(f"replay of {nodeid}: no cassette {path.name} in {self.directory}")
        metadata = self.metadata.as_dict() if self.metadata is not None else {}
        if self.metadata is not None:  # the test and its requirements: `diff` reports per requirement
            metadata.update(test=nodeid, requirements=list(requirements))
        persister = AtomicPersister(metadata, self._shared, read_only=self.mode == "replay")
        self.persister = persister
        recorder = vcr.VCR(
            serializer="json",
            # record: a fresh cassette replaces the old one; replay: nothing leaves the process.
            record_mode="all" if self.mode == "record" else "none",
            drop_unused_requests=self.mode == "record",
            match_on=MATCH_ON,
            # Decoded by `filter_response` within the size limit (vcrpy's own decoding inflates a gzip bomb whole), and
            # a replay loads bodies as they were recorded: decoded, unless too large to be.
            decode_compressed_response=False,
            before_record_request=filter_request,
            # A replay records nothing, and what it loads was filtered when it was recorded.
            before_record_response=filter_response if self.mode == "record" else None,
        )
        recorder.register_persister(persister)
        with recorder.use_cassette(str(path)) as cassette:
            if self.mode == "replay":
                self._check_fresh(nodeid, path, persister.loaded_metadata.get("specs", {}))
                index_playback(cassette)
            with _activated(Active(self.mode, cassette, persister.inbound, persister.shared_indices)):
                yield cassette
        if self.mode == "record" and not persister.saved:
            # A test that sent nothing still gets its (empty) cassette: replay then proves it sends nothing.
            persister.save_cassette(path, {"requests": [], "responses": []}, jsonserializer)

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


# --- the running test's cassette, as the rest of the suite sees it: inbound requests and the recording's time -----


class Active:
    """The cassette of the test now running (a process runs one test at a time; xdist workers are processes)."""

    def __init__(self, mode: str, cassette: Any, inbound: list[dict[str, Any]], shared: list[int]) -> None:
        self.mode, self.cassette = mode, cassette
        self.inbound = inbound  # record: appended to as requests arrive; replay: consumed as they fall due
        self.shared = shared  # record: indices of the shared interactions
        self.shared_plays = 0  # replay: shared exchanges played (they need not happen in the same test)
        self.lock = threading.Lock()

    def _done(self) -> int:
        return self.cassette.play_count if self.mode == "replay" else len(self.cassette.data)

    def exchanges(self) -> int:
        """How many of the test's own outbound exchanges are done: an inbound request's place among them."""
        return self._done() - (self.shared_plays if self.mode == "replay" else len(self.shared))


@contextlib.contextmanager
def shared() -> Iterator[None]:
    """Around an exchange made once per session, by whichever test needs it first (a token, the target's
    capabilities, the callback registration): a replay offers it to every test, and it takes no place among the
    test's own exchanges."""
    active = _active
    if active is None:
        yield
        return
    before = active._done()
    try:
        yield
    finally:
        after = active._done()
        if active.mode == "record":
            active.shared.extend(range(before, after))
        else:
            active.shared_plays += after - before


_active: Active | None = None
_inbound_sink: Callable[[str, bytes], Any] | None = None


@contextlib.contextmanager
def _activated(active: Active) -> Iterator[None]:
    global _active
    _active = active
    try:
        yield
        if active.mode == "replay":
            replay_inbound(everything=True)  # what arrived after the test's last exchange arrived during the test
    finally:
        _active = None


def replaying() -> bool:
    return _active is not None and _active.mode == "replay"


def record_inbound(path: str, body: bytes) -> None:
    """Note a request the target sent to the suite (call it where the suite judges it: its place is taken then)."""
    active = _active
    if active is None or active.mode != "record":
        return
    redacted = _redact_bytes(body, "application/json")
    text = redacted.decode("utf-8", errors="replace") if isinstance(redacted, bytes) else redacted or ""
    with active.lock:
        active.inbound.append({"after": active.exchanges(), "path": path, "body": text})


def on_inbound(sink: Callable[[str, bytes], Any] | None) -> None:
    """Where replayed inbound requests go: the offline receiver's `deliver(path, body)`."""
    global _inbound_sink
    _inbound_sink = sink


def replay_inbound(*, everything: bool = False) -> None:
    """Deliver the recorded inbound requests that are due: those that arrived, in the recording, after no more
    outbound exchanges than the replay has played so far (all of them with `everything`)."""
    active, sink = _active, _inbound_sink
    if active is None or active.mode != "replay" or sink is None:
        return
    while True:
        with active.lock:
            if not active.inbound or not (everything or active.inbound[0]["after"] <= active.exchanges()):
                return
            due = active.inbound.pop(0)
        sink(due["path"], due["body"].encode())


def can_replay(request: Any) -> bool:
    """Whether the running replay holds a response, not yet played, for this httpx request."""
    active = _active
    if active is None or active.mode != "replay":
        return False
    return bool(active.cassette.can_play_response_for(Request(request.method, str(request.url), request.content, {})))


def find_miss(error: BaseException | None, depth: int = 0) -> CannotOverwriteExistingCassetteException | None:
    """The cassette miss behind a test's error, also when Hypothesis or an exception group wrapped it."""
    if error is None or depth > 10:
        return None
    if isinstance(error, CannotOverwriteExistingCassetteException):
        return error
    for inner in (*getattr(error, "exceptions", ()), error.__cause__, error.__context__):
        if found := find_miss(inner, depth + 1):
            return found
    return None


def describe_miss(error: CannotOverwriteExistingCassetteException, nodeid: str) -> str:
    """One clear paragraph instead of vcrpy's traceback: the test, the request, and the closest recorded request."""
    request = error.failed_request
    why = " (every matching request was already played)" if error.reason == "already_played" else ""
    cassette = Path(vcr_internals.cassette_file(error.cassette)).name
    lines = [f"replay of {nodeid}: {request.method} {canonical_uri(request.uri)} is not in cassette {cassette}{why}"]
    if error.similar_requests:
        closest, _, failed = error.similar_requests[0]
        differs = ", ".join(name for name, _ in failed) or "nothing (already played)"
        lines.append(f"closest recorded request: {closest.method} {closest.uri} (differs in: {differs})")
    else:
        lines.append("no recorded request is similar; re-record the cassettes with --record")
    return "\n".join(lines)


def recorded_run(directory: Path) -> RunContext | None:
    """The seed, run id and clock a directory of cassettes was recorded with (replay must send the same values)."""
    for path in sorted(Path(directory).glob("*.json")):
        with contextlib.suppress(ValueError, KeyError, TypeError, OSError):
            meta = json.loads(path.read_text(encoding="utf-8"))[METADATA_KEY]
            return RunContext(int(meta["seed"]), str(meta["run_id"]), datetime.fromisoformat(meta["clock"]))
    return None


class NetworkBlocked(ConnectionRefusedError):
    """A replay tried to open a connection."""


@contextlib.contextmanager
def network_blocked() -> Iterator[None]:
    """Replay promises no connection at all: any `connect` in the process fails loudly while this is active."""

    def refuse(sock: socket.socket, address: Any) -> None:
        raise NetworkBlocked(f"pickconform replay opens no connection (attempted {address!r})")

    originals = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = originals  # type: ignore[method-assign]


# --- playback lookups by index --------------------------------------------------------------------------------------
#
# vcrpy finds a request's response by running every matcher on every recorded request, twice per request (is there
# one, then play it), and its body matcher builds a diff on each mismatch: the 150 interactions of a Clarus fuzz
# cassette took ~8 s to replay, nearly all of it there (0.5 s indexed). An index on (method, path, query, canonical
# body) finds the candidates at once; vcrpy's own matchers still confirm each, and its full scan still answers
# whatever the index does not.


def index_playback(cassette: Any) -> None:
    """Make `cassette`'s playback lookups indexed (same answers as vcrpy's scan; the cassette format is unchanged)."""
    _filter_once(cassette)
    scan = vcr_internals.responses_lookup(cassette)  # vcrpy's own lookup, called as before for what the index leaves
    index: dict[tuple[Any, ...], list[int]] = {}
    for position, (request, _) in enumerate(cassette.data):
        index.setdefault(_match_key(request), []).append(position)

    def responses(request: Request) -> Iterator[tuple[int, Any]]:
        filtered = vcr_internals.before_record_request(cassette)(request)
        tried: set[int] = set()
        for position in index.get(_match_key(filtered), ()) if filtered else ():
            tried.add(position)
            stored, response = cassette.data[position]
            if requests_match(filtered, stored, vcr_internals.match_on(cassette)):
                yield position, response
        # Reached only when every candidate was played (or there was none): a miss, or a match the key missed.
        yield from ((position, response) for position, response in scan(request) if position not in tried)

    vcr_internals.set_responses_lookup(cassette, responses)


def _filter_once(cassette: Any) -> None:
    """vcrpy filters one request several times while looking it up, the filtered copy itself among them (the filters
    are idempotent): remember the latest request and its filtered copy instead of redacting them again."""
    apply = vcr_internals.before_record_request(cassette)
    latest: list[Any] = [object(), None]  # a request, then its filtered copy

    def filtered(request: Any) -> Any:
        if request is latest[0] or (request is latest[1] and request is not None):
            return latest[1]
        latest[:] = [request, apply(request)]
        return latest[1]

    vcr_internals.set_before_record_request(cassette, filtered)


def _match_key(request: Request) -> tuple[Any, ...]:
    """What `MATCH_ON` compares, made hashable: a JSON body by its canonical text, any other body as it is."""
    body = request.body
    with contextlib.suppress(ValueError, TypeError, RecursionError):
        body = json.dumps(json.loads(body), sort_keys=True) if body else body
    return request.method, request.path or "/", tuple(request.query), body
