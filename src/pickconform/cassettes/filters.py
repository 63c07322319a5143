"""What a recorded interaction keeps: redacted (the suite's one set of rules, `pickconform.http.redaction`), at a
canonical origin, with the live URLs the suite sends in bodies (its callback URL) replaced by canonical ones.

So a cassette holds no secret and does not depend on the loopback ports or per-run tokens it was recorded with. Both
filters are idempotent: vcrpy runs them on live requests and again on the ones it loads.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcr.request import Request

from pickconform.cassettes.files import LOADED
from pickconform.http import redaction
from pickconform.http.client import decode_within

__all__ = ["PLACEHOLDER_ORIGIN", "Filters", "canonical_uri"]

# Every recorded and replayed request is rewritten to this origin; replay targets use it as their base URL, and
# `.invalid` can never resolve, so a replay that escapes the cassette fails instead of reaching a real host.
PLACEHOLDER_ORIGIN = "http://pickconform.invalid"


def canonical_uri(uri: str) -> str:
    parts = urlsplit(uri)
    origin = urlsplit(PLACEHOLDER_ORIGIN)
    return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))


class Filters:
    """The filters of one session's cassettes: its aliases (live URL → canonical) and the response size limit."""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        self._aliases: dict[str, str] = {}

    def alias(self, live: str, canonical: str) -> None:
        """Record `live` (e.g. the receiver's callback URL, with its loopback port and per-run token) as `canonical`
        in request bodies."""
        parts, canonical_parts = urlsplit(live), urlsplit(canonical)
        self._aliases[live] = canonical
        self._aliases.setdefault(
            f"{parts.scheme}://{parts.netloc}", f"{canonical_parts.scheme}://{canonical_parts.netloc}"
        )

    def _canonical_body(self, body: bytes | str | None) -> bytes | str | None:
        for live, canonical in sorted(self._aliases.items(), key=lambda a: -len(a[0])):  # a whole URL before its origin
            if isinstance(body, bytes) and live.encode() in body:
                body = body.replace(live.encode(), canonical.encode())
            elif isinstance(body, str) and live in body:
                body = body.replace(live, canonical)
        return body

    def request(self, request: Request) -> Request:
        if getattr(request, LOADED, False):
            # Read from a cassette, so filtered when it was recorded: vcrpy filters every loaded request again (copy,
            # redaction, body re-encoding), ~0.5 s of a replay of the whole suite for nothing.
            return request
        # A new request: the live one must keep its real credentials.
        host = urlsplit(PLACEHOLDER_ORIGIN).netloc
        headers = {k: (host if k.lower() == "host" else v) for k, v in redaction.headers(dict(request.headers)).items()}
        body = redaction.stored_body(self._canonical_body(request.body), _content_type(headers))
        return Request(request.method, canonical_uri(request.uri), body, headers)

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        response = self._inflated(copy.deepcopy(response))
        headers: dict[str, list[str]] = response.get("headers", {})
        response["headers"] = {
            name: (
                [redaction.REDACTED]
                if name.lower() in redaction.SECRET_HEADERS
                else [redaction.scrub(v) if isinstance(v, str) else v for v in values]
            )
            for name, values in headers.items()
        }
        if _header(response["headers"], "content-encoding"):
            # Not decodable within the response size limit (a gzip bomb, say): kept as it came, which the suite never
            # shows beyond its first bytes, and from which a replay reaches the same verdict.
            return response
        body = response.get("body", {}).get("string")
        redacted = redaction.stored_body(self._canonical_body(body), _content_type(response["headers"]))
        if redacted is not body:
            response["body"]["string"] = redacted
            for name in response["headers"]:
                if name.lower() == "content-length":
                    size = len(redacted.encode() if isinstance(redacted, str) else redacted or b"")
                    response["headers"][name] = [str(size)]
        return response

    def _inflated(self, response: dict[str, Any]) -> dict[str, Any]:
        """The response with its content codings undone (redaction must see the plain body), within the response size
        limit: vcrpy's own decoding inflates a body whole, whatever its size."""
        headers: dict[str, list[str]] = response.get("headers", {})
        body = response.get("body", {}).get("string")
        encoding = _header(headers, "content-encoding")
        if not encoding or not isinstance(body, bytes):
            return response
        decoded = decode_within(body, encoding, self.max_body)
        if decoded is None:
            return response
        response["headers"] = {name: values for name, values in headers.items() if name.lower() != "content-encoding"}
        length = next((name for name in response["headers"] if name.lower() == "content-length"), "content-length")
        response["headers"][length] = [str(len(decoded))]
        response["body"]["string"] = decoded
        return response


def _content_type(headers: Mapping[str, Any]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value[0] if isinstance(value, list) else str(value)
    return ""


def _header(headers: Mapping[str, list[str]], wanted: str) -> str:
    return ", ".join(v for name, values in headers.items() if name.lower() == wanted for v in values)
