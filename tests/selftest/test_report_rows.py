"""Honest rows (issue 19) and run over run (issue 17).

- a test that found something and then met a precondition the target did not reach skips the requirements it had not
  judged with that reason (no "stopped on -" placeholder), the same in every test; a pass some of whose tests judged
  nothing says "N of M tests judged";
- an auth check sends a request that succeeds with credentials: a target that ignores auth fails it;
- warnings quote their decision; the report carries the real start, duration and environment beside the frozen clock;
  fails come first; junit.xml shows warnings in `<system-out>` and the requirement counts;
- the same report.json renders to the same bytes, whatever the hash seed;
- `--baseline-report` and `pickconform compare`: newly failing, fixed, still failing; `--fail-on new`; a missing or
  garbled baseline is one line and exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pickconform import report
from pickconform.catalogue import Requirement, catalogue
from pickconform.paths import SPECS
from pickconform.pytest_plugin import judging
from pickconform.report import Finding, TestOutcome, compare, verdicts
from pickconform.report.html import render_report
from pickconform.verdict import Violation, Violations
from tests.selftest.conftest import Run, pickconform

SCHEMA = json.loads((SPECS / "report.schema.json").read_text())
A = Requirement("A", "clarus", "MUST", "a", "statement a", "000")
B = Requirement("B", "clarus", "MUST", "b", "statement b", "000")


def valid(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


# --- judging, without a run -------------------------------------------------------------------------------------


def test_a_skip_after_a_finding_is_the_precondition_not_a_placeholder() -> None:
    """A check recorded a violation (`expect`), then a Given step found its state not reached (`pytest.skip`): the
    requirements not judged yet are skipped with the skip's reason, never "stopped on -"."""
    skip = pytest.skip.Exception("precondition not reached: pick request P fulfillable")
    error = Violations([Violation("B", "broke B")], {"B": 1}, skip)
    findings, stopped = judging._findings(error)
    assert [f.requirement for f in findings] == ["B"] and stopped == ""
    precondition = judging._precondition(error)
    assert precondition == "precondition not reached: pick request P fulfillable"
    outcome = TestOutcome("t", ("A", "B"), "failed", findings=tuple(findings), precondition=precondition)
    a, b = verdicts([A, B], [outcome])
    assert (a.status, a.reason) == ("skip", precondition) and a.tests[0]["outcome"] == "skipped"
    assert b.status == "fail"
    # The same situation without a finding first: the same words, the same outcome.
    (alone,) = verdicts([A], [TestOutcome("t2", ("A",), "skipped", precondition)])
    assert (alone.status, alone.reason, alone.tests[0]["outcome"]) == ("skip", precondition, "skipped")


def test_a_pass_some_of_whose_tests_judged_nothing_says_how_many_did() -> None:
    outcomes = [
        TestOutcome("t1", ("A",), "passed"),
        TestOutcome("t2", ("A", "B"), "failed", findings=(Finding("B", "x"),), stopped="B"),
    ]
    (a,) = verdicts([A], outcomes)
    assert a.status == "pass"
    assert a.reason == "1 of 2 tests judged; not judged: the test stopped on B first"
    (whole,) = verdicts([A], outcomes[:1])
    assert whole.reason == ""  # every test judged it: a plain pass


def test_every_decision_a_requirement_links_is_quoted() -> None:
    linked = [r for r in catalogue().values() if r.decision]
    assert linked
    for requirement in linked:
        text = report.decision_text(requirement.decision, requirement.id)
        assert len(text) > 40, f"{requirement.id}: {requirement.decision} leads to no section of DECISIONS.md"
    text = report.decision_text("specs/butler/DECISIONS.md#refusals", "BUTLER-REJECTS-TRANSACTION")
    assert text.startswith("Refusals: ") and "refused at once with 400" in text
    assert report.decision_text("specs/butler/DECISIONS.md#no-such-section") == ""


