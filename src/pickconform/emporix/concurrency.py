"""What may not overlap on one Emporix target (a sandbox the workers of a run share).

An AUTOMATIC recalculation job takes every order of the tenant with a packing event newer than its last
recalculation, whoever made the event. So the tests that trigger AUTOMATIC jobs (fuzzing the recalculation POST, whose
positive cases include AUTOMATIC ones, and the two AUTOMATIC scenarios) must not overlap: a scenario that counts on
its job selecting exactly its own orders would find them taken by another's job. MANUAL jobs name their orders; one
that meets an order another job holds waits for it (the 409 is judged only where the scenario caused it), so the
other Emporix tests may run beside anything.

`EXCLUSIVE` maps a group's name to the tests in it: `fnmatch` patterns of a node id below the family's folder of the
conformance suite (`tests/conformance/emporix/`).
"""

from __future__ import annotations

EXCLUSIVE: dict[str, tuple[str, ...]] = {
    "emporix-automatic": (
        "test_fuzz.py::test_operation[[]POST /pick-pack/{tenant}/jobs/recalculations]",
        "test_scenarios.py::test_an_automatic_job_selects_the_orders_with_packing_events",
        "test_scenarios.py::test_an_automatic_job_leaves_out_orders_recalculated_since_their_latest_packing_event",
    ),
}
