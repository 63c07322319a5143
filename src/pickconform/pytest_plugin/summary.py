"""What the plugin turns test reports into: outcomes for the conformance report, and the terminal's verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from pickconform import report
from pickconform.pytest_plugin import codec

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
        outcome = codec.decode(report)
        if outcome is not None:  # a conformance test's report that carries its outcome
            self.outcomes.append(outcome)


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
        if status == "WARN" and r.get("decision_text"):  # what pickconform decided, not only where it is written
            terminalreporter.write_line(f"      decision {r['decision']}: {r['decision_text'][:300]}")
    counts = report.test_counts(document)
    terminalreporter.write_line(
        f"requirements: {report.summary_line(document)} ({counts['tests']} tests, {counts['judged']} judged something)"
    )
    for line in _failure_lines(document):
        terminalreporter.write_line(line)


def _failure_lines(document: dict[str, Any]) -> list[str]:
    """For each fail and error: its one-line reason and where its evidence is."""
    lines = []
    for r in document["requirements"]:
        if r["status"] in ("fail", "error"):
            logs = [t["log"] for t in r["tests"] if t.get("log")]
            exchanges = sum(log["exchanges"] - log["exchanges_omitted"] for log in logs)
            notifications = sum(log["notifications"] - log["notifications_omitted"] for log in logs)
            parts = [f"{len(r['evidence'])} finding(s)"] if r["evidence"] else []
            parts += [f"{exchanges} exchange(s)"] if exchanges else []
            parts += [f"{notifications} notification(s)"] if notifications else []
            where = f"{', '.join(parts)} in report.json/report.html" if parts else "see above"
            lines.append(f"  {r['status'].upper()} {r['id']}: {r['reason'][:200]} [evidence: {where}]")
            line = next((t["reproduce"] for t in r["tests"] if t.get("reproduce")), "")
            if line:
                lines.append(f"    reproduce: {line}")
    return lines
