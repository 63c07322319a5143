"""Playing a cassette back: indexed lookups, a clear message for a request the cassette does not hold, and no
connection at all while a replay runs."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.matchers import requests_match
from vcr.request import Request

from pickconform._compat import vcrpy as vcr_internals
from pickconform.cassettes.filters import canonical_uri

__all__ = [
    "CassetteMiss",
    "NetworkBlocked",
    "StaleCassette",
    "describe_miss",
    "find_miss",
    "index_playback",
    "network_blocked",
]


class CassetteMiss(AssertionError):
    """A replayed request that the test's cassette does not hold; the message names the closest recorded one."""


class StaleCassette(AssertionError):
    """A cassette recorded with other specs than the ones the suite now judges by."""


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
