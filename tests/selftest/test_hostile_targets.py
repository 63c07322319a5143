"""A broken, hostile or merely faulty target cannot take the runner down: for each kind of misbehaviour the run ends
with exit 1 or 2, no traceback, a report when it got past the preflight, a reason for every fail, within a wall-time
bound and under 500 MiB of peak memory (measured on the child process itself)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.selftest.hostile import MODES, closed_port, hostile_server, run_measured

WALL_BOUND = 90.0  # seconds: a few requirements against a target that costs up to its deadline on every request
RSS_BOUND = 500 * 1024 * 1024
REQUIREMENTS = ("CLARUS-ERR-36", "CLARUS-REJECTS-INVALID")  # a scenario, and the fuzz tests


def run_against(base_url: str, tmp_path: Path) -> tuple[int, str, float, int]:
    profile = tmp_path / "hostile.toml"
    profile.write_text(
        '[target]\nname = "hostile"\nrequest_deadline = 2.0\n\n'
        f'[clarus]\nbase_url = "{base_url}"\nsubdomain = "acme"\ntoken_env = "PICKCONFORM_TEST_TOKEN"\n'
        "poll_timeout = 3.0\n"
    )
    selection = [arg for requirement in REQUIREMENTS for arg in ("--requirement", requirement)]
    command = [sys.executable, "-m", "pickconform.cli", "run", "--profile", str(profile), "--api", "clarus"]
    command += [*selection, "--fuzz-examples", "3", "--report-dir", str(tmp_path / "out")]
    run = run_measured(command, {"PICKCONFORM_TEST_TOKEN": "hostile-token"}, WALL_BOUND * 2)
    return run.status, run.output, run.wall, run.rss


@pytest.mark.parametrize("mode", ["refused", *MODES])
def test_a_misbehaving_target_ends_in_bounded_time_and_memory(mode: str, tmp_path: Path) -> None:
    if mode == "refused":
        code, output, wall, rss = run_against(closed_port(), tmp_path)
    else:
        with hostile_server(mode) as url:
            code, output, wall, rss = run_against(url, tmp_path)
    print(f"hostile {mode}: exit {code}, {wall:.1f} s, peak RSS {rss / 2**20:.0f} MiB")
    assert code in (1, 2), f"exit {code}\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert wall < WALL_BOUND and rss < RSS_BOUND, (wall, rss)
    assert len(output) < 400_000, "evidence must stay readable: bodies are truncated"
    report = tmp_path / "out" / "report.json"
    if code == 2:
        assert output.strip().count("\n") < 3 and "error" in output.lower(), output[-2000:]
        return
    document = json.loads(report.read_text())
    failing = [r for r in document["requirements"] if r["status"] == "fail"]
    assert failing and all(r["reason"] for r in failing), document["requirements"]
