"""Which tests may not overlap on one shared target: each family's declaration (`pickconform.<family>.concurrency`,
`EXCLUSIVE`: a group's name → `fnmatch` patterns of node ids below the family's folder), read here for the xdist
scheduler (`pytest_xdist_make_scheduler`): a group's tests run on one worker, one after another."""

from __future__ import annotations

import fnmatch
from functools import cache
from pathlib import PurePosixPath

from pickconform.butler import concurrency as butler
from pickconform.clarus import concurrency as clarus
from pickconform.emporix import concurrency as emporix

DECLARATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "clarus": clarus.EXCLUSIVE,
    "butler": butler.EXCLUSIVE,
    "emporix": emporix.EXCLUSIVE,
}


@cache
def exclusive_group(nodeid: str) -> str | None:
    """The exclusive group of the test with this node id, or None when it may run beside anything."""
    path, _, rest = nodeid.partition("::")
    parts = PurePosixPath(path).parts
    if len(parts) < 2 or parts[-2] not in DECLARATIONS:
        return None
    local = f"{parts[-1]}::{rest}"
    for group, patterns in DECLARATIONS[parts[-2]].items():
        if any(fnmatch.fnmatchcase(local, pattern) for pattern in patterns):
            return group
    return None
