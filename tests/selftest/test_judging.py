"""Judging by what the documents state, whatever generated the case, and a pass only where a check applied.

The cases are Schemathesis' own coverage-phase cases, as the shipped cassettes recorded them (their generation
metadata says coverage phase, negative mode, and carries no mutation): a target that accepts one breaking only a limit
pickconform inferred is warned, one breaking a documented limit is failed, and a 5xx is no refusal.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from pickconform import fuzzing, verdict
from pickconform.butler import spec as butler_spec
from pickconform.catalogue import Requirement
from pickconform.clarus import spec as clarus_spec
from pickconform.emporix import spec as emporix_spec
from pickconform.fuzzing.documented import documented_only
from pickconform.paths import ROOT
from pickconform.report import TestOutcome, verdicts

INFERRED_MARK = "x-pickconform-inferred"
CASSETTES = ROOT / "cassettes" / "reference"


def _recorded(prefix: str) -> list[dict[str, Any]]:
    path = next(CASSETTES.glob(f"{prefix}-*.json"))
    return json.loads(path.read_text())["cases"]


def _body(recorded: dict[str, Any]) -> Any:
    body = recorded.get("body")
    return json.loads(body["json"]) if isinstance(body, dict) and "json" in body else None


def _path(recorded: dict[str, Any]) -> dict[str, Any]:
    value = recorded["path_parameters"]
    return json.loads(value) if isinstance(value, str) else value


def _coverage_case(schema: Any, path: str, method: str, prefix: str, wanted: Callable[[dict[str, Any]], bool]) -> Any:
    """The first negative coverage-phase case of the shipped cassette that `wanted` picks, rebuilt."""
    for recorded in _recorded(prefix):
        meta = recorded["meta"]
        if meta["phase"]["name"] == "coverage" and meta["generation"]["mode"] == "negative" and wanted(recorded):
            case = fuzzing.decode_case(schema[path][method], recorded)
            assert not getattr(case.meta.phase.data, "mutations", None), "a coverage case carries no mutation"
            return case
    raise AssertionError(f"no such coverage case in the shipped cassette {prefix} (re-recorded without it?)")


class _Answering(BaseHTTPRequestHandler):
    """Answers every request with the status and JSON body the request's `X-Answer` header asks for."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        status, _, body = self.headers["x-answer"].partition(" ")
        self.send_response(int(status))
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answering)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


_SERVER: list[str] = []


@pytest.fixture(autouse=True)
def _served(server: str) -> Iterator[None]:
    _SERVER.append(server)
    yield
    _SERVER.pop()


def _answer(case: Any, status: int, body: Any) -> httpx.Response:
    """The case's request, sent over loopback to a server that answers `status` with `body`."""
    with httpx.Client() as client:
        return client.request(
            case.method, _SERVER[-1] + case.formatted_path, headers={"x-answer": f"{status} {json.dumps(body)}"}
        )


def _judge(case: Any, response: httpx.Response, requirement: str) -> verdict.Findings:
    findings = verdict.begin()
    try:
        fuzzing.judge(case, response, {fuzzing.negative_data_rejection: requirement})
    finally:
        verdict.end()
    return findings


BUTLER_CREATE = ("/api-gateway/sr-service/platform-srms/service-request", "POST")
EMPORIX_TRIGGER = ("/pick-pack/{tenant}/jobs/recalculations", "POST")
BUTLER_PREFIX = "butler_test_fuzz.py_test_operation_POST_api-gateway_sr-service_platform-srms_service-request"
EMPORIX_PREFIX = "emporix_test_fuzz.py_test_operation_POST_pick-pack_tenant_jobs_recalculations"


def _long_request_id(recorded: dict[str, Any]) -> bool:
    body = _body(recorded)
    return isinstance(body, dict) and len(str(body.get("externalServiceRequestId", ""))) > 100


def _order_ids(test: Callable[[list[Any]], bool]) -> Callable[[dict[str, Any]], bool]:
    def wanted(recorded: dict[str, Any]) -> bool:
        body = _body(recorded)
        ids = body.get("orderIds") if isinstance(body, dict) else None
        return isinstance(ids, list) and test(ids) and len(_path(recorded).get("tenant", "")) in range(3, 17)

    return wanted


def _tenant_of_length(*lengths: int) -> Callable[[dict[str, Any]], bool]:
    return lambda recorded: len(_path(recorded).get("tenant", "abc")) in lengths and _body(recorded) is not None


