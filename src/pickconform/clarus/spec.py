"""The Clarus specification as the suite reads it: the OpenAPI document (for fuzzing and response conformance)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
from schemathesis.core.failures import FailureGroup

from pickconform import fuzzing
from pickconform.paths import SPECS
from pickconform.verdict import Violation

OPENAPI = SPECS / "clarus" / "openapi.yaml"
GRAPHQL = SPECS / "clarus" / "schema.graphql"


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    paths = openapi().raw_schema["paths"]
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template) for template in paths]


def conforms(method: str, path: str, response: httpx.Response) -> None:
    """The response uses a documented status, content type and body schema for its operation (CLARUS-SCHEMA)."""
    template = next((t for pattern, t in _templates() if pattern.match(path)), None)
    if template is None:
        raise Violation("CLARUS-SCHEMA", f"{method} {path} is not a documented operation", response)
    operation = openapi()[template][method.upper()]
    documented = set(operation.definition.raw.get("responses", {}))
    if str(response.status_code) not in documented:
        raise Violation(
            "CLARUS-SCHEMA",
            f"{method} {template} answered {response.status_code}, documented: {', '.join(sorted(documented))}",
            response,
        )
    try:
        operation.validate_response(response)
    except (FailureGroup, AssertionError) as error:
        raise Violation(
            "CLARUS-SCHEMA", f"{method} {template}: {str(error).strip().splitlines()[0]}", response
        ) from None
