"""The requirement catalogue: every statement the suite checks, with its level and its source.

One TOML file per API family (`specs/<family>/requirements.toml`), so a family's requirements sit beside its specs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from pickconform.paths import FAMILIES, family_specs

LEVELS = ("MUST", "SHOULD")
# documented: the seeds or the vendor's own published reference say it (`source` quotes them);
# interpretation: pickconform decided where they are silent (`decision` links where the decision is written).
BASES = ("documented", "interpretation")


@dataclass(frozen=True)
class Requirement:
    id: str
    family: str
    level: str
    title: str
    statement: str
    source: str
    basis: str = "documented"
    decision: str = ""

    @property
    def soft(self) -> bool:
        """A breach is a `warn`, not a `fail` (unless the run is strict): an interpretation, or a SHOULD."""
        return self.basis == "interpretation" or self.level == "SHOULD"


@cache
def family_notes() -> dict[str, str]:
    """What a reader of any report about a family should know first: the vendor's deprecation of its API, from the
    `x-deprecation` of `specs/<family>/openapi.yaml` (Emporix: the pick-pack service, deprecated 2026-05-26)."""
    notes: dict[str, str] = {}
    for family in FAMILIES:
        path = family_specs(family) / "openapi.yaml"
        deprecation = yaml.safe_load(path.read_text()).get("x-deprecation") if path.exists() else None
        if isinstance(deprecation, dict) and deprecation.get("note"):
            notes[family] = " ".join(str(deprecation["note"]).split())
    return notes


def catalogue() -> dict[str, Requirement]:
    """All requirements by ID, in catalogue order (that of the registered families)."""
    return _catalogue(tuple((family, family_specs(family)) for family in FAMILIES))


@cache
def _catalogue(families: tuple[tuple[str, Path], ...]) -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    for family, specs in families:
        path = specs / "requirements.toml"
        if not path.exists():
            continue
        for entry in tomllib.loads(path.read_text())["requirement"]:
            requirement = Requirement(family=family, **entry)
            if requirement.id in found:
                raise ValueError(f"{path}: duplicate requirement id {requirement.id}")
            if requirement.level not in LEVELS:
                raise ValueError(f"{path}: {requirement.id} has level {requirement.level!r}, expected MUST or SHOULD")
            if requirement.basis not in BASES:
                raise ValueError(f"{path}: {requirement.id} has basis {requirement.basis!r}, expected one of {BASES}")
            if requirement.basis == "interpretation" and not requirement.decision:
                raise ValueError(f"{path}: {requirement.id} is an interpretation: name its decision")
            found[requirement.id] = requirement
    return found
