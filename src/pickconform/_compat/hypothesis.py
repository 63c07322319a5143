"""Hypothesis internals: the pool of literals it mixes in from local modules."""

from __future__ import annotations

import hypothesis
from hypothesis.internal.conjecture import providers

from pickconform._compat import require

__all__ = ["without_local_constants"]

require(
    callable(getattr(providers, "_get_local_constants", None)) and hasattr(providers, "Constants"),
    "hypothesis",
    hypothesis.__version__,
    "internal.conjecture.providers._get_local_constants",
)


def without_local_constants() -> None:
    """Hypothesis mixes string and number literals from every loaded module outside site-packages into the data it
    draws: the embedded reference's modules when it runs in process, not when a profile names a remote target. So
    the same seed would send other cases to another target. Turned off, the cases depend on seed and spec alone."""
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty


def local_constants_are_off() -> bool:
    return providers._get_local_constants() == providers.Constants()
