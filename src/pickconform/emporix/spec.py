"""The Emporix specification as the suite reads it: documented statuses, content types and bodies per operation."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
from schemathesis.core.failures import FailureGroup

from pickconform import fuzzing
from pickconform.paths import SPECS
from pickconform.verdict import Violation

OPENAPI = SPECS / "emporix" / "openapi.yaml"
ERROR_MESSAGE_STATUSES = (400, 404, 409, 500)  # the statuses whose body is the vendor's errorMessage


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    paths = openapi().raw_schema["paths"]
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template) for template in paths]


def conforms(method: str, path: str, response: httpx.Response, requirement: str | None = None) -> None:
    """The response has a documented status, a JSON body and the schema the spec gives for that status.

    Failures name `requirement`, by default EMPORIX-ERROR-BODY for refusals and EMPORIX-SCHEMA otherwise.
    """
    requirement = requirement or ("EMPORIX-ERROR-BODY" if response.status_code >= 400 else "EMPORIX-SCHEMA")
    template = next((t for pattern, t in _templates() if pattern.match(path)), None)
    if template is None:
        return  # a malformed path matches no operation: only the status is judged, by the caller
    operation = openapi()[template][method.upper()]
    documented = set(operation.definition.raw.get("responses", {}))
    if str(response.status_code) not in documented:
        raise Violation(
            "EMPORIX-SCHEMA",
            f"{method} {template} answered {response.status_code}, documented: {', '.join(sorted(documented))}",
            response,
        )
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise Violation(requirement, f"{method} {template}: expected an application/json body", response)
    try:
        operation.validate_response(response)
    except (FailureGroup, AssertionError) as error:
        raise Violation(requirement, f"{method} {template}: {str(error).strip().splitlines()[0]}", response) from None
    if response.status_code in ERROR_MESSAGE_STATUSES:
        status = response.json().get("status")
        if status != response.status_code:
            raise Violation(
                requirement, f"errorMessage.status is {status!r}, the HTTP status {response.status_code}", response
            )
