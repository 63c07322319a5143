"""Which tests may not overlap on one shared target: each family's declaration (its descriptor's `concurrency`, from
`pickconform.<family>.concurrency.EXCLUSIVE`: a group's name → `fnmatch` patterns of node ids below the family's
folder of tests), read here for the xdist scheduler (`pytest_xdist_make_scheduler`): a group's tests run on one
worker, one after another."""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

from pickconform.registry import registered


def declarations() -> dict[str, dict[str, tuple[str, ...]]]:
    """Each registered family's exclusive groups, by family name."""
    return {name: dict(family.concurrency or {}) for name, family in registered().items()}


def exclusive_group(nodeid: str) -> str | None:
    """The exclusive group of the test with this node id, or None when it may run beside anything."""
    path, _, rest = nodeid.partition("::")
    parts = PurePosixPath(path).parts
    declared = declarations()
    if len(parts) < 2 or parts[-2] not in declared:
        return None
    local = f"{parts[-1]}::{rest}"
    for group, patterns in declared[parts[-2]].items():
        if any(fnmatch.fnmatchcase(local, pattern) for pattern in patterns):
            return group
    return None
