"""Mutants and variants: other behaviours of the reference implementation, switched on one at a time.

- A *mutant* breaks a documented point: the suite must fail it on the requirement it names.
- A *variant* reads a point the documents leave open the other way: the suite must pass it (no fail, no error; a
  warning only on the interpretations it names).

The reference asks `faults.active("name")` at the one place where each applies, so a reader finds the other behaviour
next to the faithful one. The project's tests prove both directions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pickconform.registry import registered


@dataclass(frozen=True)
class Mutant:
    name: str
    requirement: str
    description: str


@dataclass(frozen=True)
class Variant:
    name: str
    decides: str  # what it decides differently, in a line
    requirements: tuple[str, ...]  # the requirements whose tests exercise the point
    departs: tuple[str, ...] = ()  # the interpretations it may warn on (a warning names the decision it departs from)
    # documented requirements it warns on only through findings against what no document states (a constraint
    # pickconform inferred, null for an optional field): every finding of theirs must be soft
    departs_inferred: tuple[str, ...] = ()


_REGISTRY: dict[str, Mutant] = {}
_VARIANTS: dict[str, Variant] = {}


def mutant(name: str, requirement: str, description: str) -> str:
    """Declare a mutant (at import of its family's `mutants` module); returns the name for use in `faults.active`."""
    if name in _REGISTRY:
        raise ValueError(f"mutant {name} declared twice")
    _REGISTRY[name] = Mutant(name, requirement, description)
    return name


def variant(
    name: str,
    decides: str,
    requirements: tuple[str, ...],
    departs: tuple[str, ...] = (),
    departs_inferred: tuple[str, ...] = (),
) -> str:
    """Declare a variant (at import of its family's `mutants` module); returns the name for use in `faults.active`."""
    if name in _VARIANTS or name in _REGISTRY:
        raise ValueError(f"variant {name} declared twice")
    _VARIANTS[name] = Variant(name, decides, tuple(requirements), tuple(departs), tuple(departs_inferred))
    return name


def all_variants() -> dict[str, Variant]:
    _load()
    return dict(sorted(_VARIANTS.items()))


def all_mutants() -> dict[str, Mutant]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def _load() -> None:
    for family in registered().values():
        family.faults()  # declares the family's mutants and variants, at its first call


class Faults:
    """The behaviours a reference server runs with: none for the faithful reference, one for a mutant or a variant."""

    def __init__(self, *names: str) -> None:
        known = {**all_mutants(), **all_variants()}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KeyError(
                f"unknown mutant or variant {unknown[0]!r} (see `pickconform mutants`, `pickconform variants`)"
            )
        self.names = frozenset(names)

    def active(self, *names: str) -> bool:
        """Whether any of these faults is on."""
        return not self.names.isdisjoint(names)
