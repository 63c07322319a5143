"""Concurrency on one shared target: what each family declares may not overlap, and `--workers N` against a profile's
target (the reference served by `pickconform serve`, kept running as a shared sandbox) judging as one process does."""

from __future__ import annotations

import fnmatch
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pickconform import verdict
from pickconform.fuzzing import Pipeline
from pickconform.pytest_plugin.concurrency import declarations, exclusive_group
from tests.selftest.conftest import Run, pickconform

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"SHARED_CLARUS": "acme-secret", "SHARED_GLOBEX": "globex-secret", "SHARED_EMPORIX": "acme-pickpack-secret"}


def _shipped_tests() -> list[str]:
    """The node ids of the whole suite, as the shipped cassettes recorded them."""
    return [
        json.loads(path.read_text())["pickconform"]["test"]
        for path in sorted((ROOT / "cassettes" / "reference").glob("*.json"))
    ]


def test_every_declared_pattern_names_a_test_and_the_whole_butler_family_is_one_group() -> None:
    tests = _shipped_tests()
    for family, groups in declarations().items():
        for group, patterns in groups.items():
            for pattern in patterns:  # a renamed test would silently leave its group
                local = [t.split(f"/{family}/", 1)[1] for t in tests if f"/{family}/" in t]
                assert any(fnmatch.fnmatchcase(name, pattern) for name in local), f"{group}: {pattern} names no test"
    butler = [t for t in tests if "/butler/" in t]
    assert butler and {exclusive_group(t) for t in butler} == {"butler-callback"}
    assert exclusive_group("tests/conformance/clarus/test_scenarios.py::test_no_order_ids_is_error_36") is None
    assert exclusive_group("tests/conformance/clarus/test_fuzz.py::test_rest_operation[POST /goods_outs]") is None, (
        "creating goods outs takes nobody's"
    )
    assert exclusive_group(
        "tests/conformance/emporix/test_fuzz.py::test_operation[POST /pick-pack/{tenant}/jobs/recalculations]"
    ) == ("emporix-automatic")


def test_a_pipeline_sends_cases_together_and_its_test_ends_with_their_first_error() -> None:
    threads: set[str] = set()

    def case(fail: bool = False) -> None:
        threads.add(threading.current_thread().name)
        time.sleep(0.2)  # a round trip
        if fail:
            raise ValueError("the target broke an exchange")

    pipeline = Pipeline(4)
    started = time.monotonic()
    for index in range(8):
        pipeline.submit(lambda index=index: case(fail=index == 5))
    with pytest.raises(ValueError, match="broke an exchange"):
        pipeline.finish()
    assert time.monotonic() - started < 1.2 and len(threads) == 4  # one at a time: 1.6 s

    one_at_a_time = Pipeline(1)  # with cassettes: in the test's own thread, in the order drawn
    order: list[int] = []
    for index in range(3):
        one_at_a_time.submit(lambda index=index: order.append(index) or case())
    one_at_a_time.finish()
    assert order == [0, 1, 2] and threading.current_thread().name in threads


def test_a_broken_exchange_stops_the_next_case_from_being_sent() -> None:
    findings = verdict.begin()
    try:
        findings.broken = TimeoutError("no answer within the deadline")
        sent: list[int] = []
        with pytest.raises(TimeoutError):
            Pipeline(4).submit(lambda: sent.append(1))
        assert sent == []
    finally:
        verdict.end()


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`pickconform serve`, kept running for every run of the module; yields a profile of its Clarus and Emporix."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "pickconform.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/butler/control/capabilities", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "pickconform serve did not start"
                time.sleep(0.1)
        profile = tmp_path_factory.mktemp("shared") / "sandbox.toml"
        profile.write_text(
            f'[clarus]\nbase_url = "{url}/clarus"\nsubdomain = "acme"\n'
            f'[clarus.oauth]\ntoken_url = "{url}/clarus/oauth/token"\nclient_id = "acme-client"\n'
            'client_secret_env = "SHARED_CLARUS"\n'
            '[clarus.other_tenant]\nsubdomain = "globex"\n'
            f'[clarus.other_tenant.oauth]\ntoken_url = "{url}/clarus/oauth/token"\nclient_id = "globex-client"\n'
            'client_secret_env = "SHARED_GLOBEX"\n'
            f'[emporix]\nbase_url = "{url}/emporix"\ntenant = "acme"\ntoken_url = "{url}/emporix/oauth/token"\n'
            'client_id = "acme-pickpack"\nclient_secret_env = "SHARED_EMPORIX"\ncapabilities = ["seed_orders"]\n'
        )
        yield profile
    finally:
        server.terminate()
        server.wait(timeout=10)


# What concurrency can change on one target: the Emporix family (an AUTOMATIC job takes every order with new packing
# events) and the Clarus tests that process goods outs (fuzzing with generated ids, the scenarios counting on their
# own orders and stock), beside tests outside any group.
SELECTION = ["--api", "emporix", "--api", "clarus", "--", "-k", "not graphql and not hostile and not country"]
RAN_ON = re.compile(r"^\[(gw\d+)\] \[ *\d+%\] (?:PASSED|FAILED|SKIPPED|ERROR) (\S.*)$", re.MULTILINE)


def test_workers_against_one_shared_sandbox_judge_as_one_process(shared_sandbox: Path, tmp_path: Path) -> None:
    profile = str(shared_sandbox)
    one = pickconform(
        "run", "--profile", profile, "--run-id", "one", "--workers", "1", *SELECTION,
        report_dir=tmp_path / "one", env=SECRETS,
    )  # fmt: skip
    three = pickconform(
        "run", "--profile", profile, "--run-id", "three", "--workers", "3", *SELECTION, "-v",
        report_dir=tmp_path / "three", env=SECRETS,
    )  # fmt: skip
    assert one.status == 0, one.stdout[-3000:]
    assert three.status == one.status and three.statuses() == one.statuses(), three.stdout[-3000:]

    def outcomes(run: Run) -> dict[str, str]:
        assert run.report is not None
        return {t["nodeid"]: t["outcome"] for r in run.report["requirements"] for t in r["tests"]}

    assert outcomes(three) == outcomes(one) and len(outcomes(one)) > 40
    # Each exclusive group ran in one worker; the other tests were shared out among the workers.
    workers: dict[str, set[str]] = {}
    for worker, nodeid in RAN_ON.findall(three.stdout):
        workers.setdefault(exclusive_group(nodeid.strip()) or "none", set()).add(worker)
    assert len(workers["clarus-goods-outs"]) == 1 and len(workers["emporix-automatic"]) == 1, workers
    assert len(workers["none"]) >= 2, workers