INFERRED = {  # a limit pickconform inferred: accepting the case is a warning
    "Butler externalServiceRequestId over 100 characters": (
        butler_spec.OPENAPI, BUTLER_CREATE, BUTLER_PREFIX, _long_request_id, "BUTLER-REJECTS-INVALID"
    ),
    'Emporix orderIds [""]': (
        emporix_spec.OPENAPI, EMPORIX_TRIGGER, EMPORIX_PREFIX, _order_ids(lambda ids: ids == [""]),
        "EMPORIX-REJECTS-INVALID",
    ),
    "Emporix order id of 65 characters": (
        emporix_spec.OPENAPI, EMPORIX_TRIGGER, EMPORIX_PREFIX,
        _order_ids(lambda ids: any(isinstance(i, str) and len(i) == 65 for i in ids)), "EMPORIX-REJECTS-INVALID",
    ),
}  # fmt: skip
DOCUMENTED = {  # a documented limit: accepting the case is a fail
    "Emporix tenant of 17 characters": (
        emporix_spec.OPENAPI, EMPORIX_TRIGGER, EMPORIX_PREFIX, _tenant_of_length(17), "EMPORIX-TENANT-PATTERN"
    ),
    "Emporix tenant of 2 characters": (
        emporix_spec.OPENAPI, EMPORIX_TRIGGER, EMPORIX_PREFIX, _tenant_of_length(2), "EMPORIX-TENANT-PATTERN"
    ),
}  # fmt: skip


def _schema(path: Path) -> Any:
    return {
        butler_spec.OPENAPI: lambda: fuzzing.openapi(butler_spec.OPENAPI),
        emporix_spec.OPENAPI: emporix_spec.openapi,
    }[path]()


@pytest.mark.parametrize("name", list(INFERRED))
def test_an_accepted_coverage_case_breaking_only_an_inferred_limit_is_a_warning(name: str) -> None:
    path, (template, method), prefix, wanted, requirement = INFERRED[name]
    case = _coverage_case(_schema(path), template, method, prefix, wanted)
    findings = _judge(case, _answer(case, 200, {"jobId": "job-0001"}), requirement)
    assert [(f.requirement, f.soft) for f in findings.found] == [(requirement, True)], findings.found
    assert "inferred" in findings.found[0].message
    assert findings.judged == {requirement: 1}


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_an_accepted_coverage_case_breaking_a_documented_limit_is_a_fail(name: str) -> None:
    path, (template, method), prefix, wanted, requirement = DOCUMENTED[name]
    case = _coverage_case(_schema(path), template, method, prefix, wanted)
    findings = _judge(case, _answer(case, 200, {"jobId": "job-0001"}), requirement)
    assert [(f.requirement, f.soft) for f in findings.found] == [(requirement, False)], findings.found


def test_an_accepted_goods_out_with_a_reference_over_50_characters_is_a_fail() -> None:
    """Seed 001 and the vendor's Goods Out resource: reference at most 50 characters (documented, not inferred). The
    case is a coverage-phase negative case of POST /goods_outs, its body the seed's goods out with 51 characters."""
    schema = clarus_spec.openapi()
    prefix = "clarus_test_fuzz.py_test_rest_operation_POST_goods_outs"
    case = _coverage_case(schema, "/goods_outs", "POST", prefix, bool)
    attributes = {
        "goods_out_type": "sales_order",
        "account_id": 1,
        "reference": "R" * 51,
        "expected_date_of_dispatch": "2026-01-05T10:00:00Z",
    }
    case.body, case.media_type = {"data": {"type": "goods_outs", "attributes": attributes}}, "application/json"
    assert not fuzzing.request_is_documented(case)
    attributes["reference"] = "R" * 50
    assert fuzzing.request_is_documented(case), "the same goods out within the limit is valid"
    attributes["reference"] = "R" * 51
    findings = _judge(case, _answer(case, 201, {"data": {}}), "CLARUS-REJECTS-INVALID")
    assert [(f.requirement, f.soft) for f in findings.found] == [("CLARUS-REJECTS-INVALID", False)], findings.found


def test_a_5xx_to_a_negative_case_is_no_refusal_and_judges_nothing() -> None:
    path, (template, method), prefix, wanted, requirement = DOCUMENTED["Emporix tenant of 2 characters"]
    case = _coverage_case(_schema(path), template, method, prefix, wanted)
    crashed = _judge(case, _answer(case, 500, {"code": 500}), requirement)
    assert crashed.found == [] and crashed.judged == {}, "a crash neither refuses nor accepts"
    refused = _judge(case, _answer(case, 400, {"code": 400}), requirement)
    assert refused.found == [] and refused.judged == {requirement: 1}


