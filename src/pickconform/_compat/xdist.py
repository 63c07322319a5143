"""pytest-xdist internals: its `loadgroup` scheduling with the group of a test read from a function of its node id.

xdist's own `loadgroup` reads a test's group from an `@name` suffix that its `xdist_group` marker appends to the node
id, which would change the node id of every grouped test (the seeded values it sends, its cassette's name, its
report entry) between one process and several. The scheduler finds a test's work unit through its private
`_split_scope(nodeid)`; overriding it keeps the node ids and everything else of `loadgroup`: a group is one work unit,
largest first, and each other test is its own unit, handed to the next worker that frees up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import xdist
from xdist.scheduler import LoadGroupScheduling

from pickconform._compat import require

__all__ = ["grouped_scheduling"]

require(callable(getattr(LoadGroupScheduling, "_split_scope", None)), "pytest-xdist", xdist.__version__, "_split_scope")


class _GroupedScheduling(LoadGroupScheduling):
    def __init__(self, config: pytest.Config, log: Any, group_of: Callable[[str], str | None]) -> None:
        super().__init__(config, log)
        self._group_of = group_of

    def _split_scope(self, nodeid: str) -> str:
        group = self._group_of(nodeid)
        return nodeid if group is None else f"exclusive group {group}"


def grouped_scheduling(config: pytest.Config, log: Any, group_of: Callable[[str], str | None]) -> Any:
    """xdist's `loadgroup` scheduler, each test's group being `group_of(nodeid)` (None: a unit of its own)."""
    return _GroupedScheduling(config, log, group_of)
