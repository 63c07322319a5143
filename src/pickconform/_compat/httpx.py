"""httpx and httpcore internals: keeping a body the suite read itself, and wrapping the sockets of a transport."""

from __future__ import annotations

from collections.abc import Callable

import httpcore
import httpx

from pickconform._compat import require

__all__ = ["set_content", "wrap_network_backend"]

require(hasattr(httpx.Response(200, content=b"probe"), "_content"), "httpx", httpx.__version__, "Response._content")
# Checked without building a transport (each builds an SSL context): its __init__ still stores a `_pool`, and
# httpcore's pool still keeps its network backend in `_network_backend`.
require("_pool" in httpx.HTTPTransport.__init__.__code__.co_names, "httpx", httpx.__version__, "HTTPTransport._pool")
require(
    hasattr(httpcore.ConnectionPool(), "_network_backend"),
    "httpcore",
    httpcore.__version__,
    "ConnectionPool._network_backend",
)


def set_content(response: httpx.Response, content: bytes) -> None:
    """Give a streamed response the body the suite read itself (within its limits), as `read()` would have: httpx has
    no public way to read a body with a size cap and keep it on the response."""
    response._content = content


def wrap_network_backend(
    transport: httpx.HTTPTransport, wrap: Callable[[httpcore.NetworkBackend], httpcore.NetworkBackend]
) -> None:
    """Put `wrap` around the sockets the transport opens (every connect, read and write): httpcore's pools take a
    network backend, but httpx has no public way to give its transport one. The transport stays an
    `httpx.HTTPTransport`, so vcrpy, which patches that class, still records and replays it."""
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool):  # a proxy's pool keeps its backend elsewhere
        raise TypeError(f"{type(pool).__name__}: only a direct connection pool's sockets can be wrapped")
    pool._network_backend = wrap(pool._network_backend)
