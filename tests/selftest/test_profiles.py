"""Target profiles: a bad one stops the run with one line and exit 2; a good one runs the same suite remotely."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from pickconform.reference.app import Reference
from pickconform.reference.server import ReferenceServer
from tests.selftest.conftest import clarus_profile as profile
from tests.selftest.conftest import pickconform


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The reference implementation as another process would see it: a server with the demo credentials."""
    with ReferenceServer(Reference(families=["clarus"], demo_credentials=True)) as server:
        yield f"{server.url}/clarus"


def assert_one_line_error(run, *fragments: str) -> None:
    assert run.status == 2, (run.status, run.stdout[-2000:], run.stderr[-2000:])
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_unknown_key(tmp_path: Path, served: str) -> None:
    path = profile(tmp_path, served, 'base_uri = "x"')
    assert_one_line_error(pickconform("run", "--profile", str(path)), "[clarus]", "unknown key 'base_uri'")


def test_missing_value(tmp_path: Path) -> None:
    path = tmp_path / "target.toml"
    path.write_text('[clarus]\nbase_url = "http://127.0.0.1:1"\n')
    assert_one_line_error(pickconform("run", "--profile", str(path)), "[clarus]", "missing 'subdomain'")


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "target.toml"
    path.write_text("[clarus\n")
    assert_one_line_error(pickconform("run", "--profile", str(path)), "not valid TOML")


def test_secret_env_unset(tmp_path: Path, served: str) -> None:
    path = profile(tmp_path, served)
    run = pickconform("run", "--profile", str(path), env={"PICKCONFORM_TEST_SECRET": ""})
    assert_one_line_error(run, "[clarus.oauth]", "PICKCONFORM_TEST_SECRET is not set")


def test_unreachable_url(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = profile(tmp_path, f"http://127.0.0.1:{port}/clarus")
    run = pickconform("run", "--profile", str(path), env={"PICKCONFORM_TEST_SECRET": "x"})
    assert_one_line_error(run, "unreachable", f"127.0.0.1:{port}")


def test_token_endpoint_refuses(tmp_path: Path, served: str) -> None:
    path = profile(tmp_path, served)
    run = pickconform("run", "--profile", str(path), env={"PICKCONFORM_TEST_SECRET": "wrong-secret"})
    assert_one_line_error(run, "answered 401", "client credentials rejected")
    assert "wrong-secret" not in run.stderr + run.stdout


def test_mutant_with_profile_is_a_usage_error(tmp_path: Path, served: str) -> None:
    path = profile(tmp_path, served)
    run = pickconform("run", "--profile", str(path), "--mutant", "clarus-stuck-pending")
    assert_one_line_error(run, "--mutant")


def test_good_profile_runs_the_suite_remotely(tmp_path: Path, served: str) -> None:
    extra = (
        '[clarus.other_tenant]\nsubdomain = "globex"\n'
        '[clarus.other_tenant.oauth]\ntoken_url = "' + served + '/oauth/token"\nclient_id = "globex-client"\n'
        'client_secret_env = "PICKCONFORM_TEST_OTHER_SECRET"\n'
    )
    path = profile(tmp_path, served)
    path.write_text(path.read_text() + extra)
    env = {"PICKCONFORM_TEST_SECRET": "acme-secret", "PICKCONFORM_TEST_OTHER_SECRET": "globex-secret"}
    run = pickconform("run", "--profile", str(path), "--api", "clarus", report_dir=tmp_path / "out", env=env)
    assert run.status == 0, run.stdout[-3000:]
    assert set(run.statuses().values()) == {"pass"}
    assert "acme-secret" not in (tmp_path / "out" / "report.json").read_text()


def test_profile_without_other_tenant_skips_isolation_with_reason(tmp_path: Path, served: str) -> None:
    path = profile(tmp_path, served)
    run = pickconform(
        "run", "--profile", str(path), "--requirement", "CLARUS-TENANT-ISOLATION",
        report_dir=tmp_path / "out", env={"PICKCONFORM_TEST_SECRET": "acme-secret"},
    )  # fmt: skip
    verdict = next(r for r in run.report["requirements"] if r["id"] == "CLARUS-TENANT-ISOLATION")
    assert run.status == 0
    assert verdict["status"] == "skip" and "other_tenant" in verdict["reason"]
