"""Hostile input that a fuzzer rarely produces: not JSON, other content types, huge or deep bodies, wrong types.

Any answer is fine except a 5xx or a dropped connection (CLARUS-NO-5XX).
"""

from __future__ import annotations

import json

import httpx
import pytest

from pickconform.clarus.target import ClarusTarget
from pickconform.verdict import Violation, check

PROCESS = "/goods_out_processes/process_picks_async"
JSON = {"Content-Type": "application/json"}
DEEP = "[" * 5000 + "]" * 5000

BODIES = {
    "not JSON": (PROCESS, b"{ids: [1,", JSON),
    "empty body": (PROCESS, b"", JSON),
    "plain text": (PROCESS, b"ids=1,2", {"Content-Type": "text/plain"}),
    "XML": (PROCESS, b"<ids><id>1</id></ids>", {"Content-Type": "application/xml"}),
    "form": (PROCESS, b"ids=1&ids=2", {"Content-Type": "application/x-www-form-urlencoded"}),
    "unknown content type": (PROCESS, b'{"ids": [999999999]}', {"Content-Type": "application/x-pickconform"}),
    "JSON array": (PROCESS, b"[1, 2, 3]", JSON),
    "JSON null": (PROCESS, b"null", JSON),
    "deeply nested": (PROCESS, DEEP.encode(), JSON),
    "100k ids": (PROCESS, json.dumps({"ids": list(range(1, 100_001))}).encode(), JSON),
    "ids not a list": (PROCESS, b'{"ids": "1,2"}', JSON),
    "string ids": (PROCESS, b'{"ids": ["a", "b"]}', JSON),
    "null id": (PROCESS, b'{"ids": [null]}', JSON),
    "boolean id": (PROCESS, b'{"ids": [true]}', JSON),
    "fractional id": (PROCESS, b'{"ids": [1.5]}', JSON),
    "huge id": (PROCESS, b'{"ids": [123456789012345678901234567890]}', JSON),
    "negative id": (PROCESS, b'{"ids": [-1]}', JSON),
    "invalid UTF-8": (PROCESS, b'{"ids": ["\xff\xfe"]}', JSON),
    "NUL in string": (PROCESS, b'{"ids": ["\\u0000"]}', JSON),
    "goods out: data is a list": ("/goods_outs", b'{"data": []}', JSON),
    "goods out: attributes null": ("/goods_outs", b'{"data": {"type": "goods_outs", "attributes": null}}', JSON),
    "goods out: address data is a list": (
        "/goods_outs",
        b'{"data": {"type": "goods_outs", "attributes": {}, "relationships": {"address": {"data": []}}}}',
        JSON,
    ),
    "goods out: 10k lines": (
        "/goods_outs",
        json.dumps(
            {"data": {"type": "goods_outs", "attributes": {"lines_changes": [{"type": "ADD"}] * 10_000}}}
        ).encode(),
        JSON,
    ),
    "product: huge string": (
        "/products",
        json.dumps({"data": {"attributes": {"description": "x" * 1_000_000, "stock_unit_type_id": 1}}}).encode(),
        JSON,
    ),
}


def _send(client: httpx.Client, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    try:
        return client.post(url, content=content, headers=headers)
    except httpx.HTTPError as error:
        raise Violation("CLARUS-NO-5XX", f"the target dropped the request: {type(error).__name__}: {error}") from None


@pytest.mark.requirement("CLARUS-NO-5XX")
@pytest.mark.parametrize("name", list(BODIES))
def test_hostile_body_is_not_a_server_error(clarus_target: ClarusTarget, name: str) -> None:
    path, content, headers = BODIES[name]
    response = _send(clarus_target.client(), clarus_target.rest_url + path, content, headers)
    check(response.status_code < 500, "CLARUS-NO-5XX", f"{name}: answered {response.status_code}", response)


GRAPHQL_BODIES = {
    "not JSON": b"query { x }",
    "query not a string": b'{"query": 42}',
    "variables not an object": b'{"query": "{ __typename }", "variables": [1]}',
    "unknown field": b'{"query": "{ nothing }"}',
    "deep query": json.dumps({"query": "{" * 2000 + "}" * 2000}).encode(),
    "wrong variable type": json.dumps(
        {
            "query": "query($f: PickProcessingRequestFilterType) "
            "{ pickProcessingRequests(filter: $f) { edges { cursor } } }",
            "variables": {"f": {"status": {"eq": "not_a_status"}, "goods_out_id": {"gt": {"an": "object"}}}},
        }
    ).encode(),
}


@pytest.mark.requirement("CLARUS-NO-5XX")
@pytest.mark.parametrize("name", list(GRAPHQL_BODIES))
def test_hostile_graphql_is_not_a_server_error(clarus_target: ClarusTarget, name: str) -> None:
    url = clarus_target.base_url + clarus_target.graphql_path
    response = _send(clarus_target.client(), url, GRAPHQL_BODIES[name], JSON)
    check(response.status_code < 500, "CLARUS-NO-5XX", f"GraphQL {name}: answered {response.status_code}", response)
