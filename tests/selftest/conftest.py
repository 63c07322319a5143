"""Helpers for the project's own tests: run the suite as a user would, through the CLI, and read its report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def verdict(self, requirement: str) -> str:
        assert self.report is not None, self.stderr[-2000:]
        return next(r["status"] for r in self.report["requirements"] if r["id"] == requirement)

    def statuses(self) -> dict[str, str]:
        assert self.report is not None, self.stderr[-2000:]
        return {r["id"]: r["status"] for r in self.report["requirements"]}


def pickconform(
    *args: str, report_dir: Path | None = None, env: dict[str, str] | None = None, timeout: int = 300
) -> Run:
    command = [sys.executable, "-m", "pickconform.cli", *args]
    if report_dir is not None:
        command += ["--report-dir", str(report_dir)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    report = None
    if report_dir is not None and (report_dir / "report.json").exists():
        report = json.loads((report_dir / "report.json").read_text())
    return Run(done.returncode, done.stdout, done.stderr, report)


@pytest.fixture
def run_cli():
    return pickconform


def clarus_profile(tmp_path: Path, base_url: str, extra: str = "", oauth: bool = True, name: str = "") -> Path:
    """A profile of one Clarus target whose client secret is read from PICKCONFORM_TEST_SECRET (a canary in tests)."""
    text = f'[target]\nname = "{name}"\n\n' if name else ""
    text += f'[clarus]\nbase_url = "{base_url}"\nsubdomain = "acme"\n{extra}\n'
    if oauth:
        text += (
            f'[clarus.oauth]\ntoken_url = "{base_url}/oauth/token"\nclient_id = "acme-client"\n'
            'client_secret_env = "PICKCONFORM_TEST_SECRET"\n'
        )
    path = tmp_path / "target.toml"
    path.write_text(text)
    return path