def test_null_for_an_optional_field_is_valid_for_the_documents_and_a_wrong_type_is_not() -> None:
    """specs/butler/DECISIONS.md: null for an optional field is read as absent by many implementations; no document
    says it must be refused. Another type is still refused by the documents."""
    case = _coverage_case(
        fuzzing.openapi(butler_spec.OPENAPI), *BUTLER_CREATE, BUTLER_PREFIX, lambda r: isinstance(_body(r), dict)
    )
    body = json.loads(butler_spec.OPENAPI.parent.joinpath("examples", "04_create_request.json").read_text())
    case.body, case.media_type = body, "application/json"
    assert fuzzing.request_is_documented(case)
    body.setdefault("attributes", {})["order_options"] = None
    assert fuzzing.request_is_documented(case)
    body["attributes"]["order_options"] = "rush"
    assert not fuzzing.request_is_documented(case)
    body["attributes"]["order_options"] = {}
    body["type"] = None  # required: null is no reading of a required field
    assert not fuzzing.request_is_documented(case)


def test_the_documented_only_spec_drops_exactly_the_marked_keywords() -> None:
    spec = {
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "required": ["a", "b"],
                    "x-pickconform-inferred": ["required:b"],
                    "properties": {
                        "a": {"type": "string", "maxLength": 3, "pattern": "^x", INFERRED_MARK: ["maxLength"]},
                        "b": {"type": "string", "enum": ["p"], "x-pickconform-inferred": True},
                    },
                }
            }
        }
    }
    stripped = documented_only(spec)["components"]["schemas"]["A"]
    assert stripped["required"] == ["a"]
    assert stripped["properties"]["a"] == {"type": "string", "pattern": "^x", "x-pickconform-inferred": ["maxLength"]}
    assert stripped["properties"]["b"] == {"type": "string", "x-pickconform-inferred": True}
    assert spec["components"]["schemas"]["A"]["properties"]["a"]["maxLength"] == 3, "the spec itself is untouched"


def test_a_response_breaking_only_an_inferred_keyword_is_judged_documented() -> None:
    schema = fuzzing.openapi(butler_spec.OPENAPI)
    operation = schema[BUTLER_CREATE[0]][BUTLER_CREATE[1]]
    case = _coverage_case(schema, *BUTLER_CREATE, BUTLER_PREFIX, lambda r: True)
    created = json.loads(butler_spec.OPENAPI.parent.joinpath("examples", "05_create_response.json").read_text())
    assert fuzzing.response_is_documented(operation, _answer(case, 200, created))
    created["externalServiceRequestId"] = "x" * 101  # maxLength 100 is ours
    assert fuzzing.response_is_documented(operation, _answer(case, 200, created))
    created["externalServiceRequestId"] = 5  # a string, says the vendor
    assert not fuzzing.response_is_documented(operation, _answer(case, 200, created))


REQUIREMENT = Requirement("X-ERROR-BODY", "x", "MUST", "t", "s", "src")


def _outcome(judged: dict[str, int] | None, outcome: str = "passed") -> TestOutcome:
    return TestOutcome("tests/t.py::test_x", ("X-ERROR-BODY",), outcome, judged=judged)


@pytest.mark.parametrize(
    ("judged", "status"),
    [({"X-ERROR-BODY": 2}, "pass"), ({}, "skip"), ({"OTHER": 1}, "skip"), (None, "pass")],
)
def test_a_requirement_passes_only_where_a_check_of_it_applied(judged: dict[str, int] | None, status: str) -> None:
    """None: an outcome from before the judged counts (a re-rendered old report) is taken as judged."""
    [result] = verdicts([REQUIREMENT], [_outcome(judged)])
    assert result.status == status, result
    if status == "skip":
        assert result.reason.startswith("not judged"), result.reason
        assert result.judged == 0 and result.tests[0]["outcome"] == "unjudged"
    elif judged:
        assert result.judged == 2


def test_check_and_expect_count_each_exchange_once_per_requirement() -> None:
    findings = verdict.begin()
    try:
        first, second = object(), object()
        verdict.expect(True, "R", "m", None)
        verdict.judged("R", first)
        verdict.judged("R", first)  # another check of the same response
        verdict.judged("R", second)
        verdict.judged("S", first)
        with pytest.raises(verdict.Violation):
            verdict.check(False, "T", "m")
    finally:
        verdict.end()
    assert findings.judged == {"R": 3, "S": 1, "T": 1}


@pytest.fixture(autouse=True)
def _no_leftover_findings() -> Iterator[None]:
    yield
    assert verdict.current() is None
