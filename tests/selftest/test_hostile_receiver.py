"""The notification receiver is a server on the network: only POSTs to its own path are taken, bodies and counts are
bounded, and whatever else arrives (another path or method, a huge body, a flood) is refused, counted as an
unexpected inbound request and never touches a verdict, whether it comes from a stranger or from the target."""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pickconform.butler import receiver as receiver_module
from pickconform.butler.receiver import Receiver
from pickconform.http.loopback import LoopbackServer
from tests.selftest.hostile import run_measured
from tests.selftest.test_butler_receiver import FULFILLABLE

WALL_BOUND = 60.0
RSS_BOUND = 500 * 1024 * 1024


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def origin(receiver: Receiver) -> str:
    return receiver.url.removesuffix(receiver.path)


def notification(number: int, external_id: str = "FLOOD-1") -> dict[str, Any]:
    document = copy.deepcopy(FULFILLABLE)
    document["notification_id"] = f"flood:{number:08d}"
    document["notification_data"]["externalServiceRequestId"] = external_id
    return document


def test_only_posts_to_the_unguessable_path_are_taken(receiver: Receiver) -> None:
    assert len(receiver.path.rsplit("/", 1)[1]) >= 24 and receiver.path != Receiver().path  # random per receiver
    with httpx.Client() as client:
        assert client.post(origin(receiver) + "/notifications", json=FULFILLABLE).status_code == 404
        assert client.post(origin(receiver) + "/", json=FULFILLABLE).status_code == 404
        assert client.get(receiver.url).status_code == 405
        too_large = b'{"padding": "' + b"x" * receiver_module.MAX_BODY_BYTES + b'"}'
        assert client.post(receiver.url, content=too_large).status_code == 413
        assert client.post(receiver.url, json=FULFILLABLE).status_code == 200
    assert len(receiver.received) == 1  # only the notification at the right path was judged
    count, unexpected = receiver.take_unexpected()
    assert count == 4 and [line.split(" answered ")[1][:3] for line in unexpected] == ["404", "404", "405", "413"]
    assert receiver.unexpected_count == 4 and receiver.take_unexpected() == (0, [])  # each is reported once
    assert receiver.checker.findings == [] or all(
        f.violation.requirement == "BUTLER-LIFECYCLE" for f in receiver.checker.findings
    )


def test_a_flood_about_one_pick_request_is_cut_at_its_bound(receiver: Receiver) -> None:
    total = receiver_module.MAX_PER_REQUEST + 50
    with httpx.Client() as client, concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: client.post(receiver.url, json=notification(n)).status_code, range(total)))
    assert statuses.count(200) == receiver_module.MAX_PER_REQUEST
    assert statuses.count(429) == 50
    assert len(receiver.by_request["FLOOD-1"]) == receiver_module.MAX_PER_REQUEST
    assert receiver.unexpected_count == 50
    # Nobody created FLOOD-1: the checker keeps its findings with that id, and no scenario of another id sees them.
    assert receiver.checker.report({"PICK-OTHER"}) == []


def test_requests_in_flight_are_bounded(receiver: Receiver) -> None:
    """Connections that send their headers and never their body hold a place each; past the bound, 429 at once."""
    host, port = origin(receiver).removeprefix("http://").split(":")
    held = []
    head = (
        f"POST {receiver.path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{"
    ).encode()
    try:
        for _ in range(receiver_module.MAX_IN_FLIGHT):
            connection = socket.create_connection((host, int(port)), timeout=5)
            connection.sendall(head)
            held.append(connection)
        deadline = time.monotonic() + 5
        status = 0
        with httpx.Client() as client:
            while time.monotonic() < deadline and status != 429:
                status = client.post(receiver.url, json=FULFILLABLE).status_code
                time.sleep(0.02)
        assert status == 429
    finally:
        for connection in held:
            connection.close()
    with httpx.Client() as client:  # the places are free again once those connections are gone
        deadline = time.monotonic() + 5
        while client.post(receiver.url, json=notification(1, "AFTER")).status_code != 200:
            assert time.monotonic() < deadline, "the receiver did not recover after the held connections closed"
            time.sleep(0.05)


