"""Cassettes: one redacted JSON cassette per test, written atomically, replayed offline to the same verdicts."""

from __future__ import annotations

import inspect
import json
import os
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from vcr.request import Request

from pickconform import cassettes
from pickconform.http import redaction
from pickconform.http.tap import Live, Tap
from pickconform.reference.app import Reference
from pickconform.reference.server import ReferenceServer
from tests.selftest.conftest import Run, clarus_profile, pickconform

# Scenario requirements of Clarus: tokens, two tenants, a race, async processing with polling, errors, addresses.
# (Fuzzing tests are not replayed yet: Hypothesis does not regenerate the same cases offline.)
REQUIREMENTS = (
    "CLARUS-AUTH-401", "CLARUS-TENANT-ISOLATION", "CLARUS-ALLOC-ONCE", "CLARUS-GO-ADDRESS-REL", "CLARUS-ERR-36",
    "CLARUS-ERR-59", "CLARUS-POLL-TERMINAL", "CLARUS-GQL-SHAPES",
)  # fmt: skip
SELECTION = [arg for requirement in REQUIREMENTS for arg in ("--requirement", requirement)]
BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]{16,}")  # a credential, not prose such as "a bearer token"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    base = tmp_path_factory.mktemp("recorded")
    run = pickconform(
        "run", "--api", "clarus", *SELECTION, "--record", str(base / "cassettes"), report_dir=base / "out"
    )
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return base, run


def _cassette_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


def _every_byte(*directories: Path) -> Iterator[tuple[Path, bytes]]:
    for directory in directories:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                yield path, path.read_bytes()


def test_one_json_cassette_per_test_with_metadata(recorded: tuple[Path, Run]) -> None:
    base, _ = recorded
    tests = ET.parse(base / "out" / "junit.xml").getroot().iter("testcase")
    files = _cassette_files(base / "cassettes")
    assert len(files) == len(list(tests)) > 0
    for path in files:
        document = json.loads(path.read_text())
        meta = document["pickconform"]
        assert {"seed", "run_id", "clock", "target", "pickconform_version", "specs"} <= set(meta)
        assert meta["target"] == "reference" and meta["specs"] and all(len(d) == 64 for d in meta["specs"].values())
        for interaction in document["interactions"]:
            # Host and port of the loopback server are gone: cassettes replay whatever port they were recorded on.
            assert interaction["request"]["uri"].startswith(cassettes.PLACEHOLDER_ORIGIN + "/")
            assert interaction["request"]["headers"].get("host", ["pickconform.invalid"]) == ["pickconform.invalid"]
    assert not list((base / "cassettes").glob(".*.tmp")), "a temp file was left behind"


def test_no_credential_or_personal_data_in_cassettes_or_reports(recorded: tuple[Path, Run]) -> None:
    base, _ = recorded
    for path, data in _every_byte(base / "cassettes", base / "out"):
        text = data.decode("utf-8", errors="replace")
        assert not BEARER.search(text), path.name
        for key in ("client_secret", "access_token"):
            for value in re.findall(rf'{key}(?:=|\\?"\s*:\s*\\?")([^&"\\]+)', text):
                assert value in ("%3Credacted%3E", redaction.REDACTED), f"{key} leaked in {path.name}"
        for line in text.splitlines():  # goods-out addresses carry personal data
            assert "example.com" not in line.lower() or "<redacted>" in line, path.name


