"""A rewriting proxy for the project's tests: forwards to a served reference implementation over real HTTP, except
for the requests a rule answers itself (a refused set-up call, an operation the target does not offer)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pickconform.http.loopback import LoopbackServer
from pickconform.reference.app import Reference
from pickconform.reference.server import ReferenceServer


@dataclass(frozen=True)
class Rule:
    method: str
    path: str  # a regular expression the whole path must match
    status: int
    body: dict[str, object] | None = None


def _app(upstream: str, rules: tuple[Rule, ...]) -> Starlette:
    client = httpx.AsyncClient(base_url=upstream, timeout=10)

    async def forward(request: Request) -> Response:
        for rule in rules:
            if rule.method == request.method and re.fullmatch(rule.path, request.url.path):
                return JSONResponse(rule.body or {"error": "refused by the test proxy"}, status_code=rule.status)
        answer = await client.request(
            request.method,
            request.url.path,
            params=request.query_params,
            content=await request.body(),
            headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")},
        )
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


@contextmanager
def proxied_reference(families: list[str], *rules: Rule) -> Iterator[str]:
    """A served reference (demo credentials) behind the proxy; yields the proxy's URL."""
    with (
        ReferenceServer(Reference(families=families, demo_credentials=True)) as server,
        LoopbackServer(_app(server.url, rules), name="the test proxy") as proxy,
    ):
        yield proxy.url
