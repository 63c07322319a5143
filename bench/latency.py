"""A sandbox across a network, for the benchmark: the reference implementation served by `pickconform serve` (its own
process, as a hosted sandbox is), reached through a proxy that delays every answer, and the Butler notifications it
POSTs back reaching the suite's receiver through another; the run targets it with a profile, as a user targets a
vendor sandbox.

Each proxy holds a request half the round trip before forwarding it and the other half before answering, so a
request reaches the target, and an answer the suite, when it would across a network with that round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pickconform.http.loopback import LoopbackServer

_HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "content-encoding"}


def delaying_proxy(upstream: str, round_trip: float) -> Starlette:
    """Forwards every request to `upstream`, half the round trip on the way there and half on the way back."""
    client = httpx.AsyncClient(base_url=upstream, timeout=60, limits=httpx.Limits(max_connections=200))
    half = round_trip / 2

    async def forward(request: Request) -> Response:
        body = await request.body()
        if half:
            await asyncio.sleep(half)
        # The path as it came, percent-encoded (a fuzz case's control characters stay escaped), and its query.
        target = request.scope["raw_path"].decode("latin-1")
        if request.scope["query_string"]:
            target += "?" + request.scope["query_string"].decode("latin-1")
        answer = await client.request(
            request.method,
            target,
            content=body,
            headers={k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP},
        )
        if half:
            await asyncio.sleep(half)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The demo credentials of `pickconform serve` (README, "Pointing the suite at a server"): not secrets.
SECRETS = {
    "BENCH_CLARUS_SECRET": "acme-secret",
    "BENCH_CLARUS_OTHER_SECRET": "globex-secret",
    "BENCH_EMPORIX_SECRET": "acme-pickpack-secret",
    "BENCH_EMPORIX_OTHER_SECRET": "globex-pickpack-secret",
    "BENCH_BUTLER_TOKEN": "butler-demo-token",
}


def profile_text(url: str, callback_listen: str, callback_public_url: str) -> str:
    """Every family of the served reference, with every capability it offers (the suite runs what it runs against
    the embedded reference)."""
    return f"""
[target]
name = "served reference across a network"

[clarus]
base_url = "{url}/clarus"
subdomain = "acme"
[clarus.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "acme-client"
client_secret_env = "BENCH_CLARUS_SECRET"
[clarus.other_tenant]
subdomain = "globex"
[clarus.other_tenant.oauth]
token_url = "{url}/clarus/oauth/token"
client_id = "globex-client"
client_secret_env = "BENCH_CLARUS_OTHER_SECRET"

[emporix]
base_url = "{url}/emporix"
tenant = "acme"
token_url = "{url}/emporix/oauth/token"
client_id = "acme-pickpack"
client_secret_env = "BENCH_EMPORIX_SECRET"
capabilities = ["seed_orders", "token_lifetime"]
[emporix.other_tenant]
tenant = "globex"
client_id = "globex-pickpack"
client_secret_env = "BENCH_EMPORIX_OTHER_SECRET"

[butler]
base_url = "{url}/butler"
token_env = "BENCH_BUTLER_TOKEN"
control_url = "{url}/butler/control"
callback_listen = "{callback_listen}"
callback_public_url = "{callback_public_url}"
"""


@dataclass(frozen=True)
class Sandbox:
    profile: Path
    env: Mapping[str, str]
    served: str  # the served reference itself, without the delay


@contextlib.contextmanager
def sandbox(round_trip_ms: float, directory: Path) -> Iterator[Sandbox]:
    """The served reference behind `round_trip_ms` of round trip, both ways; yields its profile."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bin_dir / "pickconform"), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{served}/butler/control/capabilities", timeout=1)
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("pickconform serve did not start")
            time.sleep(0.1)
        receiver_port = free_port()
        round_trip = round_trip_ms / 1000
        with (
            LoopbackServer(delaying_proxy(served, round_trip), name="the delaying proxy") as proxy,
            LoopbackServer(
                delaying_proxy(f"http://127.0.0.1:{receiver_port}", round_trip), name="the callback proxy"
            ) as callback,
        ):
            profile = directory / f"sandbox-{round_trip_ms:g}ms.toml"
            profile.write_text(profile_text(proxy.url, f"127.0.0.1:{receiver_port}", callback.url))
            yield Sandbox(profile, {**os.environ, **SECRETS}, served)
    finally:
        server.terminate()
        server.wait(timeout=10)


PIPELINED = ("test_operation", "test_rest_operation")  # the fuzz tests that submit their cases to the pipeline


def critical_path(report: dict[str, Any], pipeline_width: int, groups: Mapping[str, str]) -> tuple[int, str]:
    """The longest chain of dependent exchanges the run recorded (report.json's exchanges per test), and what it is.

    A test's exchanges depend on each other (a scenario's steps, a poll loop), except a fuzz test's independent cases,
    sent `pipeline_width` at a time: its chain is its exchanges over that width. Tests of one exclusive group may not
    overlap on one target: the group's chain is the sum of its tests'. The run's critical path is the longest chain
    of either kind; the Butler notifications are not counted (a lower bound)."""
    chains: dict[str, int] = {}
    for requirement in report["requirements"]:
        for test in requirement["tests"]:
            nodeid, exchanges = test["nodeid"], int(test.get("exchanges") or 0)
            pipelined = any(f"/test_fuzz.py::{name}[" in nodeid for name in PIPELINED)
            chains[nodeid] = math.ceil(exchanges / pipeline_width) if pipelined else exchanges
    if not chains:
        return 0, "no test"
    longest = max(chains, key=lambda nodeid: chains[nodeid])
    by_group: dict[str, int] = {}
    for nodeid, chain in chains.items():
        if nodeid in groups:
            by_group[groups[nodeid]] = by_group.get(groups[nodeid], 0) + chain
    best = (chains[longest], f"test {longest.split('::')[-1]}")
    for group, chain in by_group.items():
        if chain > best[0]:
            best = (chain, f"exclusive group {group}")
    return best
