"""The Emporix specification as the suite reads it: documented statuses, content types and bodies per operation."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx

from pickconform import fuzzing
from pickconform.paths import SPECS
from pickconform.verdict import Violation

OPENAPI = SPECS / "emporix" / "openapi.yaml"
ERROR_MESSAGE_STATUSES = (400, 404, 409, 500)  # the statuses whose body is the vendor's errorMessage


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


def conforms(method: str, path: str, response: httpx.Response, requirement: str | None = None) -> None:
    """The response has a documented status, a JSON body and the schema the spec gives for that status.

    Failures name `requirement`, by default EMPORIX-ERROR-BODY for refusals and EMPORIX-SCHEMA otherwise.
    """
    requirement = requirement or ("EMPORIX-ERROR-BODY" if response.status_code >= 400 else "EMPORIX-SCHEMA")
    found = fuzzing.operation_for(openapi(), method, path)
    if found is None:
        return  # a malformed path matches no operation: only the status is judged, by the caller
    template, operation = found
    fuzzing.documented_status(operation, f"{method} {template}", response, "EMPORIX-SCHEMA", body=False)
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise Violation(requirement, f"{method} {template}: expected an application/json body", response)
    fuzzing.documented_status(operation, f"{method} {template}", response, requirement)
    if response.status_code in ERROR_MESSAGE_STATUSES:
        status = response.json().get("status")
        if status != response.status_code:
            raise Violation(
                requirement, f"errorMessage.status is {status!r}, the HTTP status {response.status_code}", response
            )
