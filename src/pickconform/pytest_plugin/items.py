"""What the plugin knows of a collected test: its API family, its requirements, and the one it judges first."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from pickconform.paths import FAMILIES, SUITE, family_tests

__all__ = ["family_of", "is_conformance", "primary_requirement", "requirements_of"]


def is_conformance(path: Path) -> bool:
    return any(root in path.parents or path == root for root in (SUITE, *map(family_tests, FAMILIES)))


def family_of(item: pytest.Item) -> str | None:
    return family_at(Path(item.path))


def family_at(path: Path) -> str | None:
    """The registered family whose conformance tests hold `path` (a test file or a folder of them), if any."""
    for family in FAMILIES:
        with contextlib.suppress(ValueError):
            path.relative_to(family_tests(family))
            return family
    return None


def requirements_of(item: pytest.Item) -> tuple[str, ...]:
    return tuple(dict.fromkeys(arg for mark in item.iter_markers("requirement") for arg in mark.args))


def primary_requirement(item: pytest.Item, supporting: frozenset[str] = frozenset()) -> str:
    """The one requirement a test verifies as its own: its requirement tags less those its family checks on the side
    (`supporting`), or its only tag when that one is supporting. Gherkin tags carry no order (pytest-bdd keeps them as
    a set), so the rule never depends on which tag comes first. A test with none, or several, has no primary one."""
    tags = requirements_of(item)
    own = sorted(set(tags) - supporting) if len(tags) > 1 else list(tags)
    if len(own) != 1:
        besides = ", ".join(sorted(supporting)) or "none"
        raise LookupError(
            f"{item.nodeid}: a test that leaves its requirement to a generic step needs exactly one requirement tag "
            f"besides the supporting ones ({besides}); it has {', '.join(sorted(tags)) or 'none'}"
        )
    return own[0]
