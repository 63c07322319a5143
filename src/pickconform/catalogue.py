"""The requirement catalogue: every statement the suite checks, with its level and its source.

One TOML file per API family (`specs/<family>/requirements.toml`), so a family's requirements sit beside its specs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from pickconform.paths import FAMILIES, SPECS

LEVELS = ("MUST", "SHOULD")


@dataclass(frozen=True)
class Requirement:
    id: str
    family: str
    level: str
    title: str
    statement: str
    source: str


@cache
def catalogue() -> dict[str, Requirement]:
    """All requirements by ID, in catalogue order."""
    found: dict[str, Requirement] = {}
    for family in FAMILIES:
        path = SPECS / family / "requirements.toml"
        if not path.exists():
            continue
        for entry in tomllib.loads(path.read_text())["requirement"]:
            requirement = Requirement(family=family, **entry)
            if requirement.id in found:
                raise ValueError(f"{path}: duplicate requirement id {requirement.id}")
            if requirement.level not in LEVELS:
                raise ValueError(f"{path}: {requirement.id} has level {requirement.level!r}, expected MUST or SHOULD")
            found[requirement.id] = requirement
    return found
