"""The Clarus specification as the suite reads it: the OpenAPI document (for fuzzing and response conformance)."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx

from pickconform import fuzzing
from pickconform.paths import SPECS
from pickconform.verdict import Violation

OPENAPI = SPECS / "clarus" / "openapi.yaml"
GRAPHQL = SPECS / "clarus" / "schema.graphql"


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


def conforms(method: str, path: str, response: httpx.Response) -> None:
    """The response uses a documented status, content type and body schema for its operation (CLARUS-SCHEMA)."""
    found = fuzzing.operation_for(openapi(), method, path)
    if found is None:
        raise Violation("CLARUS-SCHEMA", f"{method} {path} is not a documented operation", response)
    template, operation = found
    fuzzing.documented_status(operation, f"{method} {template}", response, "CLARUS-SCHEMA")
