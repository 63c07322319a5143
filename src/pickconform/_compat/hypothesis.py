"""Hypothesis internals: the pool of literals it mixes in from local modules, and the settings a collected
`@given` test runs with. Both are changed only for the block of a conformance fuzz test (never at import: the
pytest plugin is loaded in every pytest session of an environment where pickconform is installed)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
from hypothesis.internal.conjecture import providers

from pickconform._compat import require

__all__ = ["local_constants_are_off", "settings_replaced", "without_local_constants"]

require(
    callable(getattr(providers, "_get_local_constants", None)) and hasattr(providers, "Constants"),
    "hypothesis",
    hypothesis.__version__,
    "internal.conjecture.providers._get_local_constants",
)
require(
    hasattr(getattr(providers, "CONSTANTS_CACHE", None), "cache"),
    "hypothesis",
    hypothesis.__version__,
    "internal.conjecture.providers.CONSTANTS_CACHE",
)

# What Hypothesis' @given leaves on a test, and reads when the test is called (Schemathesis sets it the same way).
SETTINGS_ATTRIBUTE = "_hypothesis_internal_use_settings"

_EMPTY = providers.Constants()
_lock = threading.Lock()
_depth = 0
_original: list[Callable[[], Any]] = []  # Hypothesis' own, while a block has it replaced


def _no_local_constants() -> Any:
    return _EMPTY


@contextlib.contextmanager
def without_local_constants() -> Iterator[None]:
    """Hypothesis mixes string and number literals from every loaded module outside site-packages into the data it
    draws: the embedded reference's modules when it runs in process, not when a profile names a remote target. So
    the same seed would send other cases to another target. Turned off for the block, the cases depend on seed and
    spec alone; other tests of the session keep Hypothesis' own behaviour. Hypothesis caches the constants it
    filtered per kind of draw: emptied on the way in and out, so neither side draws the other's pool."""
    global _depth
    with _lock:
        if _depth == 0:
            _original.append(providers._get_local_constants)
            providers._get_local_constants = _no_local_constants
            providers.CONSTANTS_CACHE.cache.clear()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                providers._get_local_constants = _original.pop()
                providers.CONSTANTS_CACHE.cache.clear()


def local_constants_are_off() -> bool:
    return providers._get_local_constants() == providers.Constants()


@contextlib.contextmanager
def settings_replaced(test: object, change: Callable[[hypothesis.settings], hypothesis.settings]) -> Iterator[bool]:
    """A collected `@given` test runs, for the block, with `change` of the settings it was collected with (yields
    whether it is one; a test that is not is left alone)."""
    current = getattr(test, SETTINGS_ATTRIBUTE, None)
    if not isinstance(current, hypothesis.settings):
        yield False
        return
    setattr(test, SETTINGS_ATTRIBUTE, change(current))
    try:
        yield True
    finally:
        setattr(test, SETTINGS_ATTRIBUTE, current)