def _document(**extra: Any) -> dict[str, Any]:
    warn = catalogue()["BUTLER-REJECTS-TRANSACTION"]
    items = [
        report.Verdict(warn, "warn", f"departs from pickconform's interpretation ({warn.decision}): 422", []),
        *[
            report.Verdict(r, "pass", "", [{"nodeid": f"t::{r.id}", "outcome": "passed", "reason": "", "judged": 1}])
            for r in list(catalogue().values())[:30]
            if r.id != warn.id
        ],
        report.Verdict(catalogue()["EMPORIX-AUTH-401"], "fail", "expected 401, got 200 (t)", []),
    ]
    document = report.as_document(items, "reference", {"seed": 1, "run_id": "r0", "clock": "2026-01-15T09:00:00+00:00"})
    document["environment"] = report.environment(datetime(2026, 12, 7, 22, 0, tzinfo=UTC), 12.34)
    return document | extra


def test_warnings_quote_the_decision_and_the_clock_is_labelled_beside_the_real_start() -> None:
    document = _document()
    assert not valid(document), valid(document)[:3]
    env = document["environment"]
    assert env["started"] == "2026-12-07T22:00:00+00:00" and env["duration_s"] == 12.3
    assert env["python"] and env["schemathesis"] != "not installed" and env["hypothesis"] != "not installed"
    assert len(env["specs_digest"]) == 64
    markdown = report.as_markdown(document)
    assert "frozen clock 2026-01-15T09:00:00+00:00" in markdown and "started 2026-12-07T22:00:00+00:00" in markdown
    assert "> Refusals: " in markdown and "Schemathesis" in markdown
    html = render_report(document)
    assert "frozen clock" in html and "2026-12-07T22:00:00+00:00" in html and "specs sha256" in html
    assert 'class="decision">Refusals: ' in html


def test_fails_and_errors_come_first() -> None:
    document = _document()
    html = render_report(document)
    panel, first_row = html.find('aria-label="fails and errors"'), html.find('<details class="row req')
    assert 0 < panel < first_row, "no panel of the fails above the list"
    assert html.find('href="#req-EMPORIX-AUTH-401"') < first_row
    markdown = report.as_markdown(document)
    assert markdown.index("## Fails and errors") < markdown.index("| Requirement |")
    assert "- **FAIL EMPORIX-AUTH-401**" in markdown


def test_junit_shows_warnings_as_output_and_carries_the_requirement_counts() -> None:
    document = _document()
    warning = Finding("BUTLER-REJECTS-TRANSACTION", "answered 422, not 400", soft=False)
    outcomes = [
        TestOutcome("tests/x.py::test_warns", ("BUTLER-REJECTS-TRANSACTION",), "passed", findings=(warning,)),
        TestOutcome("tests/x.py::test_skips", ("A", "B"), "failed", findings=(Finding("B", "broke", soft=True),),
                    precondition="precondition not reached: y"),
    ]  # fmt: skip
    suite = ET.fromstring(report.as_junit(outcomes, document).split("\n", 1)[1])
    properties = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
    assert properties["requirements.fail"] == "1" and properties["requirements.warn"] == "1"
    warns, skips = suite.findall("testcase")
    assert "WARN [BUTLER-REJECTS-TRANSACTION] answered 422, not 400" in warns.findtext("system-out", "")
    assert any(p.get("name") == "warn" for p in warns.iter("property"))
    assert skips.find("skipped") is not None and skips.find("skipped").get("message") == "precondition not reached: y"


_RENDER = "import json, sys; from pickconform.report.html import render_report; " \
    "sys.stdout.write(render_report(json.load(open(sys.argv[1]))))"  # fmt: skip


