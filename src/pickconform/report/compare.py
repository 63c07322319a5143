"""Run over run (issue 17): each requirement's outcome beside the last run's, so a nightly job sees what changed and
can go red only on what is new.

A requirement *fails* here when its outcome is `fail` or `error` (either way the target, or the run against it, is
not what it was meant to be). Against the baseline it is:

- **newly failing**: failing now, not failing (or not there) last time;
- **fixed**: failing last time, passing (or warning) now;
- **still failing**: failing both times, for the same reason;
- **changed reason**: failing both times, for another reason (the same fault moved, or another one appeared);
- **changed**: any other change of outcome (a pass now skipped, a warning now passing, ...);
- **new** / **removed**: in one report only (another catalogue, another `--api` or `--requirement`);
- **unchanged**: the same outcome (counted, not listed).

Reasons are compared with the run ids and the numbers taken out: a persistent target hands out new ids every night,
and "goods out 812" against "goods out 377" is the same finding.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "FAILING",
    "BaselineError",
    "Change",
    "as_markdown",
    "compare",
    "lines",
    "load",
    "newly_failing",
    "summary_line",
]

FAILING = ("fail", "error")


class Change(StrEnum):
    NEWLY_FAILING = "newly failing"
    FIXED = "fixed"
    STILL_FAILING = "still failing"
    CHANGED_REASON = "changed reason"
    CHANGED = "changed"
    NEW = "new"
    REMOVED = "removed"
    UNCHANGED = "unchanged"


CHANGES = tuple(Change)  # in the order the reports list them: what needs attention first


class BaselineError(ValueError):
    """A baseline report that cannot be compared with: missing, not JSON, not a pickconform report.json."""


def load(path: str | Path) -> dict[str, Any]:
    """A report.json to compare with: the file, or a report directory holding one. One-line BaselineError if not."""
    given = Path(path)
    file = given / "report.json" if given.is_dir() else given
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file (a report.json of an earlier run, or its directory)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot be read ({type(exc).__name__})") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({exc})") from None
    requirements = document.get("requirements") if isinstance(document, dict) else None
    if not isinstance(requirements, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("status"), str) for r in requirements
    ):
        raise BaselineError(f"{path}: not a pickconform report.json (no list of requirements with id and status)")
    return document


def _run_ids(*documents: dict[str, Any]) -> list[str]:
    ids = []
    for document in documents:
        run = document.get("run") if isinstance(document.get("run"), dict) else {}
        if isinstance(run.get("run_id"), str) and run["run_id"]:
            ids.append(run["run_id"])
    return sorted(set(ids), key=len, reverse=True)


def _normalised(reason: str, run_ids: list[str]) -> str:
    for run_id in run_ids:
        reason = reason.replace(run_id, "{run}")
    return re.sub(r"\d+", "#", " ".join(reason.split()))


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None, run_ids: list[str]) -> Change:
    if before is None:
        return Change.NEW
    if after is None:
        return Change.REMOVED
    was, now = before.get("status"), after.get("status")
    if now in FAILING and was not in FAILING:
        return Change.NEWLY_FAILING
    if was in FAILING and now in ("pass", "warn"):
        return Change.FIXED
    if was in FAILING and now in FAILING:
        same = was == now and _normalised(str(before.get("reason", "")), run_ids) == _normalised(
            str(after.get("reason", "")), run_ids
        )
        return Change.STILL_FAILING if same else Change.CHANGED_REASON
    return Change.UNCHANGED if was == now else Change.CHANGED


def compare(baseline: dict[str, Any], current: dict[str, Any], baseline_name: str = "") -> dict[str, Any]:
    """The comparison report.json carries under `comparison`: the baseline, counts per kind of change, and one entry
    per requirement that did not stay as it was (a requirement new in this run and failing is newly failing)."""
    run_ids = _run_ids(baseline, current)
    before = {r["id"]: r for r in baseline.get("requirements") or [] if isinstance(r, dict)}
    after = {r["id"]: r for r in current.get("requirements") or [] if isinstance(r, dict)}
    entries = []
    for requirement in [*after, *(r for r in before if r not in after)]:
        was, now = before.get(requirement), after.get(requirement)
        change = _change(was, now, run_ids)
        if change is Change.NEW and now is not None and now.get("status") in FAILING:
            change = Change.NEWLY_FAILING
        entries.append(
            {
                "id": requirement,
                "change": str(change),
                "before": was.get("status") if was else None,
                "after": now.get("status") if now else None,
                "before_reason": str(was.get("reason") or "") if was else "",
                "after_reason": str(now.get("reason") or "") if now else "",
            }
        )
    run = baseline.get("run") if isinstance(baseline.get("run"), dict) else {}
    environment = baseline.get("environment") if isinstance(baseline.get("environment"), dict) else {}
    order = {change: index for index, change in enumerate(CHANGES)}
    return {
        "baseline": baseline_name,
        "baseline_run": {
            "target": str(baseline.get("target") or ""),
            "run_id": str(run.get("run_id") or ""),
            "started": str(environment.get("started") or ""),
            "pickconform": str(baseline.get("pickconform") or ""),
        },
        "summary": {str(change): sum(e["change"] == change for e in entries) for change in CHANGES},
        "requirements": sorted(
            (e for e in entries if e["change"] != Change.UNCHANGED), key=lambda e: order[Change(e["change"])]
        ),
    }


def newly_failing(comparison: dict[str, Any]) -> list[str]:
    return [e["id"] for e in comparison.get("requirements") or [] if e.get("change") == Change.NEWLY_FAILING]


def summary_line(comparison: dict[str, Any]) -> str:
    counts = comparison.get("summary") or {}
    return " · ".join(f"{counts.get(str(c), 0)} {c}" for c in CHANGES)


def lines(comparison: dict[str, Any]) -> list[str]:
    """The comparison for a terminal: one line per requirement that changed, then the counts."""
    out = []
    for entry in comparison.get("requirements") or []:
        was, now = entry.get("before") or "-", entry.get("after") or "-"
        reason = entry.get("after_reason") or entry.get("before_reason") or ""
        line = f"{entry['change'].upper():<15} {entry['id']}: {was} → {now}"
        out.append(line + (f" — {reason[:160]}" if reason else ""))
    baseline = comparison.get("baseline_run") or {}
    since = f"run {baseline.get('run_id') or '?'}" + (f" of {baseline['started']}" if baseline.get("started") else "")
    out.append(f"since {comparison.get('baseline') or 'the baseline'} ({since}): {summary_line(comparison)}")
    return out


def as_markdown(comparison: dict[str, Any]) -> list[str]:
    """The section report.md gets when the run had a baseline."""
    baseline = comparison.get("baseline_run") or {}
    out = [
        "## Since the last run",
        "",
        f"Baseline: `{comparison.get('baseline', '')}` (run {baseline.get('run_id') or '?'}"
        + (f", started {baseline['started']}" if baseline.get("started") else "")
        + f"). **{summary_line(comparison)}**",
        "",
    ]
    changed = comparison.get("requirements") or []
    if not changed:
        return [*out, "Every requirement has the outcome it had.", ""]
    out += ["| Change | Requirement | Before | Now | Reason now (before) |", "|---|---|---|---|---|"]
    for entry in changed:
        reason = entry.get("after_reason") or ""
        if entry.get("change") == Change.CHANGED_REASON or (not reason and entry.get("before_reason")):
            reason += f" (before: {entry.get('before_reason', '')})"
        reason = reason.replace("|", "\\|").replace("\n", " ")[:400]
        out.append(
            f"| {entry['change']} | {entry['id']} | {(entry.get('before') or '-').upper()} "
            f"| {(entry.get('after') or '-').upper()} | {reason} |"
        )
    return [*out, ""]
