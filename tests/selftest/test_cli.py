"""The command-line contract: mutants listing, the standalone server, exit codes and the report files."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from pickconform import cli
from pickconform.options import RUN_OPTIONS, RunSettings, to_pytest_args
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


def test_the_run_settings_have_one_field_per_option_of_the_table() -> None:
    """An option added to `RUN_OPTIONS` needs its field in `RunSettings` (and nothing else): this says which is
    missing."""
    fields = {f.name: f for f in dataclasses.fields(RunSettings)}
    assert sorted(fields) == sorted(option.dest for option in RUN_OPTIONS)
    for option in RUN_OPTIONS:
        default = fields[option.dest].default
        expected = () if option.repeatable else False if option.kind is None else option.pytest_default
        assert default == expected, option.name


def test_run_settings_read_once_reach_pytest_unchanged() -> None:
    """`pickconform run`'s options, read into settings, handed to pytest as arguments and read back by the plugin's
    options (the same table under pytest's names), are the same settings; `diff` reads its subset the same way."""
    given = ["--api", "clarus", "--api", "butler", "--requirement", "CLARUS-ERR-36", "--strict", "--seed", "7"]
    given += ["--fuzz-examples", "3", "--max-time", "9.5", "--replay", "somewhere", "--report-dir", "out"]
    settings = RunSettings.from_values(vars(cli.parser().parse_args(["run", *given])))
    assert settings.api == ("clarus", "butler") and settings.strict and settings.max_time == 9.5
    assert settings.fuzz_examples == 3 and settings.mutant is None and settings.families == ("clarus", "butler")

    plugin_parser = argparse.ArgumentParser()
    for option in RUN_OPTIONS:
        plugin_parser.add_argument(option.pytest_flag, **{"default": option.pytest_default, **option.arguments()})
    parsed = vars(plugin_parser.parse_args(to_pytest_args(settings)))
    assert RunSettings.from_pytest(SimpleNamespace(getoption=parsed.__getitem__)) == settings

    diff = RunSettings.from_values(vars(cli.parser().parse_args(["diff", "--baseline", "b", "--mutant", "m"])))
    assert diff == RunSettings(mutant="m") and diff.families == ("clarus", "butler", "emporix")
