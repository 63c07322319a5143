"""Outcomes per requirement: each finding on its own requirement; a set-up error is never a fail; an interpretation
or a SHOULD warns (fails under strict); a blocked or skipped test never counts as a pass."""

from __future__ import annotations

from pickconform.catalogue import Requirement
from pickconform.report import Finding, TestOutcome, exit_status, verdicts

A = Requirement("A", "clarus", "MUST", "a", "statement a", "000")
B = Requirement("B", "clarus", "MUST", "b", "statement b", "000")
N = Requirement("I", "clarus", "MUST", "i", "statement i", "ours", basis="interpretation", decision="DECISIONS.md#i")
S = Requirement("S", "clarus", "SHOULD", "s", "statement s", "000")


def statuses(*outcomes: TestOutcome, strict: bool = False) -> dict[str, str]:
    return {v.requirement.id: v.status for v in verdicts([A, B, N, S], list(outcomes), strict)}


def found(*requirements: str, soft: bool = False) -> tuple[Finding, ...]:
    return tuple(Finding(r, f"broke {r}", soft=soft) for r in requirements)


def test_pass_and_fail() -> None:
    result = statuses(TestOutcome("t1", ("A",), "passed"), TestOutcome("t2", ("B",), "failed", findings=found("B")))
    assert (result["A"], result["B"]) == ("pass", "fail")


def test_every_finding_of_a_test_is_judged_on_its_own() -> None:
    result = statuses(TestOutcome("fuzz", ("A", "B"), "failed", findings=found("A", "B")))
    assert (result["A"], result["B"]) == ("fail", "fail")


def test_a_stopping_violation_blocks_only_what_the_test_had_not_reached() -> None:
    result = statuses(TestOutcome("t", ("A", "B"), "failed", findings=found("B"), stopped="B"))
    assert (result["A"], result["B"]) == ("skip", "fail")
    (a,) = verdicts([A], [TestOutcome("t", ("A", "B"), "failed", findings=found("B"), stopped="B")])
    assert a.reason == "not judged: the test stopped on B first"


def test_a_recorded_violation_does_not_block_the_others() -> None:
    result = statuses(TestOutcome("t", ("A", "B"), "failed", findings=found("B")))
    assert (result["A"], result["B"]) == ("pass", "fail")


def test_a_violation_of_an_untagged_requirement_still_judges_it() -> None:
    assert statuses(TestOutcome("t", ("A",), "failed", findings=found("B")))["B"] == "fail"


def test_a_setup_refusal_is_an_error_not_a_fail() -> None:
    outcome = TestOutcome("t", ("A", "B"), "failed", error="set-up failed: create a product")
    result = statuses(outcome)
    assert (result["A"], result["B"]) == ("error", "error")
    (a,) = verdicts([A], [outcome, TestOutcome("t2", ("A",), "passed")])
    assert a.status == "error" and "create a product" in a.reason  # one test could not judge: not a pass


def test_interpretations_and_shoulds_warn_and_fail_under_strict() -> None:
    outcome = TestOutcome("t", ("I", "S"), "passed", findings=found("I", "S"))
    assert (statuses(outcome)["I"], statuses(outcome)["S"]) == ("warn", "warn")
    assert (statuses(outcome, strict=True)["I"], statuses(outcome, strict=True)["S"]) == ("fail", "fail")
    (i,) = verdicts([N], [outcome])
    assert "DECISIONS.md#i" in i.reason  # the warning names the decision it departs from


def test_a_soft_finding_under_a_documented_requirement_warns() -> None:
    """E.g. a negative case that breaks only a constraint we inferred."""
    outcome = TestOutcome("t", ("A",), "passed", findings=found("A", soft=True))
    assert statuses(outcome)["A"] == "warn" and statuses(outcome, strict=True)["A"] == "fail"
    both = TestOutcome("t", ("A",), "failed", findings=(*found("A", soft=True), *found("A")))
    assert statuses(both)["A"] == "fail"


def test_skips_keep_their_reasons_and_nothing_run_is_a_skip() -> None:
    (a, b) = verdicts([A, B], [TestOutcome("t", ("A",), "skipped", "target lacks capability x")])
    assert (a.status, a.reason) == ("skip", "target lacks capability x")
    assert (b.status, b.reason) == ("skip", "no test of this requirement ran")


def test_one_failure_among_passes_fails_the_requirement() -> None:
    result = statuses(TestOutcome("t1", ("A",), "passed"), TestOutcome("t2", ("A",), "failed", findings=found("A")))
    assert result["A"] == "fail"


def test_exit_status_follows_the_outcomes() -> None:
    def exit_of(**summary: int) -> int:
        return exit_status({"summary": {"pass": 0, "fail": 0, "warn": 0, "skip": 0, "error": 0, **summary}})

    assert exit_of(**{"pass": 3, "warn": 2, "skip": 1}) == 0
    assert exit_of(fail=1, error=1) == 1
    assert exit_of(error=1) == 3


def test_the_emporix_deprecation_is_noted_in_every_report_that_judges_emporix() -> None:
    """The vendor deprecated the pick-pack service (its api-references README): report.json, report.md and
    report.html say so for a run that judged Emporix, and say nothing of it for a run that did not."""
    from pickconform.catalogue import family_notes
    from pickconform.report import as_document, as_markdown
    from pickconform.report.html import render_report

    note = family_notes()["emporix"]
    assert "2026-05-26" in note and "2026-08-24" in note
    run = {"seed": 1, "run_id": "r", "clock": "2026-01-01T00:00:00Z"}
    emporix = Requirement("EMPORIX-X", "emporix", "MUST", "x", "statement x", "003")
    document = as_document(verdicts([emporix, A], [TestOutcome("t", ("EMPORIX-X", "A"), "passed")]), "t", run)
    assert document["notes"] == {"emporix": note}
    assert note in as_markdown(document)
    assert note in render_report(document, lifecycle={})
    clarus_only = as_document(verdicts([A], [TestOutcome("t", ("A",), "passed")]), "t", run)
    assert clarus_only["notes"] == {} and note not in as_markdown(clarus_only)
    assert note not in render_report(clarus_only, lifecycle={})
