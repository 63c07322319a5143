"""The private APIs in pickconform.compat still behave as the suite needs: an upgrade that changes one fails here."""

from __future__ import annotations

import httpx

from pickconform import compat


def test_a_body_read_by_the_suite_is_the_responses_content() -> None:
    response = httpx.Response(200, stream=httpx.ByteStream(b'{"a": 1}'))
    chunks = b"".join(response.iter_bytes())
    compat.set_content(response, chunks)
    assert response.content == b'{"a": 1}' and response.json() == {"a": 1}
    assert response.read() == b'{"a": 1}'  # httpx's own read now returns what the suite read
