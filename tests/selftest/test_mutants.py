"""Both directions: the suite passes the faithful reference, fails each mutant on its requirement, and passes each
variant (another reading of a point the documents leave open), warning only on the interpretations it departs from."""

from __future__ import annotations

from pathlib import Path

import pytest

from pickconform.catalogue import catalogue
from pickconform.paths import SPECS
from pickconform.reference.app import available_families
from pickconform.reference.mutants import all_mutants, all_variants
from tests.selftest.conftest import pickconform

MUTANTS = all_mutants()
VARIANTS = all_variants()


def test_every_mutant_names_a_known_requirement() -> None:
    unknown = {m.name: m.requirement for m in MUTANTS.values() if m.requirement not in catalogue()}
    assert unknown == {}


@pytest.mark.parametrize("family", available_families())
def test_every_requirement_has_a_mutant(family: str) -> None:
    """A documented requirement by a mutant; an interpretation by a mutant or a variant that departs from it (under
    --strict its warning is a fail, which proves the check can fire)."""
    covered = {m.requirement for m in MUTANTS.values()}
    departed = {r for v in VARIANTS.values() for r in v.departs}
    uncovered = [
        r.id
        for r in catalogue().values()
        if r.family == family and r.id not in covered and not (r.soft and r.id in departed)
    ]
    assert uncovered == [], "requirements no mutant proves the suite can fail"


@pytest.mark.parametrize("family", available_families())
def test_every_interpretation_has_a_variant_the_suite_passes(family: str) -> None:
    departed = {r for v in VARIANTS.values() for r in v.departs}
    undecided = [
        r.id
        for r in catalogue().values()
        if r.family == family and r.basis == "interpretation" and r.id not in departed
    ]
    assert undecided == [], "interpretations no variant reads the other way"


@pytest.mark.parametrize("family", available_families())
def test_every_interpretation_is_written_down_with_its_variants(family: str) -> None:
    """specs/<family>/DECISIONS.md names each interpretation's requirement and every variant that reads it otherwise."""
    text = (SPECS / family / "DECISIONS.md").read_text()
    missing = {
        r.id: [v.name for v in VARIANTS.values() if r.id in v.departs and v.name not in text]
        for r in catalogue().values()
        if r.family == family and r.basis == "interpretation"
    }
    assert {k: v for k, v in missing.items() if v or k not in text} == {}


def test_variants_name_known_requirements_and_depart_only_from_soft_ones() -> None:
    known = catalogue()
    for variant in VARIANTS.values():
        assert variant.requirements and set(variant.requirements) <= set(known), variant
        assert set(variant.departs) | set(variant.departs_inferred) <= set(variant.requirements), variant
        assert all(known[r].soft for r in variant.departs), f"{variant.name} departs from a documented MUST"
    assert len(VARIANTS) >= 20


def test_variants_are_listed() -> None:
    listed = pickconform("variants")
    assert listed.status == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(VARIANTS)


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
    if catalogue()[mutant.requirement].soft:
        arguments += ("--strict",)  # an interpretation or a SHOULD warns; strict makes the warning a fail
    run = pickconform(*arguments, report_dir=tmp_path)
    assert run.status == 1, f"exit {run.status}\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
    assert run.verdict(mutant.requirement) == "fail", run.stdout[-3000:]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_passes(name: str, tmp_path: Path) -> None:
    """A variant reads a silent point the other way: no fail and no error; it warns exactly on what it departs from."""
    variant = VARIANTS[name]
    family = variant.requirements[0].split("-")[0].lower()
    selection = [arg for requirement in variant.requirements for arg in ("--requirement", requirement)]
    run = pickconform("run", "--api", family, "--variant", name, *selection, report_dir=tmp_path)
    statuses = run.statuses()
    wrong = {r: s for r, s in statuses.items() if s in ("fail", "error")}
    assert run.status == 0 and not wrong, f"exit {run.status}: {wrong}\n{run.stdout[-3000:]}"
    warned = {r for r, s in statuses.items() if s == "warn"}
    departs = set(variant.departs) | set(variant.departs_inferred)
    assert warned == departs, f"warned on {sorted(warned)}, departs from {sorted(departs)}"
    assert run.report is not None
    for requirement in run.report["requirements"]:
        if requirement["id"] in variant.departs_inferred:  # documented: warned only for what no document states
            assert requirement["evidence"] and all(e["soft"] for e in requirement["evidence"]), requirement
    assert all(r["judged"] > 0 for r in run.report["requirements"] if r["status"] == "pass")
