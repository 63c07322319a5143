"""`pickconform diff`: recorded scenarios re-sent to another implementation; the faithful reference is unchanged, a
mutant is a breaking change named by operation, JSON path and requirement; a bad baseline is a usage error."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pickconform.reference.app import Reference
from pickconform.reference.server import ReferenceServer
from pickconform.upgrade.normalise import Difference, Scenario, compare, verdict
from tests.selftest.conftest import clarus_profile, pickconform

# Scenarios with ids learned and re-used (goods outs, jobs), polling (GraphQL, job reads), two tenants, view/manage
# scopes, no token, a malformed and an expired token.
REQUIREMENTS = (
    "CLARUS-ERR-59", "CLARUS-ERR-39", "CLARUS-POLL-TERMINAL", "CLARUS-TENANT-ISOLATION", "CLARUS-AUTH-401",
    "EMPORIX-JOB-LIFECYCLE", "EMPORIX-SCOPE-VIEW", "EMPORIX-AUTH-EXPIRED", "EMPORIX-TENANT-ISOLATION",
)  # fmt: skip
SELECTION = [arg for requirement in REQUIREMENTS for arg in ("--requirement", requirement)]
BUTLER = ("BUTLER-ASYNC-OUTCOME",)  # cancel and modify: outcomes arrive as notifications
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{16,}")
FAST = ("--poll-timeout", "1")  # a mutant's stuck state is not waited for long


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("baseline")
    run = pickconform("run", "--api", "clarus", "--api", "emporix", *SELECTION, "--record", str(base / "cassettes"))
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return base / "cassettes"


def _report(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "diff.json").read_text())


def _breaking(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for o in report["operations"] for c in o["changes"] if c["breaking"]]


def test_the_reference_against_its_own_recording_is_unchanged(baseline: Path, tmp_path: Path) -> None:
    run = pickconform("diff", "--baseline", str(baseline), report_dir=tmp_path)
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    report = _report(tmp_path)
    assert report["summary"]["scenarios"] == len(list(baseline.glob("*.json")))
    assert {s["verdict"] for s in report["scenarios"]} == {"unchanged"}, run.stdout[-3000:]
    assert {r["id"] for r in report["requirements"]} >= set(REQUIREMENTS)
    assert {r["verdict"] for r in report["requirements"]} == {"unchanged"}
    operations = {o["operation"] for o in report["operations"]}
    assert "clarus POST /goods_out_processes/process_picks_async" in operations
    assert "emporix GET /pick-pack/{tenant}/jobs/recalculations/{jobId}" in operations
    assert "clarus GraphQL query pickProcessingRequests" in operations
    # Token exchanges are not re-sent: the new target's own credentials are used.
    notes = {step["note"] for s in report["scenarios"] for step in s["steps"]}
    assert "token exchange: not re-sent" in notes
    assert (tmp_path / "diff.md").read_text().startswith("# Upgrade report:")
    assert "13 scenarios: 13 unchanged" in run.stdout or "unchanged, 0 changed (non-breaking), 0 breaking" in run.stdout


def test_a_status_code_fault_is_breaking_and_named(baseline: Path, tmp_path: Path) -> None:
    """emporix-job-created-201: a job is created with 201 instead of the documented 200."""
    run = pickconform("diff", "--baseline", str(baseline), "--mutant", "emporix-job-created-201", *FAST,
                      report_dir=tmp_path)  # fmt: skip
    assert run.status == 1, run.stdout[-3000:] + run.stderr[-2000:]
    report = _report(tmp_path)
    trigger = next(
        o for o in report["operations"] if o["operation"].endswith("POST /pick-pack/{tenant}/jobs/recalculations")
    )
    assert trigger["verdict"] == "breaking" and "status" in trigger["paths"]
    assert any(c["kind"] == "status" and c["recorded"] == "200" and c["new"] == "201" for c in trigger["changes"])
    verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
    assert verdicts["EMPORIX-JOB-LIFECYCLE"] == "breaking"
    assert verdicts["CLARUS-ERR-59"] == "unchanged"  # another family's scenarios are not touched
    assert "emporix POST /pick-pack/{tenant}/jobs/recalculations  status status: 200 → 201" in run.stdout


def test_a_response_body_fault_is_breaking_with_its_json_path(baseline: Path, tmp_path: Path) -> None:
    """clarus-flat-goods-out-response: goods outs answered without the JSON:API `data` envelope."""
    run = pickconform("diff", "--baseline", str(baseline), "--mutant", "clarus-flat-goods-out-response", *FAST,
                      report_dir=tmp_path)  # fmt: skip
    assert run.status == 1, run.stdout[-3000:]
    report = _report(tmp_path)
    create = next(o for o in report["operations"] if o["operation"] == "clarus POST /goods_outs")
    assert create["verdict"] == "breaking" and "$.data" in create["paths"]
    assert any(c["kind"] == "removed" for c in create["changes"] if c["path"] == "$.data")
    assert {r["id"]: r["verdict"] for r in report["requirements"]}["CLARUS-ERR-59"] == "breaking"


def test_an_asynchronous_fault_is_breaking_after_the_poll_deadline(baseline: Path, tmp_path: Path) -> None:
    """clarus-stuck-pending: a pick processing request never completes; the poll stops at its deadline."""
    run = pickconform("diff", "--baseline", str(baseline), "--mutant", "clarus-stuck-pending", "--api", "clarus",
                      "--requirement", "CLARUS-POLL-TERMINAL", *FAST, report_dir=tmp_path)  # fmt: skip
    assert run.status == 1, run.stdout[-3000:]
    report = _report(tmp_path)
    changes = _breaking(report)
    assert any(
        c["path"].endswith(".node.status") and c["recorded"] == "completed" and c["new"] == "pending" for c in changes
    ), changes
    assert {r["id"]: r["verdict"] for r in report["requirements"]}["CLARUS-POLL-TERMINAL"] == "breaking"
    assert set(report["summary"]) >= {"unchanged", "changed", "breaking", "skipped"}


def test_butler_notifications_are_compared(tmp_path: Path) -> None:
    """Outbound responses and the notifications each scenario received; a missing order_modification is breaking."""
    cassettes = tmp_path / "butler"
    selection = [arg for requirement in BUTLER for arg in ("--requirement", requirement)]
    recorded = pickconform("run", "--api", "butler", *selection, "--record", str(cassettes))
    assert recorded.status == 0, recorded.stdout[-3000:]
    same = pickconform("diff", "--baseline", str(cassettes), report_dir=tmp_path / "same")
    assert same.status == 0, same.stdout[-3000:]
    steps = [step for s in _report(tmp_path / "same")["scenarios"] for step in s["steps"]]
    assert any(step["operation"] == "butler notifications" and step["verdict"] == "unchanged" for step in steps)
    mutant = pickconform("diff", "--baseline", str(cassettes), "--mutant", "butler-no-order-modification",
                         report_dir=tmp_path / "mutant")  # fmt: skip
    assert mutant.status == 1, mutant.stdout[-3000:]
    missing = [c for c in _breaking(_report(tmp_path / "mutant")) if c["operation"] == "butler notifications"]
    assert any(c["kind"] == "missing" and '"order_modification"' in c["recorded"] for c in missing), missing


def test_a_remote_profile_gets_its_own_credentials_and_nothing_secret_is_reported(
    baseline: Path, tmp_path: Path
) -> None:
    """Diff against a served reference through a profile: the client secret comes from the environment (a canary
    here); a credential slot the profile lacks (no other tenant) skips its scenarios with the reason."""
    with ReferenceServer(Reference(families=["clarus"], demo_credentials=True)) as server:
        url = f"{server.url}/clarus"
        profile = clarus_profile(tmp_path, url, name="upgraded")
        run = pickconform("diff", "--baseline", str(baseline), "--profile", str(profile), "--api", "clarus",
                          report_dir=tmp_path / "out", env={"PICKCONFORM_TEST_SECRET": "acme-secret"})  # fmt: skip
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    report = _report(tmp_path / "out")
    assert report["target"] == "upgraded"
    verdicts = {s["test"].rsplit("::", 1)[1]: (s["verdict"], s["reason"]) for s in report["scenarios"]}
    assert verdicts["test_processing_the_same_order_twice_is_error_59"] == ("unchanged", "")
    # The scenarios of another tenant, and only those, are skipped with the reason.
    other_tenant = ("skipped", "the target has no credential clarus/other_tenant")
    assert {name: outcome for name, outcome in verdicts.items() if outcome[0] == "skipped"} == {
        "test_another_tenants_goods_out_cannot_be_processed_as_an_unknown_id": other_tenant,
        "test_another_tenants_goods_out_cannot_be_read": other_tenant,
    }
    for path in (tmp_path / "out").iterdir():
        text = path.read_text()
        assert "acme-secret" not in text and not BEARER.search(text), path.name


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing", "no such directory of cassettes"),
        (lambda d: d, "no pickconform cassette in it"),
        (lambda d: (d / "a.json").write_text('{"interactions": []}') and d, "no pickconform cassette in it"),
    ],
    ids=["missing", "empty", "not cassettes"],
)
def test_a_bad_baseline_is_a_usage_error(tmp_path: Path, make: Any, message: str) -> None:
    run = pickconform("diff", "--baseline", str(make(tmp_path)))
    assert run.status == 2, run.stdout + run.stderr
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_usage_errors_are_one_line(baseline: Path, tmp_path: Path) -> None:
    both = pickconform("diff", "--baseline", str(baseline), "--mutant", "clarus-process-twice", "--profile", "x.toml")
    assert both.status == 2 and "--mutant" in both.stderr and "--profile" in both.stderr
    unknown = pickconform("diff", "--baseline", str(baseline), "--mutant", "no-such-mutant")
    assert unknown.status == 2 and "unknown mutant" in unknown.stderr
    profile = pickconform("diff", "--baseline", str(baseline), "--profile", str(tmp_path / "absent.toml"))
    assert profile.status == 2 and "no such profile" in profile.stderr
    for run in (both, unknown, profile):
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


# --- the normalisation rules, in process ------------------------------------------------------------------------


def _kinds(found: list[Difference]) -> dict[str, str]:
    return {d.path: d.kind for d in found}


def test_assigned_identifiers_compare_by_shape_and_consistency() -> None:
    scenario = Scenario()
    assert (
        compare({"data": {"id": 33, "type": "goods_outs"}}, {"data": {"id": 5, "type": "goods_outs"}}, scenario) == []
    )
    # A product with the same recorded id is another resource: no conflict.
    assert compare({"data": {"id": 33, "type": "products"}}, {"data": {"id": 9, "type": "products"}}, scenario) == []
    assert scenario.substitute({"ids": [33]}) == {"ids": [9]}  # unnamed: the latest created resource
    assert scenario.substitute({"product_id": 33, "quantity": 33}) == {"product_id": 9, "quantity": 33}
    assert scenario.substitute_segment("33", "goods_outs") == "5"
    again = compare({"data": {"id": 33, "type": "goods_outs"}}, {"data": {"id": 6, "type": "goods_outs"}}, scenario)
    assert _kinds(again) == {"$.data.id": "inconsistent"}
    # Strings are identifiers everywhere, also inside text such as a GraphQL query.
    assert compare({"process_references": ["abc123def456"]}, {"process_references": ["x9"]}, scenario) == []
    assert scenario.substitute({"query": 'eq: "abc123def456"'}) == {"query": 'eq: "x9"'}
    one_for_two = compare(
        {"process_references": ["r-1aaaaa", "r-2bbbbb"]}, {"process_references": ["z", "z"]}, scenario
    )
    assert _kinds(one_for_two) == {"$.process_references[1]": "inconsistent"}


def test_echoes_values_timestamps_prose_and_shape() -> None:
    scenario = Scenario()
    scenario.remember_sent({"reference": "SO-1", "account_id": 1})
    recorded = {"reference": "SO-1", "account_id": 1, "id": 7, "created_at": "2026-01-01T00:00:00Z",
                "status": "pending", "detail": "already processed: 7"}  # fmt: skip
    new = {"reference": "SO-1", "account_id": 1, "id": 8, "created_at": "2026-11-22T15:31:06.38Z",
           "status": "pending", "detail": "already processed: 8"}  # fmt: skip
    assert compare(recorded, new, Scenario(**vars(scenario))) == []
    changed = {**new, "reference": "SO-2", "account_id": 2, "status": "in_progress", "created_at": "yesterday"}
    assert _kinds(compare(recorded, changed, Scenario(**vars(scenario)))) == {
        "$.reference": "value", "$.account_id": "value", "$.status": "value", "$.created_at": "format",
    }  # fmt: skip
    prose = compare({"message": "Job done"}, {"message": "Job finished"}, Scenario())
    assert _kinds(prose) == {"$.message": "text"} and verdict(prose) == "changed"
    # An identifier named in prose is compared as an identifier, in its place: the same number may be a quantity too.
    learned = Scenario()
    assert compare({"data": {"id": 5, "type": "products"}}, {"data": {"id": 4, "type": "products"}}, learned) == []
    detail = "product {} in warehouse 1: 8 needed, {} available"
    assert compare({"detail": detail.format(5, 5)}, {"detail": detail.format(4, 5)}, learned.copy()) == []
    for other in (detail.format(5, 5).replace("8", "7"), detail.format(3, 5), detail.format(4, 5) + "."):
        assert _kinds(compare({"detail": detail.format(5, 5)}, {"detail": other}, learned.copy())) == {
            "$.detail": "text"
        }


def test_structure_changes_breaking_or_not() -> None:
    found = compare({"a": 1, "b": [1, 2], "c": "x"}, {"a": "1", "b": [2, 1], "d": True}, Scenario())
    assert _kinds(found) == {"$.a": "type", "$.b": "reordered", "$.c": "removed", "$.d": "added"}
    assert verdict([d for d in found if d.kind in ("reordered", "added")]) == "changed"
    assert verdict(found) == "breaking"
    shorter = compare({"orders": [{"sku": "A"}, {"sku": "B"}]}, {"orders": [{"sku": "B"}]}, Scenario())
    assert [(d.path, d.kind) for d in shorter] == [("$.orders[0]", "missing")]
    # Where order is promised (Butler notifications), another order is breaking.
    ordered = compare([{"t": "info"}, {"t": "outcome"}], [{"t": "outcome"}, {"t": "info"}], Scenario(), "notifications")
    assert [d.kind for d in ordered] == ["order"] and verdict(ordered) == "breaking"
