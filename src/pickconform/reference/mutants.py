"""Mutants: deliberate faults of the reference implementation, one or more per requirement.

The reference asks `faults.active("name")` at the one place where each fault applies, so a reader finds the faulty
behaviour next to the faithful one. The project's tests prove the suite fails each mutant on the requirement it names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from pickconform.paths import FAMILIES


@dataclass(frozen=True)
class Mutant:
    name: str
    requirement: str
    description: str


_REGISTRY: dict[str, Mutant] = {}


def mutant(name: str, requirement: str, description: str) -> str:
    """Declare a mutant (at import of its family's `mutants` module); returns the name for use in `faults.active`."""
    if name in _REGISTRY:
        raise ValueError(f"mutant {name} declared twice")
    _REGISTRY[name] = Mutant(name, requirement, description)
    return name


def all_mutants() -> dict[str, Mutant]:
    for family in FAMILIES:
        try:
            importlib.import_module(f"pickconform.reference.{family}.mutants")
        except ModuleNotFoundError as exc:
            if exc.name != f"pickconform.reference.{family}.mutants" and exc.name != f"pickconform.reference.{family}":
                raise
    return dict(sorted(_REGISTRY.items()))


class Faults:
    """The faults a reference server runs with: none for the faithful reference, one for a mutant."""

    def __init__(self, *names: str) -> None:
        known = all_mutants()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KeyError(f"unknown mutant {unknown[0]!r} (see `pickconform mutants`)")
        self.names = frozenset(names)

    def active(self, *names: str) -> bool:
        """Whether any of these faults is on."""
        return not self.names.isdisjoint(names)
