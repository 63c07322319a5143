"""What the plugin turns test reports into: outcomes for the conformance report, and the terminal's verdicts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pickconform import report
from pickconform.family import ready_data
from pickconform.report import Finding, TestOutcome

__all__ = ["OutcomeCollector", "write_verdicts"]

_MARKUP = {
    "PASS": {"green": True},
    "FAIL": {"red": True, "bold": True},
    "WARN": {"yellow": True, "bold": True},
    "SKIP": {"yellow": True},
    "ERROR": {"purple": True, "bold": True},
}


class OutcomeCollector:
    """Turns test reports into outcomes where the report is written: in the process that runs the tests, or in the
    xdist controller, which receives its workers' test reports."""

    def __init__(self, outcomes: list[report.TestOutcome]) -> None:
        self.outcomes = outcomes

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if "requirements" not in properties:
            return  # not a conformance test, or its passing setup or teardown
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = report.longrepr[2].removeprefix("Skipped: ")
        elif report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            reason = crash.message if crash is not None else str(report.longrepr)
        self.outcomes.append(
            TestOutcome(
                report.nodeid,
                tuple(properties["requirements"].split()),
                report.outcome,
                reason,
                tuple(Finding(**f) for f in json.loads(properties.get("findings") or "[]")),
                properties.get("error", ""),
                properties.get("stopped", ""),
                report.duration,
                tuple(properties.get("stale_cassette", "").split()),
                json.loads(properties.get("scenario") or "{}"),
                int(properties.get("exchanges") or 0),
                json.loads(properties.get("unexpected_inbound") or "{}"),
                ready_data.used(report.user_properties),
            )
        )


def write_verdicts(terminalreporter: Any, document: dict[str, Any]) -> None:
    """One line per requirement, the summary, and where each fail's or error's evidence is."""
    terminalreporter.section(f"pickconform: conformance of {document['target']}")
    width = max((len(r["id"]) for r in document["requirements"]), default=10)
    for r in document["requirements"]:
        status = r["status"].upper()
        terminalreporter.write(f"{status:<5}", **_MARKUP[status])
        line = f" {r['id']:<{width}}  {r['title']}"
        if r["reason"] and status != "PASS":
            line += f" — {r['reason'][:160]}"
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"requirements: {report.summary_line(document)}")
    for line in _failure_lines(document):
        terminalreporter.write_line(line)


def _failure_lines(document: dict[str, Any]) -> list[str]:
    """For each fail and error: its one-line reason and where its evidence is."""
    lines = []
    for r in document["requirements"]:
        if r["status"] in ("fail", "error"):
            where = f"{len(r['evidence'])} exchange(s) in report.json/report.html" if r["evidence"] else "see above"
            lines.append(f"  {r['status'].upper()} {r['id']}: {r['reason'][:200]} [evidence: {where}]")
    return lines
