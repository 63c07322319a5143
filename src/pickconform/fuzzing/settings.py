"""The run's fuzzing settings: set by the pytest plugin around the collection of each module (Schemathesis builds a
fuzz test's strategies when its module is collected) and around each test's call, never held in a global."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["FuzzSettings", "current", "fuzzing_with"]


@dataclass(frozen=True)
class FuzzSettings:
    """What the command line asks of fuzzing."""

    examples: int = 20
    randomised: bool = False
    seed: int = 0
    replaying: bool = False  # cases come from cassettes: Schemathesis generates none, not even at collection
    all_operations: bool = False  # also judge the set-up operations (findings on them are warnings)


_CURRENT: ContextVar[FuzzSettings | None] = ContextVar("pickconform_fuzz_settings", default=None)
_DEFAULTS = FuzzSettings()


def current() -> FuzzSettings:
    """The settings of the run collecting or running now (the defaults outside a run)."""
    return _CURRENT.get() or _DEFAULTS


@contextlib.contextmanager
def fuzzing_with(settings: FuzzSettings) -> Iterator[None]:
    token = _CURRENT.set(settings)
    try:
        yield
    finally:
        _CURRENT.reset(token)
