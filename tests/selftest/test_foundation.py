"""Determinism, redaction, profile parsing and the requirement catalogue."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pickconform.catalogue import catalogue
from pickconform.determinism import RunContext
from pickconform.http import redaction
from pickconform.http.client import Exchange, Wire, make_client
from pickconform.paths import FEATURES, SPECS


def test_values_depend_only_on_seed_run_id_scope_and_label() -> None:
    first, again = RunContext().values("test::a"), RunContext().values("test::a")
    assert [first.reference("SO"), first.reference("SO")] == [again.reference("SO"), again.reference("SO")]
    assert RunContext(seed=1).values("test::a").reference("SO") != RunContext().values("test::a").reference("SO")
    assert RunContext(run_id="r1").values("test::a").reference("SO").startswith("SO-r1-")
    assert RunContext().values("test::a").timestamp(days=1) == "2026-01-16T09:00:00Z"


def test_the_exchange_log_shows_exchanges_redacted_and_clipped_when_read() -> None:
    """The log redacts an exchange when it is read (a small one) or when it is added (a large one): either way what
    it shows holds no secret, and a large body is clipped to the wire's evidence limit."""
    canary = "CANARY-9c1e"
    wire = Wire()
    bodies = {"/small": {"name": canary}, "/large": {"name": canary, "padding": "x" * 100_000}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=bodies[request.url.path]))
    with make_client("http://target.test", wire, transport=transport) as client:
        client.post("/small", json={"password": canary})
        client.post("/large", json={"password": canary})
    shown = list(wire.log)
    assert [exchange.url for exchange in shown] == ["http://target.test/small", "http://target.test/large"]
    assert wire.log.count == 2 and wire.log.last() == shown[-1]
    assert all(canary not in exchange.describe() for exchange in shown)
    assert len(shown[-1].response_body) < wire.limits.evidence + 100  # clipped, with its full size noted


def test_exchanges_never_show_credentials_or_addresses() -> None:
    canary = "CANARY-7f3a9"
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/api/goods_outs",
        headers={"Authorization": f"Bearer {canary}"},
        json={
            "data": {"relationships": {"address": {"data": {"attributes": {"name": canary, "phone_number": canary}}}}}
        },
    )
    response = httpx.Response(200, json={"access_token": canary, "email_address": canary}, request=request)
    assert canary not in repr(Exchange.from_response(response))
    token_request = httpx.Request("POST", "http://x/oauth/token", data={"client_secret": canary, "client_id": "c"})
    assert canary not in Exchange.from_response(httpx.Response(401, request=token_request)).describe()


def test_a_body_cut_off_at_a_limit_shows_its_first_bytes_without_secrets() -> None:
    """A token response stopped by the size cap or the deadline is evidence too: its first bytes, less any secret."""
    canary = "CANARY-9c1d2"
    request = httpx.Request("POST", "http://x/oauth/token")
    first = f'{{"token_type": "bearer", "access_token": "{canary}", "expires_in": 3600, "padding": "{"x" * 300}'
    response = httpx.Response(200, headers={"content-type": "application/json"}, request=request)
    shown = Exchange.partial(response, first.encode(), "response larger than 1024 bytes").response_body
    assert (
        canary not in shown
        and '"token_type": "bearer"' in shown
        and shown.endswith("[response larger than 1024 bytes]")
    )
    assert redaction.fragment(f'{{"access_token": "{canary}') == '{"access_token": "<redacted>"'


def test_redaction_is_idempotent() -> None:
    document = {"access_token": "t", "nested": [{"email": "e"}]}
    assert redaction.document(redaction.document(document)) == redaction.document(document)


def test_every_requirement_is_sourced_and_has_a_test() -> None:
    features = "\n".join(path.read_text() for path in FEATURES.rglob("*.feature"))
    code = "\n".join(path.read_text() for path in (SPECS.parent / "tests" / "conformance").rglob("*.py"))
    untested = [r.id for r in catalogue().values() if f"@req:{r.id}" not in features and f'"{r.id}"' not in code]
    assert untested == []
    assert all(r.source and r.statement for r in catalogue().values())


@pytest.mark.parametrize("spec", sorted((SPECS / "clarus").glob("*.yaml")), ids=lambda p: p.name)
def test_clarus_operations_name_their_source(spec: Path) -> None:
    import yaml

    document = yaml.safe_load(spec.read_text())
    operations = [op for path in document["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations and all("x-source" in op for op in operations)


def test_clarus_graphql_schema_parses_and_serves_both_shapes() -> None:
    from graphql import build_schema

    schema = build_schema((SPECS / "clarus" / "schema.graphql").read_text())
    assert {"pickProcessingRequests", "pick_processing_requests"} <= set(schema.query_type.fields)
