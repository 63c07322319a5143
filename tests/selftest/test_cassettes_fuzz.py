"""Cassettes of fuzz tests: a recording keeps the cases each fuzz test ran, and a replay runs exactly those (no
Hypothesis generation), offline, to the same verdicts, a failing recording of a mutant included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CaseMetadata, ComponentInfo, CoverageScenario, GenerationInfo, PhaseInfo
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.request import Request

from pickconform import cassettes, fuzzing
from pickconform._compat.schemathesis import NOT_SET
from pickconform.clarus import spec
from pickconform.http import redaction
from tests.selftest.conftest import Run, pickconform

# Clarus has all three kinds of fuzz test: stateless REST (positive and negative), GraphQL, and stateful links.
FUZZ = ("run", "--api", "clarus", "--fuzz-examples", "2")
ONLY_FUZZ = ("--", "-k", "test_fuzz")
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{16,}")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    base = tmp_path_factory.mktemp("fuzz")
    run = pickconform(*FUZZ, "--record", str(base / "cassettes"), *ONLY_FUZZ, report_dir=base / "live")
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return base, run


def _documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(directory.glob("*.json")):
        yield path, json.loads(path.read_text())


def _unredacted(value: Any) -> Iterator[tuple[str, Any]]:
    """Values of secret or personal keys (`redaction.SECRET_KEYS`) that are still there."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in redaction.SECRET_KEYS and item not in (None, redaction.REDACTED):
                yield key, item
            yield from _unredacted(item)
    elif isinstance(value, list):
        for item in value:
            yield from _unredacted(item)


def test_each_fuzz_cassette_holds_the_cases_it_sent_redacted(recorded: tuple[Path, Run]) -> None:
    base, _ = recorded
    documents = list(_documents(base / "cassettes"))
    # The 3 REST operations the seeds document (set-up operations are not fuzzed by default), 2 GraphQL queries, the
    # stateful links.
    assert len(documents) == 6, [path.name for path, _ in documents]
    for path, document in documents:
        sent = [i for i in document["interactions"] if "/oauth/token" not in i["request"]["uri"]]
        cases = document["cases"]
        assert len(cases) == len(sent) > 0, path.name  # one request per case, in the same order
        for case, interaction in zip(cases, sent, strict=True):
            assert case["method"] == interaction["request"]["method"], path.name
        for case in cases:
            body = json.loads(case["body"]["json"]) if "json" in case.get("body", {}) else None
            assert list(_unredacted(body)) == [], path.name  # goods-out addresses carry personal data
        assert not BEARER.search(path.read_text()), path.name
    phases = {case["meta"]["phase"]["name"] for _, document in documents for case in document["cases"]}
    assert {"coverage", "fuzzing", "stateful"} <= phases


def test_replay_runs_the_recorded_cases_offline_to_the_same_verdicts(
    recorded: tuple[Path, Run], tmp_path: Path
) -> None:
    base, live = recorded
    # Other fuzz settings than recorded: a replay that generated cases would send others and miss its cassettes.
    replay = pickconform(
        "run", "--api", "clarus", "--fuzz-examples", "50", "--replay", str(base / "cassettes"), *ONLY_FUZZ,
        report_dir=tmp_path,
    )  # fmt: skip
    assert replay.status == 0, replay.stdout[-3000:]
    assert replay.statuses() == live.statuses()
    assert {live.verdict(r) for r in ("CLARUS-NO-5XX", "CLARUS-SCHEMA", "CLARUS-REJECTS-INVALID")} == {"pass"}
    assert replay.report is not None and replay.report["target"].startswith("replay of ")


