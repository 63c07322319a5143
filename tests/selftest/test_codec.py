"""A test's outcome crosses from the process that ran it to the one that writes the report (the xdist controller)
through one module, `pickconform.pytest_plugin.codec`: what it encodes into a test report comes back unchanged after
pytest serialises the report as xdist does."""

from __future__ import annotations

import json

import pytest

from pickconform.family import ready_data
from pickconform.pytest_plugin import codec
from pickconform.report import Finding, TestOutcome


def _across_xdist(config: pytest.Config, report: pytest.TestReport) -> pytest.TestReport:
    """The report as a controller receives it: serialised by pytest's public hooks, carried as JSON."""
    data = json.loads(json.dumps(config.hook.pytest_report_to_serializable(config=config, report=report)))
    return config.hook.pytest_report_from_serializable(config=config, data=data)


def test_an_outcome_encoded_on_a_worker_decodes_unchanged_on_the_controller(request: pytest.FixtureRequest) -> None:
    item = request.node  # a real item: its stash holds the data lines the test noted
    item.stash[ready_data.NOTED] = ["product P-1 (test_data)", "order O-7 (set-up)"]
    report = pytest.TestReport(item.nodeid, item.location, {}, "failed", "the target broke it", "call", duration=0.25)
    finding = Finding("CLARUS-ERR-36", "answered 37", {"request": {"method": "POST"}}, count=2, soft=True)
    codec.encode(
        report,
        item,
        requirements=("CLARUS-ERR-36", "CLARUS-NO-5XX"),
        scenario={"name": "empty ids", "steps": []},
        exchanges=3,
        findings=[finding],
        outside=["CLARUS-AUTH-REQUIRED: answered 200 without a token"],
        stopped="CLARUS-ERR-36",
        precondition="the order never became PENDING",
        error="",
        stale_cassette=("specs/clarus/openapi.yaml",),
        unexpected_inbound={"count": 1, "examples": ["GET /nope"]},
        log={"exchanges": [{"request": {"method": "POST"}}], "count": 1},
        judged={"CLARUS-ERR-36": 1},
    )
    assert codec.decode(_across_xdist(request.config, report)) == TestOutcome(
        nodeid=item.nodeid,
        requirements=("CLARUS-ERR-36", "CLARUS-NO-5XX"),
        outcome="failed",
        reason="the target broke it",
        findings=(finding,),
        error="",
        stopped="CLARUS-ERR-36",
        precondition="the order never became PENDING",
        duration=0.25,
        stale_cassette=("specs/clarus/openapi.yaml",),
        scenario={"name": "empty ids", "steps": []},
        exchanges=3,
        unexpected_inbound={"count": 1, "examples": ["GET /nope"]},
        data=("product P-1 (test_data)", "order O-7 (set-up)"),
        outside=("CLARUS-AUTH-REQUIRED: answered 200 without a token",),
        log={"exchanges": [{"request": {"method": "POST"}}], "count": 1},
        judged={"CLARUS-ERR-36": 1},
    )


def test_a_report_that_carries_no_outcome_decodes_to_none(request: pytest.FixtureRequest) -> None:
    item = request.node
    report = pytest.TestReport(item.nodeid, item.location, {}, "passed", None, "setup")
    assert codec.decode(_across_xdist(request.config, report)) is None
