"""The conformance report: one verdict per requirement (pass, fail or skip with a reason), from the tests' outcomes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pickconform import __version__
from pickconform.catalogue import Requirement


@dataclass
class TestOutcome:
    __test__ = False  # a dataclass, not a pytest test class
    nodeid: str
    requirements: tuple[str, ...]
    outcome: str  # passed | failed | skipped
    reason: str = ""
    violated: str | None = None  # the requirement a failure names, when it names one
    duration: float = 0.0
    stale_cassette: tuple[str, ...] = ()  # spec files changed since the replayed cassette was recorded


@dataclass
class Verdict:
    requirement: Requirement
    status: str
    reason: str
    tests: list[dict[str, str]] = field(default_factory=list)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def verdicts(requirements: list[Requirement], outcomes: list[TestOutcome]) -> list[Verdict]:
    """A requirement fails if a test failed on it, passes if a test passed, else is skipped with the reasons."""
    result = []
    for requirement in requirements:
        tests: list[dict[str, str]] = []
        for outcome in outcomes:
            linked = requirement.id in outcome.requirements or outcome.violated == requirement.id
            if not linked:
                continue
            status, reason = outcome.outcome, _first_line(outcome.reason)
            if status == "failed" and outcome.violated not in (None, requirement.id):
                # The test stopped on another requirement before it could judge this one.
                status, reason = "blocked", f"not judged: the test failed first on {outcome.violated}"
            tests.append({"nodeid": outcome.nodeid, "outcome": status, "reason": reason})
        failed = [t for t in tests if t["outcome"] == "failed"]
        if failed:
            verdict = Verdict(requirement, "fail", f"{failed[0]['reason']} ({failed[0]['nodeid']})", tests)
        elif any(t["outcome"] == "passed" for t in tests):
            verdict = Verdict(requirement, "pass", "", tests)
        elif tests:
            reasons = sorted({t["reason"] or t["outcome"] for t in tests})
            verdict = Verdict(requirement, "skip", "; ".join(reasons), tests)
        else:
            verdict = Verdict(requirement, "skip", "no test of this requirement ran", tests)
        result.append(verdict)
    return result


def as_document(items: list[Verdict], target: str, run: dict[str, Any]) -> dict[str, Any]:
    summary = {status: sum(v.status == status for v in items) for status in ("pass", "fail", "skip")}
    return {
        "pickconform": __version__,
        "target": target,
        "run": run,
        "summary": summary,
        "requirements": [
            {
                "id": v.requirement.id,
                "title": v.requirement.title,
                "level": v.requirement.level,
                "source": v.requirement.source,
                "status": v.status,
                "reason": v.reason,
                "tests": v.tests,
            }
            for v in items
        ],
    }


def as_markdown(document: dict[str, Any]) -> str:
    summary = document["summary"]
    lines = [
        f"# Conformance report: {document['target']}",
        "",
        f"pickconform {document['pickconform']} · seed {document['run']['seed']} · run {document['run']['run_id']}"
        f" · clock {document['run']['clock']}",
        "",
        f"**{summary['pass']} pass · {summary['fail']} fail · {summary['skip']} skip**",
        "",
        *_cassette_lines(document.get("cassettes")),
        "| Requirement | Level | Status | Title | Reason |",
        "|---|---|---|---|---|",
    ]
    for r in document["requirements"]:
        reason = r["reason"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {r['id']} | {r['level']} | {r['status'].upper()} | {r['title']} | {reason} |")
    return "\n".join(lines) + "\n"


def _cassette_lines(cassettes: dict[str, Any] | None) -> list[str]:
    if not cassettes:
        return []
    verb = "Recorded into" if cassettes["mode"] == "record" else "Replayed from"
    lines = [f"{verb} the cassettes in `{cassettes['directory']}`."]
    stale = cassettes["stale"]
    if stale:
        changed = sorted({name for names in stale.values() for name in names})
        lines.append(
            f"**{len(stale)} stale cassette(s)**: recorded with other specs ({', '.join(changed[:5])}); "
            "their verdicts judge the old contract. Re-record with `--record`."
        )
    return [*lines, ""]


def write(document: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    (directory / "report.md").write_text(as_markdown(document))
