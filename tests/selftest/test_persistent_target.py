"""A sandbox that keeps its data from one run to the next: `pickconform serve`, kept running for the whole module.

- Run ids: a profile that names none gets a fresh one per run (three runs in a row add no fail and no error to the
  first); a profile's `run_id` is the report's; a run id the target has already seen stops the run with one line.
- `pickconform check`: the preflight alone, counting the test data a full run needs from the scenarios.

Lean for CI: the runs leave out the fuzz tests (they send no run-id references a target could refuse as existing),
and the reused-run-id runs one requirement.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pickconform.cli import PROFILE_WORKERS
from pickconform.determinism import check_run_id, fresh_run_id
from pickconform.family.profile import ProfileError, load_profile
from pickconform.targets import check
from tests.selftest.conftest import pickconform
from tests.selftest.test_test_data import ORDERS, PRODUCTS, SKUS_IN_STOCK

ENV = {
    "KEPT_CLARUS_SECRET": "acme-secret",
    "KEPT_CLARUS_OTHER_SECRET": "globex-secret",
    "KEPT_EMPORIX_SECRET": "acme-pickpack-secret",
    "KEPT_EMPORIX_OTHER_SECRET": "globex-pickpack-secret",
    "KEPT_BUTLER_TOKEN": "butler-demo-token",
}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """`pickconform serve` on a free port, kept running between the module's runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "pickconform.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/butler/control/capabilities", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "pickconform serve did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def write_profile(tmp_path: Path, url: str, target: str = "", extra: dict[str, str] | None = None) -> Path:
    """A profile of the served reference, every family with full capabilities unless `extra` adds to a table."""
    extra = extra or {}
    text = f"""
[target]
name = "kept sandbox"
{target}

[clarus]
base_url = "{url}/clarus"
subdomain = "acme"
{extra.get("clarus", "")}
[clarus.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "acme-client"
client_secret_env = "KEPT_CLARUS_SECRET"
[clarus.other_tenant]
subdomain = "globex"
[clarus.other_tenant.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "globex-client"
client_secret_env = "KEPT_CLARUS_OTHER_SECRET"
{extra.get("clarus.test_data", "")}

[emporix]
base_url = "{url}/emporix"
tenant = "acme"
token_url = "{url}/emporix/oauth/token"
client_id = "acme-pickpack"
client_secret_env = "KEPT_EMPORIX_SECRET"
capabilities = {extra.get("emporix.capabilities", '["seed_orders", "token_lifetime"]')}
poll_timeout = 10.0
[emporix.other_tenant]
tenant = "globex"
client_id = "globex-pickpack"
client_secret_env = "KEPT_EMPORIX_OTHER_SECRET"
{extra.get("emporix.test_data", "")}

[butler]
base_url = "{url}/butler"
token_env = "KEPT_BUTLER_TOKEN"
control_url = "{url}/butler/control"
notification_timeout = 5.0
{extra.get("butler", "")}
{extra.get("butler.test_data", "")}
"""
    path = tmp_path / "kept.toml"
    path.write_text(text)
    return path


def counts(report: dict) -> dict[str, int]:
    return report["summary"]


def bad(report: dict) -> set[tuple[str, str]]:
    return {(r["id"], r["status"]) for r in report["requirements"] if r["status"] in ("fail", "error")}


def test_three_runs_in_a_row_without_a_run_id_add_no_fail_and_no_error(tmp_path: Path, served: str) -> None:
    profile = write_profile(tmp_path, served)
    runs = [
        pickconform(
            "run", "--profile", str(profile), "--", "-k", "not test_fuzz", report_dir=tmp_path / f"r{n}", env=ENV
        )
        for n in range(3)
    ]
    for run in runs:
        assert run.report is not None, run.stderr[-2000:]
    first = runs[0].report
    assert counts(first)["pass"] > 0
    for later in runs[1:]:
        assert later.report is not None
        assert bad(later.report) <= bad(first), bad(later.report) - bad(first)
        assert counts(later.report)["skip"] <= counts(first)["skip"]
    ids = [run.report["run"]["run_id"] for run in runs if run.report is not None]
    assert len(set(ids)) == 3, ids
    for run, run_id in zip(runs, ids, strict=True):
        assert re.fullmatch(r"\d{8}t\d{6}", run_id), run_id  # from the start time, to the second
        assert f"run id {run_id}" in run.stdout  # printed in the terminal


def test_a_profile_run_id_is_the_reports_and_reusing_it_is_one_clear_error(tmp_path: Path, served: str) -> None:
    profile = write_profile(tmp_path, served, target='run_id = "nightly-42"')
    selected = ("--api", "butler", "--requirement", "BUTLER-CREATE", "--", "-k", "not test_fuzz")
    first = pickconform("run", "--profile", str(profile), *selected, report_dir=tmp_path / "first", env=ENV)
    assert first.status == 0, first.stdout[-3000:]
    assert first.report is not None and first.report["run"]["run_id"] == "nightly-42"
    again = pickconform("run", "--profile", str(profile), *selected, report_dir=tmp_path / "again", env=ENV)
    assert again.status == 2, again.stdout[-3000:]
    errors = [line for line in again.stderr.splitlines() if line.startswith("pickconform: error:")]
    assert len(errors) == 1 and "run id 'nightly-42' was already used" in errors[0] and "new run id" in errors[0]
    assert "Traceback" not in again.stderr
    assert again.report is None, "no report of a run that stopped on its run id"
    # The command line's run id wins over the profile's: a new one runs.
    renamed = pickconform("run", "--profile", str(profile), "--run-id", "nightly-43", *selected, env=ENV)
    assert renamed.status == 0, renamed.stdout[-3000:]


