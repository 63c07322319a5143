"""Verdicts per requirement: a failure names its requirement; a blocked or skipped test never counts as a pass."""

from __future__ import annotations

from pickconform.catalogue import Requirement
from pickconform.report import TestOutcome, verdicts

A = Requirement("A", "clarus", "MUST", "a", "statement a", "000")
B = Requirement("B", "clarus", "MUST", "b", "statement b", "000")


def statuses(*outcomes: TestOutcome) -> dict[str, str]:
    return {v.requirement.id: v.status for v in verdicts([A, B], list(outcomes))}


def test_pass_and_fail() -> None:
    assert statuses(TestOutcome("t1", ("A",), "passed"), TestOutcome("t2", ("B",), "failed", "boom")) == {
        "A": "pass",
        "B": "fail",
    }


def test_a_violation_fails_its_own_requirement_and_blocks_the_others() -> None:
    result = statuses(TestOutcome("t", ("A", "B"), "failed", "[B] ...", violated="B"))
    assert result == {"A": "skip", "B": "fail"}


def test_a_violation_of_an_untagged_requirement_still_fails_it() -> None:
    assert statuses(TestOutcome("t", ("A",), "failed", "[B] ...", violated="B"))["B"] == "fail"


def test_unexplained_failure_fails_every_requirement_of_the_test() -> None:
    assert statuses(TestOutcome("t", ("A", "B"), "failed", "KeyError")) == {"A": "fail", "B": "fail"}


def test_skips_keep_their_reasons_and_nothing_run_is_a_skip() -> None:
    (a, b) = verdicts([A, B], [TestOutcome("t", ("A",), "skipped", "target lacks capability x")])
    assert (a.status, a.reason) == ("skip", "target lacks capability x")
    assert (b.status, b.reason) == ("skip", "no test of this requirement ran")


def test_one_failure_among_passes_fails_the_requirement() -> None:
    result = statuses(TestOutcome("t1", ("A",), "passed"), TestOutcome("t2", ("A",), "failed", "x"))
    assert result["A"] == "fail"
