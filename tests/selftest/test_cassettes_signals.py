"""An interrupted re-recording leaves, for every test, its old cassette or a complete new one, and no temp file.

A real `pickconform run --record` re-records a complete set of cassettes and is sent SIGINT or SIGTERM during a test
or while a cassette is being written; it must stop promptly, with a non-zero status and one line on stderr. To send
the signal at a chosen moment on a loaded machine, the recording is frozen (SIGSTOP) as soon as the moment is seen,
signalled, then resumed (SIGCONT): no timing assumption beyond "the run is not over yet".
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pickconform import cassettes, cli
from tests.selftest.conftest import pickconform

# Emporix scenarios only (its fuzz tests do not replay yet): 14 tests, polling jobs and token exchanges among them.
REQUIREMENTS = (
    "EMPORIX-MANUAL-EXACT", "EMPORIX-MANUAL-REQUIRES-IDS", "EMPORIX-MANUAL-UNKNOWN-ORDER", "EMPORIX-AUTOMATIC-EVENTS",
    "EMPORIX-JOB-LIFECYCLE", "EMPORIX-CONFLICT-409", "EMPORIX-AUTH-EXPIRED", "EMPORIX-SCOPE-MANAGE",
    "EMPORIX-SCOPE-VIEW", "EMPORIX-TENANT-ISOLATION", "EMPORIX-UNKNOWN-JOB-404",
)  # fmt: skip
SELECTION = ["--api", "emporix", *(arg for requirement in REQUIREMENTS for arg in ("--requirement", requirement))]
# Generous: a loaded 2-core CI machine may take many times longer than a developer's laptop.
RUN_TIMEOUT = 240
EXIT_TIMEOUT = 60  # from the signal to the process's exit


class PartialRecording(AssertionError):
    """A test interrupted while it was recording still had its cassette replaced, by a part of its traffic."""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete set of cassettes, the "old" ones each interrupted re-recording starts from."""
    directory = tmp_path_factory.mktemp("complete") / "cassettes"
    run = pickconform("run", *SELECTION, "--record", str(directory), timeout=RUN_TIMEOUT)
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return directory


@dataclass
class Interrupted:
    signal: signal.Signals
    moment: str  # what the recording was doing when it was frozen and signalled
    status: int
    seconds: float  # from the signal to the exit
    stdout: str
    stderr: str
    directory: Path
    old: dict[str, bytes]  # file name → the complete cassette it held before the re-recording
    report: dict[str, Any] | None


def _rewritten(directory: Path, since: float) -> int:
    count = 0
    for entry in os.scandir(directory):
        try:
            count += entry.name.endswith(".json") and entry.stat().st_mtime > since
        except FileNotFoundError:  # replaced between the listing and the stat
            continue
    return count


def _writing(directory: Path) -> bool:
    return any(entry.name.endswith(".tmp") for entry in os.scandir(directory))


def _freeze(process: subprocess.Popen[bytes]) -> None:
    """SIGSTOP, and wait until the process has stopped (the signal is delivered asynchronously)."""
    process.send_signal(signal.SIGSTOP)
    stat = Path(f"/proc/{process.pid}/stat")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and stat.exists() and process.poll() is None:
        if stat.read_text().rpartition(")")[2].split()[0] in "Tt":
            return
        time.sleep(0.001)
    if not stat.exists():
        time.sleep(0.05)  # no /proc: give the signal a moment


