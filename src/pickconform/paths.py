"""Where the suite's data lives: the specs, the features and the conformance tests.

A checkout (editable install) keeps them at the top level; a wheel carries them in the package, in `_suite/` (see
pyproject.toml, force-include). `PICKCONFORM_ROOT` names another folder laid out like a checkout.

Found without raising: importing pickconform (the pytest plugin is imported in every pytest session of an environment
where it is installed) must not fail on missing data. `missing()` says what is missing, in one line, where it matters
(the command line, a pytest session that asks for the suite).
"""

from __future__ import annotations

import os
from pathlib import Path

from pickconform.registry import NAMES, registered

__all__ = [
    "FAMILIES",
    "FEATURES",
    "PACKAGE",
    "ROOT",
    "SPECS",
    "SUITE",
    "display",
    "family_specs",
    "family_tests",
    "missing",
]

PACKAGE = Path(__file__).resolve().parent  # the pickconform package: its code, its templates


def _has_data(candidate: Path) -> bool:
    return all((candidate / part).is_dir() for part in ("specs", "features", "tests/conformance"))


def _find_root() -> Path:
    if env := os.environ.get("PICKCONFORM_ROOT"):
        return Path(env).resolve()
    checkout = PACKAGE.parents[1]  # src/pickconform → the checkout, in an editable install
    for candidate in (PACKAGE / "_suite", checkout):
        if _has_data(candidate):
            return candidate
    return PACKAGE / "_suite"  # where a wheel puts it: `missing()` says it is not there


def missing() -> str | None:
    """Why the suite's data cannot be used, in one line; None when it is all there."""
    if _has_data(ROOT):
        return None
    if os.environ.get("PICKCONFORM_ROOT"):
        return (
            f"PICKCONFORM_ROOT={os.environ['PICKCONFORM_ROOT']} holds no specs/, features/ and tests/conformance/: "
            "point it at a checkout of pickconform, or unset it"
        )
    return (
        f"pickconform cannot find its specs/, features/ and tests/conformance/ (looked in {ROOT} and in the "
        "checkout): reinstall pickconform, or set PICKCONFORM_ROOT to a checkout"
    )


def display(path: Path) -> str:
    """A path as a reader finds it: relative to the suite's root (`specs/...`, `tests/conformance/...`) or, for the
    package's code, to where the package lies (`pickconform/...`, `src/pickconform/...` in a checkout)."""
    for base in (ROOT, PACKAGE.parent):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


ROOT = _find_root()
SPECS = ROOT / "specs"
FEATURES = ROOT / "features"
SUITE = ROOT / "tests" / "conformance"
FAMILIES = NAMES  # the registered API families' names, always as registered now (`pickconform.registry`)


def family_specs(family: str) -> Path:
    """Where a registered family's specs live (its `requirements.toml`, ...)."""
    return registered()[family].specs or SPECS / family


def family_tests(family: str) -> Path:
    """Where a registered family's conformance tests live."""
    return registered()[family].tests or SUITE / family
