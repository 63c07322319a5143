"""The upgrade report of `pickconform diff`: per requirement and per operation, unchanged / changed (non-breaking) /
breaking, with the JSON paths that differ; written as `diff.json` and `diff.md`, summarised on the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pickconform import __version__
from pickconform.catalogue import catalogue
from pickconform.outcomes import DiffVerdict
from pickconform.upgrade.diff import ScenarioResult

ORDER = tuple(DiffVerdict)  # worst first


def _worst(verdicts: list[str]) -> str:
    return next((v for v in ORDER if v in verdicts), "skipped")


def _change(test: str, operation: str, difference: dict[str, Any]) -> dict[str, Any]:
    return {"test": test, "operation": operation, **difference}


def as_document(
    results: list[ScenarioResult],
    target: str,
    baseline: str,
    seconds: float,
    not_resent: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """diff.json; `not_resent`: the baseline's cassettes diff did not re-send, each with why (listed, not hidden)."""
    scenarios = [r.as_dict() for r in results]
    by_requirement: dict[str, list[dict[str, Any]]] = {}
    by_operation: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        for requirement in scenario["requirements"] or ["(no requirement)"]:
            by_requirement.setdefault(requirement, []).append(scenario)
        for step in scenario["steps"]:
            if step["note"]:
                continue
            entry = by_operation.setdefault(step["operation"], {"verdicts": [], "changes": [], "tests": set()})
            entry["verdicts"].append(step["verdict"])
            entry["tests"].add(scenario["test"])
            entry["changes"] += [_change(scenario["test"], step["operation"], d) for d in step["differences"]]
    titles = {r.id: r.title for r in catalogue().values()}
    requirements = []
    for requirement, tested in by_requirement.items():
        changes = [
            _change(s["test"], step["operation"], d) for s in tested for step in s["steps"] for d in step["differences"]
        ]
        requirements.append(
            {
                "id": requirement,
                "title": titles.get(requirement, ""),
                "verdict": _worst([s["verdict"] for s in tested]),
                "tests": [{"test": s["test"], "verdict": s["verdict"], "reason": s["reason"]} for s in tested],
                "paths": sorted({c["path"] for c in changes}),
                "changes": changes,
            }
        )
    operations = [
        {
            "operation": name,
            "verdict": _worst(entry["verdicts"]),
            "tests": sorted(entry["tests"]),
            "paths": sorted({c["path"] for c in entry["changes"]}),
            "changes": entry["changes"],
        }
        for name, entry in sorted(by_operation.items())
    ]
    counts = {v: sum(1 for s in scenarios if s["verdict"] == v) for v in ORDER}
    return {
        "pickconform_version": __version__,
        "target": target,
        "baseline": baseline,
        "seconds": round(seconds, 2),
        "summary": {
            "scenarios": len(scenarios),
            **counts,
            "not_resent": len(not_resent or []),
            "verdict": _worst([s["verdict"] for s in scenarios]),
        },
        "requirements": sorted(requirements, key=lambda r: (ORDER.index(r["verdict"]), r["id"])),
        "operations": sorted(operations, key=lambda o: (ORDER.index(o["verdict"]), o["operation"])),
        "scenarios": scenarios,
        "not_resent": list(not_resent or []),
    }


def breaking(document: dict[str, Any]) -> bool:
    return document["summary"]["breaking"] > 0


def _markdown(document: dict[str, Any]) -> str:
    s = document["summary"]
    lines = [
        f"# Upgrade report: {document['baseline']} → {document['target']}",
        "",
        f"{s['scenarios']} scenarios re-sent in {document['seconds']} s: {s['unchanged']} unchanged, "
        f"{s['changed']} changed (non-breaking), {s['breaking']} breaking, {s['skipped']} skipped"
        + (f"; {s['not_resent']} cassette(s) not re-sent (listed at the end)." if s.get("not_resent") else "."),
        "",
        "## Requirements",
        "",
        "| requirement | verdict | paths that differ |",
        "|---|---|---|",
    ]
    for r in document["requirements"]:
        title = f"{r['id']} {r['title']}".strip()
        lines.append(f"| {title} | {r['verdict']} | {', '.join(f'`{p}`' for p in r['paths'][:8])} |")
    lines += ["", "## Operations", "", "| operation | verdict | paths that differ |", "|---|---|---|"]
    for o in document["operations"]:
        lines.append(f"| `{o['operation']}` | {o['verdict']} | {', '.join(f'`{p}`' for p in o['paths'][:8])} |")
    lines += ["", "## Changes", ""]
    for scenario in document["scenarios"]:
        if scenario["verdict"] == "unchanged":
            continue
        lines.append(f"### {scenario['test']} — {scenario['verdict']}")
        if scenario["reason"]:
            lines.append(f"skipped: {scenario['reason']}")
        for step in scenario["steps"]:
            for d in step["differences"]:
                flag = "BREAKING" if d["breaking"] else "changed"
                lines.append(
                    f"- {flag} `{step['operation']}` `{d['path']}` {d['kind']}: `{d['recorded']}` → `{d['new']}`"
                )
        lines.append("")
    if document.get("not_resent"):
        lines += ["## Not re-sent", ""]
        lines += [f"- `{c['test']}` ({c['cassette']}): {c['reason']}" for c in document["not_resent"]]
        lines.append("")
    return "\n".join(lines) + "\n"


def write(document: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "diff.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (directory / "diff.md").write_text(_markdown(document), encoding="utf-8")
    from pickconform.report.html import render_diff  # Jinja2 is loaded only when a report is written

    (directory / "diff.html").write_text(render_diff(document), encoding="utf-8")


def summary(document: dict[str, Any]) -> list[str]:
    """What the terminal shows: one line per requirement, then the breaking changes (operation, path), then totals."""
    lines = [f"pickconform diff: {document['baseline']} → {document['target']}"]
    width = max((len(r["id"]) for r in document["requirements"]), default=10)
    for r in document["requirements"]:
        lines.append(f"{r['verdict'].upper():<9} {r['id']:<{width}}  {r['title']}")
    distinct: dict[tuple[str, str, str], tuple[dict[str, Any], set[str]]] = {}
    for o in document["operations"]:
        for c in o["changes"]:
            if c["breaking"]:
                distinct.setdefault((c["operation"], c["path"], c["kind"]), (c, set()))[1].add(c["test"])
    if distinct:
        lines.append("breaking changes (operation, JSON path, kind: recorded → new, in how many scenarios):")
        for (operation, path, kind), (c, tests) in list(distinct.items())[:30]:
            lines.append(f"  {operation}  {path} {kind}: {c['recorded']} → {c['new']}  ({len(tests)})")
        if len(distinct) > 30:
            lines.append(f"  ... {len(distinct) - 30} more in the report")
    s = document["summary"]
    lines.append(
        f"{s['scenarios']} scenarios: {s['unchanged']} unchanged, {s['changed']} changed (non-breaking), "
        f"{s['breaking']} breaking, {s['skipped']} skipped ({document['seconds']} s)"
        + (f"; {s['not_resent']} fuzzing cassette(s) not re-sent (see the report)" if s.get("not_resent") else "")
    )
    return lines
