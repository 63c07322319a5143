"""How a conformance test's outcome crosses from the process that ran it to the one that writes the report: under
pytest-xdist, from a worker to the controller. Both ends are here, so they cannot drift apart.

- A test's outcome travels in its pytest report's `user_properties` (xdist serialises them with the report): `encode`
  adds them where the test ran, `decode` turns a report that carries them back into a `TestOutcome` where the report is
  written (in a single process, the same process).
- What a worker knows only at its end (the unexpected inbound requests after its last test, a reused run id) travels
  in its `workeroutput`: `put_worker_output` on the worker, `take_worker_output` on the controller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from pickconform.family import ready_data
from pickconform.report import Finding, TestOutcome

__all__ = ["decode", "encode", "put_worker_output", "take_worker_output"]

DATA = "data"  # one property per line saying which data the test used (`ready_data.ReadyData.note`)
_LEFTOVER = "pickconform_unexpected_inbound"
_RUN_ID_REUSED = "pickconform_run_id_reused"


def encode(
    test_report: pytest.TestReport,
    item: pytest.Item,
    *,
    requirements: Sequence[str],
    scenario: dict[str, Any],
    exchanges: int,
    findings: Sequence[Finding],
    outside: Sequence[str],
    stopped: str,
    precondition: str,
    error: str,
    stale_cassette: Sequence[str],
    unexpected_inbound: dict[str, Any],
    log: dict[str, Any] | None,
    judged: dict[str, int],
) -> None:
    """What the report needs of a test, added to its test report's user properties."""
    test_report.user_properties += [
        ("requirements", " ".join(requirements)),
        ("scenario", json.dumps(scenario)),
        ("exchanges", str(exchanges)),
        ("judged", json.dumps(judged)),
        ("findings", json.dumps([f.as_dict() for f in findings])),
        ("outside", json.dumps(list(outside))),
        ("stopped", stopped),
        ("precondition", precondition),
        ("error", error),
        ("stale_cassette", " ".join(stale_cassette)),
        ("unexpected_inbound", json.dumps(unexpected_inbound)),
        ("log", json.dumps(log) if log else ""),
        *((DATA, line) for line in item.stash.get(ready_data.NOTED, [])),
    ]


def decode(report: pytest.TestReport) -> TestOutcome | None:
    """The outcome a test report carries; None for one that carries none (not a conformance test, or its passing
    setup or teardown)."""
    properties = dict(report.user_properties)
    if "requirements" not in properties:
        return None
    reason = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
    elif report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        reason = crash.message if crash is not None else str(report.longrepr)
    return TestOutcome(
        nodeid=report.nodeid,
        requirements=tuple(properties["requirements"].split()),
        outcome=report.outcome,
        reason=reason,
        findings=tuple(Finding(**f) for f in json.loads(properties.get("findings") or "[]")),
        error=properties.get("error", ""),
        stopped=properties.get("stopped", ""),
        precondition=properties.get("precondition", ""),
        duration=report.duration,
        stale_cassette=tuple(properties.get("stale_cassette", "").split()),
        scenario=json.loads(properties.get("scenario") or "{}"),
        exchanges=int(properties.get("exchanges") or 0),
        unexpected_inbound=json.loads(properties.get("unexpected_inbound") or "{}"),
        data=tuple(str(value) for key, value in report.user_properties if key == DATA),
        outside=tuple(json.loads(properties.get("outside") or "[]")),
        log=json.loads(properties.get("log") or "{}"),
        judged=json.loads(properties["judged"]) if "judged" in properties else None,
    )


def put_worker_output(config: pytest.Config, leftover: dict[str, Any], run_id_reused: str) -> None:
    """On a worker, at its end: the unexpected inbound requests that came after its last test's report, and the line
    of a run id the target had already seen ("" if none)."""
    config.workeroutput[_LEFTOVER] = leftover  # type: ignore[attr-defined]
    config.workeroutput[_RUN_ID_REUSED] = run_id_reused  # type: ignore[attr-defined]


def take_worker_output(node: Any) -> tuple[dict[str, Any], str]:
    """On the controller: what a worker that finished left (`put_worker_output`), empty if it left nothing."""
    output = getattr(node, "workeroutput", {})
    return output.get(_LEFTOVER, {}), output.get(_RUN_ID_REUSED, "")