def _interrupt(recorded: Path, base: Path, sig: signal.Signals, moment: str) -> Interrupted | None:
    """Re-record a copy of `recorded` and signal it at `moment`; None if the run ended before the moment came."""
    shutil.rmtree(base, ignore_errors=True)
    directory = base / "cassettes"
    shutil.copytree(recorded, directory)
    old = {path.name: path.read_bytes() for path in directory.glob("*.json")}
    since = time.time() - 1
    for path in directory.glob("*.json"):  # rewritten files are then told apart by their mtime alone
        os.utime(path, (since - 3600, since - 3600))
    command = [sys.executable, "-m", "pickconform.cli", "run", *SELECTION, "--record", str(directory)]
    command += ["--report-dir", str(base / "out")]
    # Output goes to files: a pipe nobody reads while we poll could fill up and stall the recording.
    with open(base / "stdout", "w") as stdout, open(base / "stderr", "w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                return None
            rewritten = _rewritten(directory, since)
            if moment == "while writing" and _writing(directory):
                _freeze(process)
                if _writing(directory):  # frozen between the temp file's creation and its rename
                    break
                process.send_signal(signal.SIGCONT)
            # During a test: shortly after a few cassettes were rewritten, most of the run still ahead (a run spends
            # most of its time inside tests). While writing: the same if no temp file was seen in time (the outcome
            # must be the same; only the moment differs).
            if rewritten >= (2 if moment == "during a test" else len(old) // 2):
                if moment != "during a test":
                    moment = "during a test (no write seen)"
                time.sleep(0.1)  # past the teardown that wrote the last cassette
                _freeze(process)
                break
            # While writing, poll often: a write (fsync included) takes a millisecond or so.
            time.sleep(0.005 if moment == "during a test" else 0.0002)
        if process.poll() is not None:  # it ended just before it was frozen
            return None
        process.send_signal(sig)
        signalled = time.monotonic()
        process.send_signal(signal.SIGCONT)
        status = process.wait(timeout=EXIT_TIMEOUT)
        seconds = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    report_file = base / "out" / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return Interrupted(
        sig, moment, status, seconds, (base / "stdout").read_text(), (base / "stderr").read_text(), directory, old,
        report,
    )  # fmt: skip


def _assert_complete(path: Path, old: bytes) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n"), f"{path.name} is truncated"
    document = json.loads(text)
    assert isinstance(document["interactions"], list), path.name
    assert all({"request", "response"} <= set(i) for i in document["interactions"]), path.name
    meta, old_meta = document[cassettes.METADATA_KEY], json.loads(old)[cassettes.METADATA_KEY]
    assert {key: meta[key] for key in ("seed", "run_id", "clock")} == {
        key: old_meta[key] for key in ("seed", "run_id", "clock")
    }, path.name


@pytest.mark.parametrize(
    ("sig", "moment"),
    [(signal.SIGINT, "while writing"), (signal.SIGTERM, "while writing"), (signal.SIGTERM, "during a test")],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else value.replace(" ", "-"),
)
def test_an_interrupted_recording_leaves_old_or_complete_new_cassettes(
    recorded: Path, tmp_path: Path, sig: signal.Signals, moment: str
) -> None:
    for attempt in range(3):  # a run may end before a slow poller sees its moment; try again from the start
        result = _interrupt(recorded, tmp_path / f"attempt{attempt}", sig, moment)
        if result is not None:
            break
    else:
        pytest.fail(f"the re-recording ended three times before it could be signalled {moment}")
    where = f"{sig.name} {result.moment}"
    output = result.stdout + result.stderr

    assert result.status == 128 + sig, f"{where}: exit {result.status}\n{output[-3000:]}"
    assert result.seconds < EXIT_TIMEOUT
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"pickconform: interrupted by {sig.name}"), f"{where}: {lines}"
    assert "Traceback" not in output, f"{where}:\n{output[-3000:]}"

    leftovers = [path.name for path in result.directory.iterdir() if path.name.startswith(".")]
    assert not leftovers, f"{where}: temp files left behind: {leftovers}"
    files = {path.name: path for path in result.directory.glob("*.json")}
    assert set(files) == set(result.old), f"{where}: cassettes appeared or disappeared"
    rewritten = []
    for name, path in files.items():
        if path.read_bytes() != result.old[name]:
            _assert_complete(path, result.old[name])
            rewritten.append(name)

    # Pytest still finishes the session: the report of the tests that ran is written.
    assert result.report is not None, f"{where}: no report after the interruption"
    finished = {
        cassettes.cassette_path(result.directory, test["nodeid"]).name
        for requirement in result.report["requirements"]
        for test in requirement["tests"]
    }
    # The old-or-new promise holds for contents too: a test that did not finish keeps its old cassette.
    unfinished = sorted(set(rewritten) - finished)
    if unfinished:
        raise PartialRecording(f"{where}: unfinished tests had their cassettes rewritten: {unfinished}")


def test_sigterm_inside_a_cassette_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The moment the subprocess tests can only hope to hit, made certain: SIGTERM right after the temp file's
    fsync, before its rename, through the CLI's own handling of the signal."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be installed from the main thread")
    path = tmp_path / "test-0123abcd.json"
    path.write_text('{"old": true}\n')
    fsync = os.fsync

    def fsync_then_sigterm(fd: int) -> None:
        fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", fsync_then_sigterm)
    monkeypatch.setattr(logging, "raiseExceptions", logging.raiseExceptions)  # the handler turns it off
    with cli._interruptible() as received:
        cassettes.write_atomically(path, '{"new": true}\n')
        pytest.fail("SIGTERM did not interrupt the write")
    assert received == [signal.SIGTERM]
    assert path.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == [path.name], "the temp file was left behind"
