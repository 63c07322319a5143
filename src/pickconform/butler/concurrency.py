"""What may not overlap on one Butler target (a sandbox the workers of a run share).

A Butler target POSTs its notifications to one callback URL, the receiver of the process that registered it last:
two processes judging notifications against one target would each miss the other's. And holding allocation (the
control capability `hold`) holds it for every pick request of the target, not only the scenario's. So every Butler
test runs in one process, one after another: the whole family is one exclusive group. Its fuzz tests send their
independent cases concurrently (`pickconform.fuzzing.Pipeline`), so the group's chain of round trips stays short.

`EXCLUSIVE` maps a group's name to the tests in it: `fnmatch` patterns of a node id below the family's folder of the
conformance suite (`tests/conformance/butler/`).
"""

from __future__ import annotations

EXCLUSIVE: dict[str, tuple[str, ...]] = {
    "butler-callback": ("*",),
}
