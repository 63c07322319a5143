"""cucumber.json from the scenarios the run collected, in the format pytest-bdd's `--cucumberjson` writes.

Why not pytest-bdd's own writer: it reads a registry filled in the process that ran the test, so under xdist the
controller (which writes the reports) sees no scenario; and it reports a step from the test's pytest outcome alone, so
a scenario whose checks recorded violations and failed at its end shows every step passed, and a step that called
`pytest.skip` shows as passed. Here each scenario arrives as a plain dict (pytest-bdd's serialised scenario report, as
`pytest_bdd.reporting.ScenarioReport.serialize()` makes it, which travels with the test report), plus the test's
outcome, and each becomes one element:

- passed: every step passed;
- failed: the steps before the failing one passed, the failing one failed (with `error_message`), the rest skipped
  (Cucumber's convention; pytest-bdd marks them failed); when no step failed (the test failed after its last step,
  e.g. on violations it recorded and judged at the end), the last step carries the failure;
- skipped: the steps that finished passed, the one that was running when the test skipped is skipped.
"""

from __future__ import annotations

import math
from typing import Any

# A pytest outcome, or a pickconform one (a warning is not a failure of the scenario).
_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "pass": "passed",
    "warn": "passed",
    "fail": "failed",
    "error": "failed",
    "skip": "skipped",
}


def _tags(item: dict[str, Any]) -> list[dict[str, Any]]:
    """As pytest-bdd writes them: the tag's name without `@`, on the line above the keyword."""
    line = int(item.get("line_number") or 1) - 1
    return [{"name": str(tag), "line": line} for tag in item.get("tags") or []]


def _result(status: str, duration: float, error_message: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "duration": math.floor((10**9) * (duration or 0))}  # nanoseconds
    if error_message is not None:
        result["error_message"] = error_message
    return result


def _statuses(steps: list[dict[str, Any]], outcome: str) -> list[str]:
    """Each step's status, from the test's outcome and the step that failed (see the module docstring)."""
    if outcome == "passed" or not steps:
        return ["passed"] * len(steps)
    if outcome == "skipped":
        return ["passed"] * (len(steps) - 1) + ["skipped"]
    failed = next((i for i, step in enumerate(steps) if step.get("failed")), len(steps) - 1)
    return ["passed"] * failed + ["failed"] + ["skipped"] * (len(steps) - failed - 1)


def _element_id(scenario: dict[str, Any]) -> str:
    """pytest-bdd uses the test item's name (`test_x[param]`); a node id is cut to it."""
    test = str(scenario.get("test") or scenario.get("item") or "")
    if test:
        return test.rpartition("::")[2]
    return str(scenario.get("name") or "").lower().replace(" ", "-")


def element(scenario: dict[str, Any]) -> dict[str, Any]:
    """One scenario as a Cucumber element (`type: scenario`) with its steps and their results."""
    outcome = _STATUS.get(str(scenario.get("outcome") or "passed"), "failed")
    steps = [s for s in scenario.get("steps") or [] if isinstance(s, dict)]
    message = str(scenario.get("error_message") or "")
    return {
        "keyword": str(scenario.get("keyword") or "Scenario"),
        "id": _element_id(scenario),
        "name": str(scenario.get("name") or ""),
        "line": int(scenario.get("line_number") or 0),
        "description": str(scenario.get("description") or ""),
        "tags": _tags(scenario),
        "type": "scenario",
        "steps": [
            {
                "keyword": str(step.get("keyword") or ""),
                "name": str(step.get("name") or ""),
                "line": int(step.get("line_number") or 0),
                "match": {"location": ""},
                "result": _result(status, float(step.get("duration") or 0), message if status == "failed" else None),
            }
            for step, status in zip(steps, _statuses(steps, outcome), strict=True)
        ],
    }


def as_cucumber(scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cucumber JSON (a list of features, each with its scenarios as elements), in the order the scenarios came:
    one element per scenario dict (pytest-bdd's `ScenarioReportDict` plus `outcome`: the test's pytest outcome
    passed/failed/skipped or a pickconform one; optional `test`: its item name or node id, the element's id;
    optional `error_message`: for the failing step)."""
    features: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        feature = scenario.get("feature") or {}
        rel = str(feature.get("rel_filename") or feature.get("filename") or "")
        key = str(feature.get("filename") or rel)
        if key not in features:
            features[key] = {
                "keyword": str(feature.get("keyword") or "Feature"),
                "uri": rel,
                "name": str(feature.get("name") or rel),
                "id": rel.lower().replace(" ", "-"),
                "line": int(feature.get("line_number") or 0),
                "description": str(feature.get("description") or ""),
                "language": str(feature.get("language") or "en"),
                "tags": _tags(feature),
                "elements": [],
            }
        features[key]["elements"].append(element(scenario))
    return list(features.values())