def test_the_same_report_json_renders_to_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Each rendering in its own process with its own PYTHONHASHSEED: a set iterated into the page shows up."""
    notifications = [
        {"notification_id": f"n{i}", "notification_type": "order_information", "state": state, "order": "P-1"}
        for i, state in enumerate(["fulfillable", "cancellation_locked", "pick_started", "complete"])
    ]
    document = _document()
    butler = next(r for r in document["requirements"] if r["family"] == "butler")
    butler["status"], butler["reason"] = "fail", "fulfillable → complete"
    butler["evidence"] = [
        {"nodeid": "t", "requirement": butler["id"], "message": "m", "exchange": None, "count": 1, "soft": False,
         "notifications": notifications}
    ]  # fmt: skip
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document))
    pages = set()
    for seed in ("0", "1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-c", _RENDER, str(path)],
            capture_output=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
        )  # fmt: skip
        pages.add(done.stdout)
    assert len(pages) == 1, f"{len(pages)} different renderings of one report.json"


# --- real runs --------------------------------------------------------------------------------------------------


def test_a_precondition_never_reached_is_a_skip_in_every_test_and_partial_passes_say_so(tmp_path: Path) -> None:
    """The target jumps fulfillable → complete: the cancel tests (Given a state) and the complete tests (Then a state
    on the way) both skip what they could not reach, with "precondition not reached"; BUTLER-ASYNC-OUTCOME passes on
    the tests that reached their state, and says how many did."""
    run = pickconform(
        "run", "--mutant", "butler-fulfillable-to-complete", "--requirement", "BUTLER-COMPLETE",
        "--requirement", "BUTLER-ASYNC-OUTCOME", report_dir=tmp_path,
    )  # fmt: skip
    assert run.report is not None, run.stderr[-2000:]
    rows = {r["id"]: r for r in run.report["requirements"]}
    complete, outcome = rows["BUTLER-COMPLETE"], rows["BUTLER-ASYNC-OUTCOME"]
    assert complete["status"] == "skip" and complete["reason"].startswith("precondition not reached"), complete
    unjudged = [t for r in rows.values() for t in r["tests"] if t["outcome"] not in report.JUDGED_TESTS]
    # Skipped (the precondition not reached), or ran to the end without any check of it applying ("unjudged": an
    # unknown pick request's cancel refused at once never reaches the asynchronous outcome).
    assert unjudged and {t["outcome"] for t in unjudged} <= {"skipped", "unjudged"}
    skipped = [t for t in unjudged if t["outcome"] == "skipped"]
    assert skipped and all(t["reason"].startswith("precondition not reached") for t in skipped), unjudged
    assert all(t["reason"].startswith("not judged") for t in unjudged if t["outcome"] == "unjudged"), unjudged
    judged, total = report.tests_judged(outcome["tests"])
    assert outcome["status"] == "pass" and 0 < judged < total
    assert outcome["reason"].startswith(f"{judged} of {total} tests judged; not judged: ")
    assert "precondition not reached" in outcome["reason"]
    for name in ("report.json", "report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "stopped on - first" not in text and "stopped on -" not in text, name
    assert f"{judged} of {total} tests judged" in (tmp_path / "report.html").read_text()
    assert not valid(run.report), valid(run.report)[:3]


@pytest.fixture(scope="module")
def auth_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Path]]:
    """CLARUS-AUTH-REQUIRED against the faithful reference and against a reference that ignores auth."""
    runs = {}
    for name, options in (("faithful", ()), ("mutant", ("--mutant", "clarus-auth-not-enforced"))):
        directory = tmp_path_factory.mktemp(name)
        runs[name] = (pickconform("run", *options, "--requirement", "CLARUS-AUTH-REQUIRED", report_dir=directory),
                      directory)  # fmt: skip
    return runs


def test_an_auth_check_fails_a_target_that_ignores_auth(auth_runs: dict[str, tuple[Run, Path]]) -> None:
    """Each auth scenario sends what succeeds with credentials (a pending goods out with stock, a valid goods out):
    without them, a target that ignores auth accepts it, and every one of the scenarios fails it; the faithful
    reference refuses each, and each control request with credentials is accepted (all three judged)."""
    faithful, mutant = auth_runs["faithful"][0], auth_runs["mutant"][0]
    assert mutant.status == 1 and mutant.verdict("CLARUS-AUTH-REQUIRED") == "fail", mutant.stdout[-2000:]
    tests = next(r["tests"] for r in mutant.report["requirements"] if r["id"] == "CLARUS-AUTH-REQUIRED")
    assert len(tests) == 3 and {t["outcome"] for t in tests} == {"violated"}, tests
    assert all("got 20" in t["reason"] for t in tests), [t["reason"] for t in tests]  # accepted, not refused for
    assert faithful.status == 0 and faithful.verdict("CLARUS-AUTH-REQUIRED") == "pass", faithful.stdout[-2000:]
    tests = next(r["tests"] for r in faithful.report["requirements"] if r["id"] == "CLARUS-AUTH-REQUIRED")
    assert report.tests_judged(tests) == (3, 3)


def test_run_over_run_says_what_changed_and_fails_only_on_what_is_new(
    auth_runs: dict[str, tuple[Run, Path]], tmp_path: Path
) -> None:
    (faithful, good), (mutant, bad) = auth_runs["faithful"], auth_runs["mutant"]
    assert faithful.report is not None and mutant.report is not None
    comparison = compare.compare(faithful.report, mutant.report, "good")
    assert not valid({**mutant.report, "comparison": comparison}), "the comparison breaks the schema"
    assert compare.newly_failing(comparison) == ["CLARUS-AUTH-REQUIRED"]
    back = compare.compare(mutant.report, faithful.report)
    assert [(e["id"], e["change"]) for e in back["requirements"]] == [("CLARUS-AUTH-REQUIRED", "fixed")]
    again = compare.compare(mutant.report, mutant.report)
    assert again["summary"]["still failing"] == 1 and not compare.newly_failing(again)
    moved = json.loads(json.dumps(mutant.report))
    row = next(r for r in moved["requirements"] if r["id"] == "CLARUS-AUTH-REQUIRED")
    row["reason"] = "another reason entirely"
    moved["requirements"].append({**row, "id": "CLARUS-NEW-ONE", "status": "pass", "reason": ""})
    changed = compare.compare(mutant.report, moved)
    assert {e["id"]: e["change"] for e in changed["requirements"]} == {
        "CLARUS-AUTH-REQUIRED": "changed reason", "CLARUS-NEW-ONE": "new"
    }  # fmt: skip

    # `pickconform compare OLD NEW`: 1 only for what newly fails (by default), every change on a line.
    newly = pickconform("compare", str(good), str(bad / "report.json"))
    assert newly.status == 1 and "NEWLY FAILING   CLARUS-AUTH-REQUIRED: pass → fail" in newly.stdout, newly.stdout
    known = pickconform("compare", str(bad), str(bad))
    assert known.status == 0 and "1 still failing" in known.stdout, known.stdout
    assert pickconform("compare", "--fail-on", "any", str(bad), str(bad)).status == 1
    assert pickconform("compare", str(bad), str(good)).status == 0

    # A missing or garbled baseline: one line, exit 2, before anything runs.
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    for baseline in (tmp_path / "missing.json", garbled):
        for command in (
            ("compare", str(baseline), str(good)),
            ("run", "--baseline-report", str(baseline), "--requirement", "CLARUS-AUTH-REQUIRED"),
        ):
            done = pickconform(*command)
            assert done.status == 2, (command, done.stdout[-500:], done.stderr[-500:])
            assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
            assert str(baseline) in done.stderr
    assert pickconform("run", "--fail-on", "new", "--requirement", "CLARUS-AUTH-REQUIRED").status == 2

    # `run --baseline-report --fail-on new`: a known failure passes the build and stays in the report.
    out = tmp_path / "known"
    known_run = pickconform(
        "run", "--mutant", "clarus-auth-not-enforced", "--requirement", "CLARUS-AUTH-REQUIRED",
        "--baseline-report", str(bad / "report.json"), "--fail-on", "new", report_dir=out,
    )  # fmt: skip
    assert known_run.status == 0, known_run.stdout[-2000:]
    assert known_run.verdict("CLARUS-AUTH-REQUIRED") == "fail"
    assert known_run.report["comparison"]["summary"]["still failing"] == 1
    assert not valid(known_run.report), valid(known_run.report)[:3]
    assert "## Since the last run" in (out / "report.md").read_text()
    assert 'aria-label="since the last run"' in (out / "report.html").read_text()
    assert "still failing" in known_run.stdout


def test_diff_lists_the_cassettes_it_does_not_resend_with_why() -> None:
    from pickconform.paths import ROOT
    from pickconform.upgrade import baseline
    from pickconform.upgrade import report as diff_report

    not_resent: list[dict[str, Any]] = []
    scenarios = baseline.load(ROOT / "cassettes" / "reference", ("clarus",), (), not_resent)
    assert scenarios and not_resent, "the shipped Clarus cassettes have fuzzing ones: none was listed"
    assert all("test_fuzz.py::" in c["test"] and c["reason"] == baseline.NOT_RESENT_FUZZING for c in not_resent)
    assert {c["family"] for c in not_resent} == {"clarus"}
    document = diff_report.as_document([], "t", "b", 0.0, not_resent)
    assert document["summary"]["not_resent"] == len(not_resent) and document["not_resent"] == not_resent
    assert "## Not re-sent" in diff_report._markdown(document)
    assert f"{len(not_resent)} fuzzing cassette(s) not re-sent" in diff_report.summary(document)[-1]
