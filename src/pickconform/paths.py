"""Where the suite's data lives: the specs, the features and the conformance tests.

A checkout (editable install) keeps them at the top level; a wheel carries them in `_suite/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pickconform.registry import NAMES, registered


def _find_root() -> Path:
    if env := os.environ.get("PICKCONFORM_ROOT"):
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1], here / "_suite"):
        if (candidate / "specs").is_dir() and (candidate / "features").is_dir():
            return candidate
    raise RuntimeError("pickconform cannot find its specs/ and features/; set PICKCONFORM_ROOT to the checkout")


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