def test_replay_is_offline_and_gives_the_same_verdicts(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    base, live = recorded
    replay = pickconform("run", "--api", "clarus", *SELECTION, "--replay", str(base / "cassettes"), report_dir=tmp_path)
    assert replay.status == 0, replay.stdout[-3000:]
    assert replay.statuses() == live.statuses()
    assert set(replay.statuses().values()) == {"pass"}
    # No target was started: the report names the replay, not the reference implementation.
    assert replay.report is not None and replay.report["target"].startswith("replay of ")
    assert replay.report["run"] == live.report["run"]  # type: ignore[index]


def test_a_request_missing_from_the_cassette_names_the_test_and_the_closest_request(
    recorded: tuple[Path, Run], tmp_path: Path
) -> None:
    base, _ = recorded
    tampered = tmp_path / "cassettes"
    tampered.mkdir()
    victim = None
    for path in _cassette_files(base / "cassettes"):
        text = path.read_text()
        # Not the auth checks: a cassette miss on their unauthenticated request is not the set-up call under test.
        usable = "ERR-59" not in path.name and "token" not in path.name
        if victim is None and usable and '"/clarus/api/goods_out_processes' not in text:
            document = json.loads(text)
            for interaction in document["interactions"]:
                if "/goods_out_processes/process_picks_async" in interaction["request"]["uri"]:
                    interaction["request"]["body"] = '{"ids": [999999]}'
                    victim = path
                    text = json.dumps(document)
                    break
        (tampered / path.name).write_text(text)
    assert victim is not None
    run = pickconform("run", "--api", "clarus", *SELECTION, "--replay", str(tampered), report_dir=tmp_path / "out")
    # The cassette cannot answer: the suite could not do its part, which is an error, not a conformance failure.
    assert run.status == 3 and "error" in run.statuses().values(), run.stdout[-3000:]
    assert "replay of tests/conformance/clarus/" in run.stdout
    assert "closest recorded request: POST http://pickconform.invalid/clarus/api/goods_out_processes" in run.stdout
    assert "(differs in: body)" in run.stdout
    # Never vcrpy's own message: it would show the request as sent, unredacted.
    assert "CannotOverwriteExistingCassetteException" not in run.stdout and "Can't play back" not in run.stdout


def test_canary_client_secret_never_reaches_a_cassette_report_or_log(tmp_path: Path) -> None:
    """Recording against a served reference through a profile: the client secrets are canaries. Every logger prints
    at DEBUG level to the terminal meanwhile (vcrpy's among them: it would log each request, body included)."""
    with ReferenceServer(Reference(families=["clarus"], demo_credentials=True)) as server:
        url = f"{server.url}/clarus"
        profile = clarus_profile(tmp_path, url, name="canary")
        run = pickconform(
            "run", "--profile", str(profile), "--api", "clarus", "--requirement", "CLARUS-ERR-59",
            "--requirement", "CLARUS-AUTH-401", "--record", str(tmp_path / "cassettes"),
            "--", "-o", "log_cli=true", "--log-cli-level=DEBUG",
            report_dir=tmp_path / "out", env={"PICKCONFORM_TEST_SECRET": "acme-secret"},
        )  # fmt: skip
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "DEBUG" in run.stdout, "the run did not log at DEBUG level: the log part of this test proves nothing"
    assert _cassette_files(tmp_path / "cassettes")
    for path, data in _every_byte(tmp_path / "cassettes", tmp_path / "out"):
        assert b"acme-secret" not in data, path.name
        assert not BEARER.search(data.decode("utf-8", errors="replace")), path.name
    for output in (run.stdout, run.stderr):
        assert "acme-secret" not in output and not BEARER.search(output)


def test_no_token_is_logged_while_recording_at_debug_level(tmp_path: Path) -> None:
    """Tokens fetched during the tests are recorded (and redacted); every logger prints at DEBUG meanwhile, vcrpy's
    among them, which would log each recorded response, body included."""
    run = pickconform(
        "run", "--api", "emporix", "--requirement", "EMPORIX-SCOPE-VIEW", "--record", str(tmp_path / "cassettes"),
        "--", "-o", "log_cli=true", "--log-cli-level=DEBUG",
    )  # fmt: skip
    assert run.status == 0, run.stdout[-3000:] + run.stderr[-2000:]
    recorded_token = any("access_token" in path.read_text() for path in _cassette_files(tmp_path / "cassettes"))
    assert "DEBUG" in run.stdout and recorded_token, "nothing recorded or logged to leak: this test would prove nothing"
    for output in (run.stdout, run.stderr):
        tokens = re.findall(r'access_token\\?["\']?\s*[:=]\s*\\?["\']?([^&"\'\\,}\s]+)', output)
        assert set(tokens) <= {"%3Credacted%3E", redaction.REDACTED}, "an access token was logged"
        assert not BEARER.search(output)


def test_record_and_replay_are_exclusive_and_replay_needs_no_profile(tmp_path: Path) -> None:
    both = pickconform("run", "--record", str(tmp_path), "--replay", str(tmp_path))
    assert both.status == 2 and "not allowed with argument" in both.stderr
    with_profile = pickconform("run", "--replay", str(tmp_path), "--profile", str(tmp_path / "x.toml"))
    assert with_profile.status == 2 and "--replay" in with_profile.stderr and "--profile" in with_profile.stderr


# --- the parts, in process ----------------------------------------------------------------------------------------


def test_filters_are_idempotent_and_canonicalise_the_origin() -> None:
    request = Request(
        "POST",
        "http://127.0.0.1:40123/clarus/oauth/token?x=1",
        b"grant_type=client_credentials&client_id=acme-client&client_secret=s3cr3t",
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer abc", "Host": "127.0.0.1:40123"},
    )
    filters = cassettes.Filters(max_body=1024 * 1024)
    once = filters.request(request)
    assert once.uri == "http://pickconform.invalid/clarus/oauth/token?x=1"
    assert b"s3cr3t" not in once.body and once.headers["Authorization"] == redaction.REDACTED
    assert request.headers["Authorization"] == "Bearer abc", "the live request keeps its credentials"
    twice = filters.request(once)
    assert (twice.uri, twice.body, dict(twice.headers)) == (once.uri, once.body, dict(once.headers))
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"], "Set-Cookie": ["s=1"], "Content-Length": ["40"]},
        "body": {"string": b'{"access_token": "tok-123", "expires_in": 3600}'},
    }
    filtered = filters.response(response)
    assert b"tok-123" not in filtered["body"]["string"] and filtered["headers"]["Set-Cookie"] == [redaction.REDACTED]
    assert filtered["headers"]["Content-Length"] == [str(len(filtered["body"]["string"]))]
    assert filters.response(filtered) == filtered