def test_a_fuzz_cassette_without_cases_asks_to_re_record(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    base, _ = recorded
    stripped = tmp_path / "cassettes"
    stripped.mkdir()
    for path, document in _documents(base / "cassettes"):
        if "POST_goods_outs-" in path.name:
            del document["cases"]
        (stripped / path.name).write_text(json.dumps(document))
    run = pickconform(
        "run", "--api", "clarus", "--replay", str(stripped), "--", "-k", "test_fuzz and goods_outs",
        report_dir=tmp_path / "out",
    )  # fmt: skip
    # The cassette cannot answer: an error of the suite (exit 3), not a conformance failure of the recorded target.
    assert run.status == 3, run.stdout[-3000:]
    assert "holds no recorded fuzz cases; re-record it with --record" in run.stdout
    judged = ("CLARUS-NO-5XX", "CLARUS-SCHEMA", "CLARUS-REJECTS-INVALID")
    assert {run.verdict(r) for r in judged} == {"error"} and "fail" not in run.statuses().values()


@pytest.mark.parametrize(
    ("mutant", "requirement", "selection"),
    [
        # A 500, found by explicit (coverage) cases.
        ("clarus-crash-on-bad-ids", "CLARUS-NO-5XX", "test_rest_operation and process_picks_async"),
        # A broken response schema, found while generating.
        ("clarus-flat-goods-out-response", "CLARUS-SCHEMA", "test_rest_operation and goods_outs"),
    ],
)
def test_a_recording_of_a_mutant_replays_to_the_same_failure(
    mutant: str, requirement: str, selection: str, tmp_path: Path
) -> None:
    selected = ("run", "--api", "clarus", "--requirement", requirement, "--fuzz-examples", "3")
    live = pickconform(
        *selected, "--mutant", mutant, "--record", str(tmp_path / "c"), "--", "-k", selection, report_dir=tmp_path / "l"
    )
    assert live.status == 1 and live.verdict(requirement) == "fail", live.stdout[-3000:]
    reported = [c for _, d in _documents(tmp_path / "c") for c in d.get("cases", []) if "reported" in c]
    assert reported, "the recording marks the cases whose failures the test reported"
    # Checks record and go on (Hypothesis sees none of their failures): the marked cases are those of the evidence.
    marked = [json.loads(c["body"]["json"]) for c in reported if "json" in c.get("body", {})]
    assert live.report is not None
    evidence = [e["exchange"] for r in live.report["requirements"] for e in r["evidence"] if e["exchange"]]
    assert evidence and all(json.loads(e["request_body"]) in marked for e in evidence), (evidence, marked)
    replay = pickconform(*selected, "--replay", str(tmp_path / "c"), "--", "-k", selection, report_dir=tmp_path / "r")
    assert replay.status == 1 and replay.statuses() == live.statuses()
    reasons = [{r["id"]: r["reason"] for r in run.report["requirements"]} for run in (live, replay) if run.report]
    assert reasons[0][requirement] == reasons[1][requirement]  # the same violation, request and response


# --- the parts, in process ----------------------------------------------------------------------------------------


def _negative_case(body: Any, headers: dict[str, str] | None = None, query: dict[str, Any] | None = None) -> Any:
    operation = spec.openapi()["/goods_outs"]["POST"]
    meta = CaseMetadata(
        generation=GenerationInfo(time=0.0, mode=GenerationMode.NEGATIVE),
        components={ParameterLocation.BODY: ComponentInfo(mode=GenerationMode.NEGATIVE)},
        phase=PhaseInfo.coverage(CoverageScenario.INCORRECT_TYPE, "Incorrect type", location="/data"),
    )
    return Case(
        operation,
        method="POST",
        path="/goods_outs",
        headers=CaseInsensitiveDict(headers or {}),
        query=query,
        body=body,
        media_type="application/json",
        meta=meta,
    )


def _through_a_cassette(case: Any) -> dict[str, Any]:
    """Encoded, and written and read back as the persister does (sorted keys)."""
    return json.loads(json.dumps(fuzzing.encode_case(case), sort_keys=True, ensure_ascii=False))


def test_a_case_is_rebuilt_with_its_body_its_order_and_its_generation_metadata() -> None:
    for body in ({"z": 1, "a": [1.0, 36, None, "\x00"], "m": {"b": True}}, b"\xff\x00 not JSON", NOT_SET):
        case = _negative_case(body)
        rebuilt = fuzzing.decode_case(case.operation, _through_a_cassette(case))
        assert rebuilt == case
        if isinstance(body, dict):  # in its order: a body sent as text/plain is matched byte for byte
            assert list(rebuilt.body) == list(body)
        assert rebuilt.meta is not None and case.meta is not None
        assert rebuilt.meta.to_dict() == case.meta.to_dict()  # negative_data_rejection judges by it
    # Negative cases put objects in query parameters; their key order is part of the URL sent.
    query = {"pageSize": {"z": [], "a": {"y": 1, "b": "c"}}, "filter": ["q", {"x": 2, "d": None}]}
    rebuilt = fuzzing.decode_case(case.operation, _through_a_cassette(_negative_case({}, query=query)))
    assert str(rebuilt.query) == str(query)


def test_a_recorded_case_keeps_no_credential_or_personal_data() -> None:
    address = {"name": "Jane Canary", "email_address": "jane@canary.example", "country_code": "DE"}
    case = _negative_case(
        {"data": {"relationships": {"address": {"data": {"attributes": address}}}}},
        headers={"Authorization": "Bearer canary-token-0123456789abcdef"},
    )
    text = json.dumps(fuzzing.encode_case(case))
    assert "Canary" not in text and "canary.example" not in text and "canary-token" not in text
    assert '\\"country_code\\": \\"DE\\"' in text  # what is not secret stays, so the request still matches


def _cassette(bodies: list[bytes]) -> Cassette:
    matchers = tuple(vcr.VCR().matchers[name] for name in cassettes.MATCH_ON)
    cassette = Cassette("unused.json", match_on=matchers)
    for number, body in enumerate(bodies):
        request = Request("POST", "http://pickconform.invalid/x", body, {"Content-Type": "application/json"})
        cassette.append(request, {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": number}})
    return cassette


def test_indexed_playback_answers_as_vcrpys_scan() -> None:
    recorded = [b'{"a": 1, "b": 2}', b'{"a": 1, "b": 2}', b'{"a": 2}', b"not json", b'{"a": 1.0}']
    asked = [b'{"b": 2, "a": 1}', b'{"a": 1.0}', b'{"a":1,"b":2}', b"not json", b'{"a": 2}', b'{"a": 2}', b'{"c": 3}']
    answers = []
    for indexed in (False, True):
        cassette = _cassette(recorded)
        if indexed:
            cassettes.index_playback(cassette)
        played = []
        for body in asked:
            request = Request("POST", "http://pickconform.invalid/x", body, {"Content-Type": "application/json"})
            try:
                played.append(cassette.play_response(request)["body"]["string"])
            except UnhandledHTTPRequestError:
                played.append("miss")
        answers.append(played)
    assert answers[0] == answers[1] == [0, 4, 1, 3, 2, "miss", "miss"]


def test_the_same_seed_sends_the_same_cases_to_any_target(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    """The embedded target runs in the suite's process, a profile's target does not: what the process has loaded
    must not change the cases (Hypothesis would otherwise mix the reference's literals into its data)."""
    from pickconform.reference.app import Reference
    from pickconform.reference.server import ReferenceServer
    from tests.selftest.conftest import clarus_profile

    base, _ = recorded
    with ReferenceServer(Reference(families=["clarus"], demo_credentials=True)) as server:
        profile = clarus_profile(tmp_path, f"{server.url}/clarus")
        remote = pickconform(
            *FUZZ, "--profile", str(profile), "--record", str(tmp_path / "cassettes"), *ONLY_FUZZ,
            env={"PICKCONFORM_TEST_SECRET": "acme-secret"},
        )  # fmt: skip
    assert remote.status == 0, remote.stdout[-3000:] + remote.stderr[-2000:]
    embedded = {path.name: document["cases"] for path, document in _documents(base / "cassettes")}
    served = {path.name: document["cases"] for path, document in _documents(tmp_path / "cassettes")}
    assert served.keys() == embedded.keys()
    for name, cases in embedded.items():
        assert served[name] == cases, f"{name}: other cases were sent to the served target"