def test_the_run_id_is_the_controllers_in_every_xdist_worker(tmp_path: Path, served: str) -> None:
    profile = write_profile(tmp_path, served)
    cassettes = tmp_path / "cassettes"
    run = pickconform(
        "run",
        "--profile",
        str(profile),
        "--api",
        "clarus",
        "--record",
        str(cassettes),
        "--",
        "-n",
        "2",
        "-k",
        "error_3",  # Clarus's scenarios of errors 36, 37, 39 and 318
        report_dir=tmp_path / "report",
        env=ENV,
    )
    assert run.report is not None, run.stderr[-2000:]
    recorded = [json.loads(path.read_text())["pickconform"]["run_id"] for path in cassettes.rglob("*.json")]
    assert len(recorded) == 4 and set(recorded) == {run.report["run"]["run_id"]}, recorded
    assert "2 workers [4 items]" in run.stdout  # the tests did run on two processes


def test_run_ids_fit_every_reference(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    started = datetime(2026, 12, 7, 22, 31, 5, tzinfo=UTC)
    assert fresh_run_id(started) == "20261207t223105"
    assert fresh_run_id(started.replace(second=6)) != fresh_run_id(started)
    assert check_run_id("x" * 32) and len(f"SO-{'x' * 32}-12345678") <= 50  # Clarus reference: at most 50
    for wrong in ("x" * 33, "", "a b", "ü", "-lead"):
        with pytest.raises(ValueError, match="run id"):
            check_run_id(wrong)
    path = tmp_path / "p.toml"
    path.write_text('[target]\nrun_id = "night ly"\n[butler]\nbase_url = "http://127.0.0.1:9"\ntoken_env = "T"\n')
    with pytest.raises(ProfileError, match=r"\[target\]: run id 'night ly'") as error:
        load_profile(path)
    assert "\n" not in str(error.value)


def test_check_counts_the_data_a_full_run_needs_from_the_scenarios() -> None:
    """The figures the sandbox test (test_test_data) gives its profile, with no headroom, come out of the features."""
    needs: dict[str, int] = {}
    for scenario in check.scenarios():
        for step in scenario.steps:
            for pattern, need in check.NEEDS[scenario.family]:
                if match := pattern.match(step):
                    for pool, _ in need(match):
                        needs[pool] = needs.get(pool, 0) + 1
    assert needs == {"products": PRODUCTS, "orders": ORDERS - 1, "in_stock": SKUS_IN_STOCK}


def test_check_names_the_scenarios_a_short_test_data_table_would_skip(tmp_path: Path, served: str) -> None:
    profile = write_profile(
        tmp_path,
        served,
        extra={
            "clarus": "capabilities = []",
            "clarus.test_data": (
                '[clarus.test_data]\nstock_in = "none"\nproducts = [{id = 1, stock = 6}, {id = 2, stock = 3}]'
            ),
            "emporix.capabilities": '["token_lifetime"]',
            "emporix.test_data": '[emporix.test_data]\norders = ["ORD1", "ORD2", "ORD3"]',
            "butler": 'capabilities = ["callback", "hold", "rack", "pick", "finish"]',
        },
    )
    started = time.monotonic()
    run = pickconform("check", "--profile", str(profile), "--workers", "1", env=ENV, timeout=60)
    elapsed = time.monotonic() - started
    assert run.status == 3, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "clarus test data: a full run needs 14 ready products (with 2-20 units); [clarus.test_data] gives 2: " in (
        run.stdout
    )
    assert any(line.startswith('skip    clarus "Insufficient stock is error 39') for line in lines), run.stdout
    assert "emporix test data: a full run needs 14 ready orders; [emporix.test_data] gives 3" in run.stdout
    assert any('butler "Available inventory is blocked' in line and "SKU in_stock" in line for line in lines)
    assert "butler notification receiver reached by the target" in run.stdout
    assert elapsed < 30, f"check took {elapsed:.1f} s"
    # Without --workers, check counts for what `run` uses against a profile by default (--workers auto).
    default = pickconform("check", "--profile", str(profile), env=ENV, timeout=60)
    assert f"a full run needs {13 + PROFILE_WORKERS} ready orders on {PROFILE_WORKERS} workers" in default.stdout, (
        default.stdout
    )


def test_check_of_the_full_embedded_reference_is_0() -> None:
    run = pickconform("check", timeout=60)
    assert run.status == 0, run.stdout + run.stderr
    assert "butler notification receiver reached by the target" in run.stdout
    assert not [line for line in run.stdout.splitlines()[:-1] if not line.startswith("ok ")], run.stdout


def test_check_of_a_broken_profile_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[clarus]\nbase_url = "http://127.0.0.1:9"\nsubdomain = "acme"\nsurprise = 1\n')
    run = pickconform("check", "--profile", str(path), timeout=60)
    assert run.status == 2
    assert run.stderr.count("\n") == 1 and "unknown key 'surprise'" in run.stderr and "Traceback" not in run.stderr
