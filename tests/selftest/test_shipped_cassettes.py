"""The shipped cassettes (cassettes/reference, recorded against the reference implementation): the whole suite
replays from them offline to a full pass, they are not stale, and `diff` against a mutant reports a breaking change.

When a spec or a conformance test changes, these tests fail until the cassettes are re-recorded:
`pickconform run --record cassettes/reference` (see README, "Cassettes").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pickconform import cassettes
from pickconform.catalogue import catalogue
from pickconform.paths import ROOT
from tests.selftest.conftest import pickconform

SHIPPED = ROOT / "cassettes" / "reference"


def _diff_report(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "diff.json").read_text())


def _breaking(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**c, "operation": o["operation"]} for o in report["operations"] for c in o["changes"] if c["breaking"]]


def test_the_whole_suite_replays_offline_from_the_shipped_cassettes(tmp_path: Path) -> None:
    run = pickconform("run", "--replay", str(SHIPPED), "--fail-stale", report_dir=tmp_path)
    assert run.status == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert run.report is not None and run.report["target"] == "replay of reference"
    assert set(run.statuses().values()) == {"pass"} and len(run.statuses()) == len(catalogue())
    assert run.report["cassettes"] == {"mode": "replay", "directory": str(SHIPPED), "stale": {}}
    tests = {t["nodeid"] for r in run.report["requirements"] for t in r["tests"]}
    assert {cassettes.cassette_path(SHIPPED, nodeid).name for nodeid in tests} == {
        path.name for path in SHIPPED.glob("*.json")
    }, "a shipped cassette belongs to no test (or a test has none): re-record cassettes/reference"


def test_any_subset_replays_though_session_exchanges_were_recorded_in_other_tests(tmp_path: Path) -> None:
    """Tokens, the Butler capabilities and the callback registration are fetched once per session, by whichever
    test came first when recording; a replay of other tests alone (or under xdist) still finds them."""
    selection = ("--requirement", "BUTLER-NOTIFY-RETRY", "--requirement", "EMPORIX-SCOPE-VIEW")
    run = pickconform("run", "--replay", str(SHIPPED), *selection, report_dir=tmp_path)
    assert run.status == 0, run.stdout[-4000:]
    assert run.verdict("BUTLER-NOTIFY-RETRY") == run.verdict("EMPORIX-SCOPE-VIEW") == "pass"


def test_diff_of_the_shipped_cassettes_against_the_reference_breaks_nothing(tmp_path: Path) -> None:
    run = pickconform("diff", "--baseline", str(SHIPPED), report_dir=tmp_path)
    assert run.status == 0, run.stdout[-4000:] + run.stderr[-2000:]
    report = _diff_report(tmp_path)
    assert report["summary"]["breaking"] == 0 and report["summary"]["unchanged"] > 100


def test_diff_of_the_shipped_cassettes_against_a_mutant_is_breaking(tmp_path: Path) -> None:
    # emporix-job-created-201: triggering a job answers 201 where the contract (and the recording) says 200.
    run = pickconform(
        "diff", "--baseline", str(SHIPPED), "--api", "emporix", "--mutant", "emporix-job-created-201",
        "--poll-timeout", "1", report_dir=tmp_path,
    )  # fmt: skip
    assert run.status == 1, run.stdout[-4000:] + run.stderr[-2000:]
    breaking = _breaking(_diff_report(tmp_path))
    assert any(
        c["operation"] == "emporix POST /pick-pack/{tenant}/jobs/recalculations"
        and c["path"] == "status"
        and (c["recorded"], c["new"]) == ("200", "201")
        for c in breaking
    ), breaking[:5]
    verdicts = {r["id"]: r["verdict"] for r in _diff_report(tmp_path)["requirements"]}
    assert verdicts["EMPORIX-JOB-LIFECYCLE"] == "breaking"
    assert "breaking" in run.stdout