def test_an_interrupted_write_leaves_the_old_cassette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    cassettes.write_atomically(path, '{"old": true}\n')

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt  # as SIGINT would, after part of the new content was written

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cassettes.write_atomically(path, '{"new": true, "padding": "' + "x" * 100_000 + '"}\n')
    assert path.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"], "the partial temp file was not removed"


def test_network_is_blocked_while_replaying() -> None:
    with cassettes.network_blocked(), pytest.raises(cassettes.NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_a_cassette_recorded_with_other_specs_is_stale(recorded: tuple[Path, Run], tmp_path: Path) -> None:
    base, _ = recorded
    stale = tmp_path / "cassettes"
    stale.mkdir()
    for index, path in enumerate(_cassette_files(base / "cassettes")):
        document = json.loads(path.read_text())
        if index == 0:
            name = sorted(document["pickconform"]["specs"])[0]
            document["pickconform"]["specs"][name] = "0" * 64
            judged_by_it = set(document["pickconform"]["requirements"]) & set(REQUIREMENTS)
        (stale / path.name).write_text(json.dumps(document))
    selection = ("run", "--api", "clarus", *SELECTION, "--replay", str(stale))
    warned = pickconform(*selection, report_dir=tmp_path / "warned")
    assert warned.status == 0 and "1 stale cassette(s)" in warned.stdout and name in warned.stdout
    assert warned.report is not None and list(warned.report["cassettes"]["stale"].values()) == [[name]]
    assert "**1 stale cassette(s)**" in (tmp_path / "warned" / "report.md").read_text()
    failed = pickconform(*selection, "--fail-stale", report_dir=tmp_path / "failed")
    # The recording is out of date, not the target wrong: the suite cannot judge that test (error, exit 3), and the
    # requirements it judges end as error, never as a conformance failure; every other test still judges.
    assert failed.status == 3 and "is stale: recorded with other specs" in failed.stdout, failed.stdout[-3000:]
    assert judged_by_it, "the stale cassette judges none of the selected requirements: this test would prove nothing"
    unpassed = {r: s for r, s in failed.statuses().items() if s != "pass"}
    assert unpassed == dict.fromkeys(judged_by_it, "error"), unpassed
    assert failed.report is not None
    assert all("is stale" in r["reason"] for r in failed.report["requirements"] if r["id"] in judged_by_it)


def test_a_recording_of_a_mutant_replays_to_the_same_failure(tmp_path: Path) -> None:
    selection = ("run", "--api", "clarus", "--requirement", "CLARUS-ERR-59")
    live = pickconform(
        *selection, "--mutant", "clarus-process-twice", "--record", str(tmp_path / "c"), report_dir=tmp_path / "live"
    )
    assert live.status == 1 and live.verdict("CLARUS-ERR-59") == "fail"
    replay = pickconform(*selection, "--replay", str(tmp_path / "c"), report_dir=tmp_path / "replay")
    assert replay.status == 1 and replay.statuses() == live.statuses()


def test_the_recorder_and_the_live_tap_offer_all_a_tap_does() -> None:
    """The client, auth, pacing and the Butler receiver talk to a `Tap`: the session's recorder is one, and so is the
    tap of a run that neither records nor replays."""
    members = {name for name in vars(Tap) if not name.startswith("_")}
    assert members >= {"replaying", "transport", "can_replay", "alias", "inbound", "deliver_due", "receive_with"}
    for tap in (Live, cassettes.Recorder):
        for name in members:
            mine, declared = getattr(tap, name, None), getattr(Tap, name)
            assert mine is not None, f"{tap.__name__} lacks {name}"
            if inspect.isfunction(declared):
                assert list(inspect.signature(mine).parameters) == list(inspect.signature(declared).parameters), name
