"""The non-public APIs of dependencies the suite relies on, in one place, each checked when this module is imported so
an upgrade that removes one fails loudly here rather than silently elsewhere (tests/selftest/test_compat.py)."""

from __future__ import annotations

import httpx

_PROBE = httpx.Response(200, content=b"probe")
if not hasattr(_PROBE, "_content"):  # pragma: no cover - only on an httpx upgrade
    raise ImportError(f"httpx {httpx.__version__}: Response._content is gone; see pickconform.compat")


def set_content(response: httpx.Response, content: bytes) -> None:
    """Give a streamed response the body the suite read itself (within its limits), as `read()` would have: httpx has
    no public way to read a body with a size cap and keep it on the response."""
    response._content = content