class FloodingButler:
    """A Butler target whose API fails every create with 500 and which, once the suite registers its callback, floods
    it: notifications about a request nobody created past the per-request bound, other paths, other methods, bodies
    over the size bound. Bounded in count (about 900 requests) and in time."""

    def __init__(self) -> None:
        self.flood_done = threading.Event()
        app = Starlette(
            routes=[
                Route("/", lambda r: JSONResponse({}), methods=["GET"]),
                Route("/api-gateway/sr-service/platform-srms/{path:path}", self.api, methods=["POST"]),
                Route("/control/capabilities", lambda r: JSONResponse({"capabilities": ["callback"]})),
                Route("/control/callback", self.callback, methods=["PUT"]),
            ]
        )
        self.server = LoopbackServer(app, name="the flooding target")

    async def api(self, request: Request) -> JSONResponse:
        body = await request.body()
        if body in (b"{}", b""):
            return JSONResponse({"error": "bad request"}, status_code=400)  # the preflight's bad data
        return JSONResponse({"error": "boom"}, status_code=500)

    async def callback(self, request: Request) -> JSONResponse:
        url = json.loads(await request.body())["url"]
        threading.Thread(target=self._flood, args=(url,), daemon=True).start()
        return JSONResponse({})

    def _flood(self, url: str) -> None:
        sends: list[tuple[str, str, bytes]] = [("POST", url + "x", b"{}")] * 100 + [("GET", url, b"")] * 50
        sends += [("POST", url, b'{"x": "' + b"y" * (2 * receiver_module.MAX_BODY_BYTES) + b'"}')] * 5
        sends += [("POST", url, json.dumps(notification(n)).encode()) for n in range(700)]
        deadline = time.monotonic() + 30
        try:
            with httpx.Client(timeout=5) as client, concurrent.futures.ThreadPoolExecutor(16) as pool:

                def send(item: tuple[str, str, bytes]) -> None:
                    if time.monotonic() < deadline:
                        with contextlib.suppress(httpx.HTTPError):  # the receiver may cut us off: that is the point
                            client.request(item[0], item[1], content=item[2])

                list(pool.map(send, sends))
        finally:
            self.flood_done.set()


def test_a_target_flooding_the_receiver_cannot_take_the_run_down(tmp_path: Path) -> None:
    target = FloodingButler()
    with target.server:
        profile = tmp_path / "flood.toml"
        profile.write_text(
            '[target]\nname = "flood"\n\n[butler]\n'
            f'base_url = "{target.server.url}/api-gateway/sr-service/platform-srms"\n'
            f'control_url = "{target.server.url}/control"\ntoken_env = "PICKCONFORM_TEST_TOKEN"\n'
            "notification_timeout = 2.0\n"
        )
        command = [sys.executable, "-m", "pickconform.cli", "run", "--profile", str(profile), "--api", "butler"]
        command += ["--requirement", "BUTLER-CREATE", "--requirement", "BUTLER-LIFECYCLE"]
        command += ["--report-dir", str(tmp_path / "out")]
        run = run_measured(command, {"PICKCONFORM_TEST_TOKEN": "flood-token"}, WALL_BOUND * 2)
        target.flood_done.wait(30)
    code, output, wall, rss = run.status, run.output, run.wall, run.rss
    print(f"hostile notification-flood: exit {code}, {wall:.1f} s, peak RSS {rss / 2**20:.0f} MiB")
    assert code == 1, output[-3000:]  # the target's 500s fail BUTLER-CREATE
    assert "Traceback" not in output, output[-3000:]
    assert wall < WALL_BOUND and rss < RSS_BOUND, (wall, rss)
    document = json.loads((tmp_path / "out" / "report.json").read_text())
    statuses = {r["id"]: r["status"] for r in document["requirements"]}
    assert statuses["BUTLER-CREATE"] == "fail"
    failing = [r for r in document["requirements"] if r["status"] == "fail"]
    assert all(r["reason"] for r in failing)
    # The flood reached the receiver and was refused and counted, not judged against the run's own requests.
    assert document.get("unexpected_inbound", {}).get("count", 0) > 0, output[-2000:]
    assert "unexpected inbound request" in output
