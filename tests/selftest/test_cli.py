"""The command-line contract: mutants listing, the standalone server, exit codes and the report files."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pickconform import cli
from pickconform.reference.mutants import all_mutants
from tests.selftest.conftest import pickconform


def test_mutants_lists_name_and_requirement() -> None:
    run = pickconform("mutants")
    assert run.status == 0
    lines = run.stdout.splitlines()
    assert lines == [f"{m.name} {m.requirement}" for m in all_mutants().values()]
    assert all(re.fullmatch(r"[a-z0-9-]+ [A-Z0-9-]+", line) for line in lines)


def test_unknown_mutant_is_a_usage_error() -> None:
    run = pickconform("run", "--mutant", "no-such-mutant")
    assert run.status == 2
    assert "unknown mutant 'no-such-mutant'" in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_requirement_is_a_usage_error() -> None:
    run = pickconform("run", "--requirement", "CLARUS-NOPE")
    assert run.status == 2 and "unknown requirement 'CLARUS-NOPE'" in run.stderr


def test_failing_run_exits_1_and_writes_every_report(tmp_path: Path) -> None:
    run = pickconform(
        "run", "--api", "clarus", "--mutant", "clarus-process-twice", "--requirement", "CLARUS-ERR-59",
        report_dir=tmp_path,
    )  # fmt: skip
    assert run.status == 1
    document = json.loads((tmp_path / "report.json").read_text())
    (verdict,) = document["requirements"]
    assert verdict["id"] == "CLARUS-ERR-59" and verdict["status"] == "fail"
    assert "59" in verdict["reason"] and verdict["tests"]
    assert "| CLARUS-ERR-59 | MUST | documented | FAIL |" in (tmp_path / "report.md").read_text()
    junit = (tmp_path / "junit.xml").read_text()
    assert "<failure" in junit and "CLARUS-ERR-59" in junit
    assert (tmp_path / "cucumber.json").exists()
    # The failure shows the requirement, the request and the response, not a traceback.
    assert "[CLARUS-ERR-59]" in run.stdout and "> POST" in run.stdout and "< 200" in run.stdout


def test_serve_answers_over_http() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "pickconform.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "clarus at http://127.0.0.1" in server.stdout.readline()
        form = {"grant_type": "client_credentials", "client_id": "acme-client", "client_secret": "acme-secret"}
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/clarus/oauth/token", data=form)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("arguments", "cores", "expected"),
    [
        ([], 2, 2),
        ([], 8, 2),  # each worker's start-up is not won back beyond two
        ([], 1, 1),
        (["--workers", "3"], 2, 3),
        (["--profile", "p.toml"], 2, cli.PROFILE_WORKERS),  # they wait on the network; exclusive groups keep order
        (["--profile", "p.toml"], 1, cli.PROFILE_WORKERS),
        (["--profile", "p.toml", "--requirement", "CLARUS-NO-5XX"], 2, 1),
        (["--requirement", "CLARUS-NO-5XX"], 2, 1),
        (["--record", "d"], 2, 1),
        (["--replay", "d"], 2, 1),
        (["--max-time", "60"], 2, 1),
    ],
)
def test_workers_auto_uses_two_processes_only_where_they_pay_off(
    arguments: list[str], cores: int, expected: int
) -> None:
    assert cli.workers(cli.parser().parse_args(["run", *arguments]), cores) == expected


@pytest.mark.parametrize(
    ("arguments", "says"),
    [(["--workers", "0"], "a positive number"), (["--workers", "2", "--max-time", "5"], "needs --workers 1")],
)
def test_workers_that_make_no_sense_are_a_usage_error(arguments: list[str], says: str) -> None:
    run = pickconform("run", *arguments)
    assert run.status == 2 and says in run.stderr and "Traceback" not in run.stderr
