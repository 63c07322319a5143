"""`pickconform trace ID` leads from a requirement to its code: every requirement reaches a test or scenario and a
mutant or variant, each scenario step to its step function."""

from __future__ import annotations

import pytest

from pickconform.catalogue import catalogue
from pickconform.trace import trace
from tests.selftest.conftest import pickconform


@pytest.mark.parametrize("requirement", list(catalogue()))
def test_every_requirement_traces_to_its_tests_and_a_mutant_or_variant(requirement: str) -> None:
    lines = trace(requirement)
    assert lines[0].startswith(f"{requirement} (")
    assert any(line.startswith(("scenario ", "test ")) for line in lines), lines
    assert any(line.startswith(("mutant ", "variant ")) for line in lines), lines
    assert not any("(no step definition found)" in line for line in lines), lines


def test_trace_of_an_unknown_requirement_is_a_usage_error() -> None:
    run = pickconform("trace", "CLARUS-NOPE")
    assert run.status == 2 and "unknown requirement 'CLARUS-NOPE'" in run.stderr
