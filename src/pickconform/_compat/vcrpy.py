"""vcrpy internals: a request to and from its cassette dict, and a cassette's playback lookup and request filter
(replaced by an indexed lookup: pickconform.cassettes.index_playback)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any

from vcr.cassette import Cassette
from vcr.request import Request

from pickconform._compat import require

__all__ = [
    "before_record_request",
    "cassette_file",
    "match_on",
    "request_from_dict",
    "request_to_dict",
    "responses_lookup",
    "set_before_record_request",
    "set_responses_lookup",
]

_VERSION = version("vcrpy")
require(hasattr(Request, "_to_dict") and hasattr(Request, "_from_dict"), "vcrpy", _VERSION, "Request._to/_from_dict")
require(callable(getattr(Cassette, "_responses", None)), "vcrpy", _VERSION, "Cassette._responses")
for _attribute in ("_path", "_match_on", "_before_record_request"):
    require(_attribute in Cassette.__init__.__code__.co_names, "vcrpy", _VERSION, f"Cassette.{_attribute}")

Lookup = Callable[[Request], Iterator[tuple[int, Any]]]


def request_to_dict(request: Request) -> dict[str, Any]:
    return request._to_dict()


def request_from_dict(data: dict[str, Any]) -> Request:
    return Request._from_dict(data)


def cassette_file(cassette: Cassette) -> str:
    return str(cassette._path)


def match_on(cassette: Cassette) -> Any:
    return cassette._match_on


def responses_lookup(cassette: Cassette) -> Lookup:
    """vcrpy's own lookup of the recorded responses matching a request: (position, response) pairs."""
    return cassette._responses


def set_responses_lookup(cassette: Cassette, lookup: Lookup) -> None:
    cassette._responses = lookup


def before_record_request(cassette: Cassette) -> Callable[[Request], Request | None]:
    return cassette._before_record_request


def set_before_record_request(cassette: Cassette, apply: Callable[[Request], Request | None]) -> None:
    cassette._before_record_request = apply
