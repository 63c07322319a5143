"""Evidence a vendor can act on (issue 19): the printed reproduce line reproduces, a test's verdict under --requirement
is the one the terminal and the exit status give."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pickconform.reference.app import Reference
from pickconform.reference.mutants import Faults
from pickconform.reference.server import ReferenceServer
from pickconform.report.evidence import curl

from .conftest import clarus_profile, pickconform

BIN = Path(sys.executable).parent


def _shell(line: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The printed line as a user pastes it: through a POSIX shell, `pickconform` found on PATH."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    return subprocess.run(
        ["/bin/sh", "-c", line], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


def _terminal_verdict(stdout: str, requirement: str) -> str:
    found = re.search(rf"^(PASS|FAIL|WARN|SKIP|ERROR)\s+{re.escape(requirement)}\s", stdout, re.MULTILINE)
    assert found, stdout[-3000:]
    return found.group(1).lower()


def _failing(report: dict, requirement: str) -> dict:
    entry = next(r for r in report["requirements"] if r["id"] == requirement)
    return next(t for t in entry["tests"] if t.get("reproduce"))


def test_reproduce_line_runs_that_one_parametrised_test_against_the_same_mutant(tmp_path: Path) -> None:
    first = pickconform(
        "run",
        "--mutant",
        "butler-cancel-after-lock",
        "--requirement",
        "BUTLER-CANCEL-LOCKED",
        report_dir=tmp_path / "first",
    )
    assert first.status == 1 and first.verdict("BUTLER-CANCEL-LOCKED") == "fail", first.stdout[-2000:]
    test = _failing(first.report, "BUTLER-CANCEL-LOCKED")
    line = test["reproduce"]
    assert "[" in test["nodeid"]  # a parametrised id, which the shell must not glob or split
    for part in ("--mutant butler-cancel-after-lock", "--seed 20261122", "--run-id r0", "--test '"):
        assert part in line, line
    assert line in first.stdout  # the terminal prints the same line
    _assert_butler_evidence(test, (tmp_path / "first" / "report.html").read_text())
    again = _shell(line, tmp_path)
    assert again.returncode == 1, again.stdout[-3000:] + again.stderr[-2000:]
    assert _terminal_verdict(again.stdout, "BUTLER-CANCEL-LOCKED") == "fail"
    assert re.search(r"=+ 1 failed in ", again.stdout), again.stdout[-1500:]  # that test and no other


def _assert_butler_evidence(test: dict, html: str) -> None:
    """The failing Butler test's evidence: its set-up calls and the cancel, and the notifications with their bodies,
    in the order they happened; each exchange with a curl line that reads the token from the environment."""
    log = test["log"]
    exchanges = [e for e in log["entries"] if e["kind"] == "exchange"]
    notifications = [e for e in log["entries"] if e["kind"] == "notification"]
    assert log["exchanges"] == test["exchanges"] == len(exchanges) + log["exchanges_omitted"]
    paths = [e["url"].split("/butler", 1)[1] for e in exchanges]
    setup = next(i for i, p in enumerate(paths) if p.startswith("/control/inventory/"))
    cancel = next(i for i, p in enumerate(paths) if p.endswith("/service-request/cancel"))
    assert setup < cancel, paths
    assert log["notifications"] == len(notifications) >= 3
    outcome = next(n for n in notifications if n["notification_type"] == "order_modification")
    assert json.loads(outcome["body"])["notification_data"]["state"] == "success"  # the fault, in its body
    assert log["entries"].index(outcome) > log["entries"].index(exchanges[cancel])  # the outcome after the call
    for exchange in exchanges:
        assert exchange["curl"].startswith(f"curl -X {exchange['method']} "), exchange["curl"]
        assert '"authorization: Bearer $BUTLER_TOKEN"' in exchange["curl"] and "<redacted" not in exchange["curl"]
    assert "Exchanges and notifications" in html and "notification <b>order_modification</b>" in html
    assert "$BUTLER_TOKEN" in html


@pytest.fixture
def served_mutant() -> Iterator[str]:
    """`pickconform serve --mutant clarus-process-twice` in its own process, as a vendor's sandbox would be."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "pickconform.cli", "serve", "--port", str(port), "--mutant", "clarus-process-twice"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and "clarus at http://127.0.0.1" in server.stdout.readline()
        yield f"http://127.0.0.1:{port}/clarus"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_reproduce_line_of_a_profile_run_names_the_profile_as_given(tmp_path: Path, served_mutant: str) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "sandbox.toml").write_text(
        f'[target]\nname = "acme-sandbox"\nrun_id = "nightly-7"\n\n[clarus]\nbase_url = "{served_mutant}"\n'
        f'subdomain = "acme"\n\n[clarus.oauth]\ntoken_url = "{served_mutant}/oauth/token"\nclient_id = "acme-client"\n'
        'client_secret_env = "EVIDENCE_SECRET"\n'
    )
    env = {"EVIDENCE_SECRET": "acme-secret"}
    command = [sys.executable, "-m", "pickconform.cli", "run", "--profile", "profiles/sandbox.toml"]
    command += ["--requirement", "CLARUS-ERR-59", "--report-dir", "first"]
    done = subprocess.run(command, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    report = json.loads((tmp_path / "first" / "report.json").read_text())
    assert report["run"]["profile"] == {"name": "acme-sandbox", "path": "profiles/sandbox.toml"}
    run_id = report["run"]["run_id"]  # whatever the run used (the profile's, or one of its own)
    status = next(r["status"] for r in report["requirements"] if r["id"] == "CLARUS-ERR-59")
    assert done.returncode == 1 and status == "fail", done.stdout[-2000:]
    failing = _failing(report, "CLARUS-ERR-59")
    line = failing["reproduce"]
    exchanges = failing["log"]["entries"]  # the set-up (product, receipt, goods out) before the violating call
    paths = [e["url"].split("/clarus", 1)[1] for e in exchanges]
    violating = [i for i, e in enumerate(exchanges) if e["violating"]]
    assert violating and paths[violating[0]].endswith("/process_picks_async"), paths
    assert any(p.endswith("/goods_outs") for p in paths[: violating[0]]), paths
    assert all(
        '"authorization: Bearer $CLARUS_TENANT_TOKEN"' in e["curl"] for e in exchanges if "/oauth/" not in e["url"]
    )
    assert "acme-secret" not in json.dumps(report)
    assert "Bearer <redacted" not in "".join(e["curl"] for e in exchanges)
    assert "--profile profiles/sandbox.toml" in line and f"--run-id {run_id}" in line and "--test " in line, line
    assert "acme-secret" not in line
    again = _shell(line, tmp_path, env)
    assert again.returncode == 1, again.stdout[-3000:] + again.stderr[-2000:]
    assert _terminal_verdict(again.stdout, "CLARUS-ERR-59") == "fail"
    assert re.search(r"=+ 1 failed in ", again.stdout), again.stdout[-1500:]


def test_a_finding_outside_the_requirement_selection_is_listed_not_failed(tmp_path: Path) -> None:
    """The test stops on CLARUS-AUTH-REQUIRED, which the run did not ask for: never "1 failed" with exit 0."""
    run = pickconform(
        "run", "--mutant", "clarus-auth-not-enforced", "--requirement", "CLARUS-AUTH-401", report_dir=tmp_path
    )
    assert run.status == 0, run.stdout[-2000:]
    assert " failed" not in run.stdout.splitlines()[-1], run.stdout[-800:]
    assert run.report is not None
    tests = next(r for r in run.report["requirements"] if r["id"] == "CLARUS-AUTH-401")["tests"]
    outside = [t for t in tests if t.get("outside_selection")]
    assert outside and outside[0]["outside_selection"][0].startswith("CLARUS-AUTH-REQUIRED: "), tests
    assert outside[0]["outcome"] == "skipped" and "outside the --requirement selection" in outside[0]["reason"]


def test_test_option_refuses_what_is_not_a_conformance_test() -> None:
    run = pickconform("run", "--test", "tests/selftest/test_cli.py::test_serve_answers_over_http")
    assert run.status == 2 and "not the node id of a conformance test" in run.stderr, run.stderr


# --- personal data the target echoes back ------------------------------------------------------------------------

_CLEAR = re.compile(r"Main Street|Customer [a-z0-9]{6}|[a-z0-9]{6}@example\.com|7946 0958")


def _addresses(server: ReferenceServer) -> list[str]:
    with server.reference.families["clarus"].store.db.read() as db:
        return [row[0] for row in db.execute("SELECT address FROM goods_outs")]


def test_an_echoed_address_is_redacted_everywhere_and_diff_resends_the_original(tmp_path: Path) -> None:
    """A target that quotes the delivery address in its error texts (variant clarus-address-in-errors): cassettes,
    reports and diff outputs keep no clear value, and `pickconform diff` re-sends the address the recording sent (the
    target stores it), never the placeholder, so an unchanged target is reported unchanged."""
    reference = Reference(Faults("clarus-address-in-errors"), families=["clarus"], demo_credentials=True)
    env = {"PICKCONFORM_TEST_SECRET": "acme-secret"}
    with ReferenceServer(reference) as server:
        profile = clarus_profile(tmp_path, f"{server.url}/clarus")
        selection = ["--requirement", "CLARUS-GO-COUNTRY-REFUSED", "--requirement", "CLARUS-GO-ECHO"]
        recorded = pickconform(
            "run", "--profile", str(profile), *selection, "--record", str(tmp_path / "cassettes"),
            report_dir=tmp_path / "report", env=env,
        )  # fmt: skip
        assert recorded.status == 0, recorded.stdout[-2000:]
        stored = _addresses(server)
        assert stored and all(_CLEAR.search(a) for a in stored)  # the target got the clear address
        diffed = pickconform(
            "diff", "--baseline", str(tmp_path / "cassettes"), "--profile", str(profile),
            "--report-dir", str(tmp_path / "diff"), env=env,
        )  # fmt: skip
        resent = _addresses(server)[len(stored) :]
    assert diffed.status == 0, diffed.stdout[-2000:] + diffed.stderr[-2000:]
    assert resent and all(_CLEAR.search(a) and "<redacted>" not in a for a in resent), resent
    document = json.loads((tmp_path / "diff" / "diff.json").read_text())
    assert {s["verdict"] for s in document["scenarios"]} == {"unchanged"}, diffed.stdout[-2000:]
    echoed = [
        p for p in (tmp_path / "cassettes").rglob("*.json") if "delivery to <redacted>, <redacted>" in p.read_text()
    ]
    assert echoed, "the target's error texts quote the address: the cassettes must show it redacted"
    outputs = [*(tmp_path / "cassettes").rglob("*"), *(tmp_path / "report").iterdir(), *(tmp_path / "diff").iterdir()]
    leaked = [str(p.relative_to(tmp_path)) for p in outputs if p.is_file() and _CLEAR.search(p.read_text())]
    assert leaked == []
    assert not _CLEAR.search(recorded.stdout + diffed.stdout)


def test_a_curl_line_survives_the_shell_and_reads_secrets_from_the_environment() -> None:
    """What the shell hands curl: the URL, headers and body as recorded, the token and client secret from variables."""
    body = '{"reference": "it\'s $HOME `x`", "address_1": "<redacted>"}'
    headers = {"Authorization": "Bearer <redacted:clarus/tenant>", "Host": "x", "X-Clarus-Subdomain": "acme"}
    line = curl({"method": "POST", "url": "http://127.0.0.1:1/api/a b?x=1&y=2", "request_headers": headers,
                 "request_body": body})  # fmt: skip
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    token = curl({"method": "POST", "url": "http://127.0.0.1:1/oauth/token", "request_headers": form,
                  "request_body": "a=1&client_secret=<redacted>"})  # fmt: skip
    script = f"curl() {{ printf '%s\\n' \"$@\"; }}\n{line}\necho ---\n{token}\n"
    env = {"PATH": os.environ.get("PATH", ""), "CLARUS_TENANT_TOKEN": "t0k", "CLIENT_SECRET": "s3c"}
    done = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=10)
    first, second = done.stdout.split("---\n")
    assert first.splitlines() == [
        "-X", "POST", "http://127.0.0.1:1/api/a b?x=1&y=2", "-H", "Authorization: Bearer t0k",
        "-H", "X-Clarus-Subdomain: acme", "--data-raw", body,
    ]  # fmt: skip
    assert second.splitlines()[-1] == "a=1&client_secret=s3c"
    assert "t0k" not in line + token and "s3c" not in line + token
