"""Every requirement can fail: the suite passes the faithful reference and fails each mutant on its requirement."""

from __future__ import annotations

from pathlib import Path

import pytest

from pickconform.catalogue import catalogue
from pickconform.reference.app import available_families
from pickconform.reference.mutants import all_mutants
from tests.selftest.conftest import pickconform

MUTANTS = all_mutants()


def test_every_mutant_names_a_known_requirement() -> None:
    unknown = {m.name: m.requirement for m in MUTANTS.values() if m.requirement not in catalogue()}
    assert unknown == {}


@pytest.mark.parametrize("family", available_families())
def test_every_requirement_has_a_mutant(family: str) -> None:
    covered = {m.requirement for m in MUTANTS.values()}
    uncovered = [r.id for r in catalogue().values() if r.family == family and r.id not in covered]
    assert uncovered == [], "requirements no mutant proves the suite can fail"


@pytest.mark.parametrize("family", available_families())
def test_faithful_reference_passes_everything(family: str, tmp_path: Path) -> None:
    run = pickconform("run", "--api", family, report_dir=tmp_path)
    assert run.status == 0, run.stdout[-4000:]
    statuses = run.statuses()
    assert statuses and set(statuses.values()) == {"pass"}, statuses


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_fails_on_its_requirement(name: str, tmp_path: Path) -> None:
    mutant = MUTANTS[name]
    family = mutant.requirement.split("-")[0].lower()
    arguments = ("run", "--api", family, "--mutant", name, "--requirement", mutant.requirement)
    run = pickconform(*arguments, report_dir=tmp_path)
    assert run.status == 1, f"exit {run.status}\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
    assert run.verdict(mutant.requirement) == "fail", run.stdout[-3000:]
