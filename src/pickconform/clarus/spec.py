"""The Clarus specification as the suite reads it: the OpenAPI document (for fuzzing and response conformance)."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
from schemathesis.errors import FailureGroup

from pickconform import fuzzing
from pickconform._compat.schemathesis import status_code_matches
from pickconform.paths import SPECS
from pickconform.verdict import Violation, judged, record

OPENAPI = SPECS / "clarus" / "openapi.yaml"
GRAPHQL = SPECS / "clarus" / "schema.graphql"


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


def conforms(method: str, path: str, response: httpx.Response) -> None:
    """Record whether the response uses a documented status (ranges such as 4XX included), content type and body
    schema for its operation (CLARUS-SCHEMA). Set-up operations, which no seed defines, are not judged."""
    found = fuzzing.operation_for(openapi(), method, path)
    if found is None:
        record(Violation("CLARUS-SCHEMA", f"{method} {path} is not a documented operation", response))
        return
    template, operation = found
    if fuzzing.is_setup_operation(operation):
        return
    label = f"{method} {template}"
    judged("CLARUS-SCHEMA", response)
    documented = list(operation.definition.raw.get("responses", {}))
    if not any(status_code_matches(code, response.status_code) for code in documented):
        record(
            Violation(
                "CLARUS-SCHEMA",
                f"{label} answered {response.status_code}, documented: {', '.join(documented)}",
                response,
            )
        )
        return
    try:
        operation.validate_response(response)
    except (FailureGroup, AssertionError) as error:
        soft = fuzzing.response_is_documented(operation, response)  # breaks only what pickconform inferred
        record(Violation("CLARUS-SCHEMA", f"{label}: {str(error).strip().splitlines()[0]}", response, soft=soft))
