"""The registry of API families: one place that lists them, in order (like Schemathesis' check registry).

Each family's package exports one descriptor, a `Family`, and one line registers it: the built-in families are
registered in `pickconform/__init__.py`, so the registry is complete whichever module is imported first. A family
added by a test (or a user's own package) registers itself the same way, and is gone again with `unregister`.

This module sits below everything that asks for a family (see tests/selftest/test_architecture.py): it imports nothing
of pickconform, and a descriptor loads the heavy parts of its family (target, reference) only when they are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

__all__ = ["NAMES", "Family", "family", "register", "registered", "unregister"]


@dataclass(frozen=True)
class Family:
    """What the suite needs of one API family, and nothing it must ask the family's internals for."""

    name: str  # its profile table, its folder under specs/, features/ and tests/conformance/, its `--api` value
    Settings: type[Any]  # its profile table's dataclass (`pickconform.family.profile.parse_table`)
    # (base_url, handed, wire) → its `FamilyTarget` on the embedded reference; `handed` is what the family's reference
    # hands the suite (`FamilyReference.handed`: credentials, master data), as a sandbox's user would be told them
    embedded: Callable[[str, Any, Any], Any]
    from_settings: Callable[[Any, str, Any], Any]  # (settings, where, wire) → its `FamilyTarget` from a profile table
    reference: Callable[[Any, bool], Any]  # (faults, demo_credentials) → its `FamilyReference`, not yet started
    # Declares the family's mutants and variants (`pickconform.reference.mutants.mutant` / `variant`), once
    faults: Callable[[], object]
    # What may not overlap on one target (its `concurrency` module's `EXCLUSIVE`: a group's name → `fnmatch` patterns
    # of node ids below the family's folder of tests); None: none declared
    concurrency: Any = None
    # The class of the endpoint its target starts to receive the target's notifications (Butler's receiver), if any
    notifications: Callable[[], type[Any]] | None = None
    specs: Path | None = None  # its specs (requirements.toml, ...); None: specs/<name> of the suite
    tests: Path | None = None  # its conformance tests; None: tests/conformance/<name> of the suite


_FAMILIES: dict[str, Family] = {}


def register(descriptor: Family) -> Family:
    """List a family (after those already listed); a name is registered once."""
    if descriptor.name in _FAMILIES:
        raise ValueError(f"family {descriptor.name} registered twice")
    _FAMILIES[descriptor.name] = descriptor
    return descriptor


def unregister(name: str) -> None:
    """Remove a family registered for a while (a test's)."""
    del _FAMILIES[name]


def registered() -> dict[str, Family]:
    """The registered families, by name, in registration order."""
    return dict(_FAMILIES)


def family(name: str) -> Family:
    """One registered family; an unknown name is a KeyError naming the known ones."""
    try:
        return _FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown API family {name!r} (known: {', '.join(_FAMILIES)})") from None


class _Names(Sequence[str]):
    """The registered families' names, read at each use: `paths.FAMILIES`, the `--api` choices."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(_FAMILIES)[index]

    def __len__(self) -> int:
        return len(_FAMILIES)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_FAMILIES))

    def __contains__(self, name: object) -> bool:
        return name in _FAMILIES

    def __repr__(self) -> str:
        return repr(tuple(_FAMILIES))


NAMES: Sequence[str] = _Names()
