"""Schemathesis over specs/clarus: stateless (positive and negative), stateful through the spec's links, and GraphQL.

Every case goes out through the suite's own client; each check that fails is reported on the requirement it verifies.
"""

from __future__ import annotations

import httpx
import pytest

from pickconform import fuzzing
from pickconform.clarus import spec
from pickconform.clarus.target import ClarusTarget

REST_CHECKS = {
    fuzzing.not_a_server_error: "CLARUS-NO-5XX",
    fuzzing.status_code_conformance: "CLARUS-SCHEMA",
    fuzzing.content_type_conformance: "CLARUS-SCHEMA",
    fuzzing.response_schema_conformance: "CLARUS-SCHEMA",
    fuzzing.negative_data_rejection: "CLARUS-REJECTS-INVALID",
}
GRAPHQL_CHECKS = {fuzzing.not_a_server_error: "CLARUS-NO-5XX"}

rest = spec.openapi()
graphql = fuzzing.graphql(spec.GRAPHQL)


@pytest.mark.requirement(*dict.fromkeys(REST_CHECKS.values()))
@fuzzing.judged_operations(rest).parametrize()
def test_rest_operation(case, clarus_target: ClarusTarget, pickconform_fuzz_pipeline: fuzzing.Pipeline) -> None:
    def send_and_judge() -> None:
        fuzzing.judge(case, fuzzing.send(case, clarus_target.client(), clarus_target.rest_url), REST_CHECKS)

    pickconform_fuzz_pipeline.submit(send_and_judge)


@pytest.mark.requirement(*GRAPHQL_CHECKS.values())
@graphql.parametrize()
def test_graphql_query(case, clarus_target: ClarusTarget) -> None:
    """Each documented query shape's root field; one the target does not serve is not judged here (CLARUS-GQL-SHAPES
    judges whether it should)."""
    field = case.operation.label.split(".")[-1]
    shape = SHAPE_OF_ROOT_FIELD[field]
    if shape not in clarus_target.graphql_shapes:
        pytest.skip(f"the profile's graphql_shapes leave out the {shape} query shape ({field})")
    response = fuzzing.send(case, clarus_target.client(), clarus_target.base_url + clarus_target.graphql_path)
    if _root_field_unknown(response, field):
        pytest.skip(f"the target does not serve the {shape} query shape: it does not know the field {field}")
    fuzzing.judge(case, response, GRAPHQL_CHECKS)


SHAPE_OF_ROOT_FIELD = {"pickProcessingRequests": "seed", "pick_processing_requests": "reference"}


def _root_field_unknown(response: httpx.Response, field: str) -> bool:
    """A GraphQL validation error naming the root field as unknown: the query shape is not offered, no server error."""
    try:
        document = response.json()
    except ValueError:
        return False
    errors = document.get("errors") if isinstance(document, dict) else None
    return (
        isinstance(errors, list)
        and not (document.get("data") or None)
        and any(isinstance(e, dict) and f"'{field}'" in str(e.get("message", "")) for e in errors)
        and response.status_code < 500
    )


@pytest.mark.requirement(*dict.fromkeys(REST_CHECKS.values()))
def test_stateful_links(clarus_target: ClarusTarget) -> None:
    """Follow the spec's links (receipt → receive, goods out → read) with the same checks on every step."""
    fuzzing.follow_links(
        rest,
        send=lambda case: fuzzing.send(case, clarus_target.client(), clarus_target.rest_url),
        judge=lambda case, response: fuzzing.judge(case, response, REST_CHECKS),
        examples=max(1, fuzzing.current().examples // 4),
        steps=4,
    )
