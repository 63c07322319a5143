"""Cassettes under pytest-xdist: `pickconform run -- -n 2` records one cassette per test (each worker its own tests,
no shared file) and replays them, again under `-n 2`, to the same verdicts; the controller's report is complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pickconform import cassettes
from tests.selftest.conftest import Run, pickconform

# Emporix scenarios with token exchanges (shared by all cassettes on replay), polling jobs and two tenants.
REQUIREMENTS = (
    "EMPORIX-MANUAL-EXACT", "EMPORIX-JOB-LIFECYCLE", "EMPORIX-CONFLICT-409", "EMPORIX-AUTH-EXPIRED",
    "EMPORIX-SCOPE-VIEW", "EMPORIX-TENANT-ISOLATION",
)  # fmt: skip
SELECTION = ["--api", "emporix", *(arg for requirement in REQUIREMENTS for arg in ("--requirement", requirement))]
XDIST = ["--", "-n", "2"]


def _run(mode: str, cassette_dir: Path, report_dir: Path) -> Run:
    # --report-dir before `--`: the options after it go to pytest as they are.
    run = pickconform("run", *SELECTION, f"--{mode}", str(cassette_dir), "--report-dir", str(report_dir), *XDIST)
    report = report_dir / "report.json"
    run.report = json.loads(report.read_text()) if report.exists() else None
    return run


def _tests(report: dict[str, Any]) -> set[str]:
    return {test["nodeid"] for requirement in report["requirements"] for test in requirement["tests"]}


def test_record_and_replay_under_xdist(tmp_path: Path) -> None:
    directory = tmp_path / "cassettes"
    recorded = _run("record", directory, tmp_path / "recorded")
    assert recorded.status == 0, recorded.stdout[-3000:] + recorded.stderr[-2000:]
    assert "2 workers" in recorded.stdout, "the suite did not run under xdist"
    assert recorded.report is not None
    # Complete: every selected requirement has its verdict from the tests the workers ran (none "no test ran").
    assert recorded.statuses() == dict.fromkeys(REQUIREMENTS, "pass")
    tests = _tests(recorded.report)
    assert len(tests) >= len(REQUIREMENTS)

    # One cassette per test, named after it, and nothing else (no temp file, no shared cassette).
    assert sorted(path.name for path in directory.iterdir()) == sorted(
        cassettes.cassette_path(directory, nodeid).name for nodeid in tests
    )
    for path in directory.iterdir():
        document = json.loads(path.read_text())
        assert document[cassettes.METADATA_KEY]["test"] in tests

    replayed = _run("replay", directory, tmp_path / "replayed")
    assert replayed.status == 0, replayed.stdout[-3000:] + replayed.stderr[-2000:]
    assert "2 workers" in replayed.stdout
    assert replayed.statuses() == recorded.statuses()
    assert replayed.report is not None and _tests(replayed.report) == tests
    assert replayed.report["target"].startswith("replay of ")
    assert replayed.report["run"] == recorded.report["run"]
