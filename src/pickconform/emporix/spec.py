"""The Emporix specification as the suite reads it: documented statuses, content types and bodies per operation."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
import jsonschema

from pickconform import fuzzing, verdict
from pickconform.paths import SPECS
from pickconform.verdict import Violation

OPENAPI = SPECS / "emporix" / "openapi.yaml"
CONTROL = SPECS / "emporix" / "control.yaml"  # the control protocol a sandbox may implement (set-up, not judged)
ERROR_MESSAGE_STATUSES = (400, 404, 409, 500)  # the statuses whose body is the vendor's errorMessage


@cache
def openapi() -> Any:
    return fuzzing.openapi(OPENAPI)


@cache
def control_openapi() -> Any:
    return fuzzing.openapi(CONTROL)


@cache
def _error_message(documented: bool = False) -> jsonschema.Draft202012Validator:
    """The errorMessage schema (`documented`: without the keywords marked `x-pickconform-inferred`)."""
    document = openapi().raw_schema
    if documented:
        document = fuzzing.documented_only(document)
    return jsonschema.Draft202012Validator({"$ref": "#/components/schemas/ErrorMessage", **document})


@cache
def _job_id_parameter() -> jsonschema.Draft202012Validator:
    """GET's jobId path parameter, as seed 003 documents it (3-16 characters of [a-zA-Z0-9_-])."""
    operation = openapi().raw_schema["paths"]["/pick-pack/{tenant}/jobs/recalculations/{jobId}"]["get"]
    return jsonschema.Draft202012Validator(
        next(p["schema"] for p in operation["parameters"] if p.get("name") == "jobId")
    )


def retrievable(job_id: object) -> bool:
    """Whether GET can take this jobId: the documented path parameter, not the creation response's schema (whose
    limits no document states for the response itself)."""
    return isinstance(job_id, str) and _job_id_parameter().is_valid(job_id)


def conforms(
    method: str, path: str, response: httpx.Response, requirement: str | None = None, *, stop: bool = False
) -> bool:
    """The response has a documented status, a JSON body and the schema the spec gives for that status, and an
    errorMessage's code is its HTTP status (a SHOULD). Each finding is recorded on its own requirement (`stop`: the
    first is raised instead, for a caller whose next steps need a conforming response). Returns whether it conforms.

    Failures name `requirement`, by default EMPORIX-ERROR-BODY for refusals and EMPORIX-SCHEMA otherwise.
    """
    requirement = requirement or ("EMPORIX-ERROR-BODY" if response.status_code >= 400 else "EMPORIX-SCHEMA")
    found = fuzzing.operation_for(openapi(), method, path)
    if found is None:
        return True  # a malformed path matches no operation: only the status is judged, by the caller
    template, operation = found
    label = f"{method} {template}"
    verdict.judged(requirement, response)
    violations: list[Violation] = []
    try:
        fuzzing.documented_status(operation, label, response, "EMPORIX-SCHEMA", body=False)
    except Violation as violation:
        violations.append(violation)
    if not response.headers.get("content-type", "").startswith("application/json"):
        violations.append(Violation(requirement, f"{label}: expected an application/json body", response))
    elif not violations:
        try:
            fuzzing.documented_status(operation, label, response, requirement)
        except Violation as violation:
            violations.append(violation)
    violations += _error_code(response)
    return _report(violations, stop)


def error_body(response: httpx.Response, requirement: str = "EMPORIX-ERROR-BODY", *, stop: bool = False) -> bool:
    """For a refusal whose status the operation does not document (a malformed path's 400 on GET, which the
    decisions accept): the body is still the vendor's errorMessage, as JSON."""
    verdict.judged(requirement, response)
    violations: list[Violation] = []
    try:
        body = response.json()
    except ValueError:
        body = None
        violations.append(Violation(requirement, "expected the errorMessage document as JSON", response))
    if body is not None:
        error = jsonschema.exceptions.best_match(_error_message().iter_errors(body))
        if error is not None:
            soft = _error_message(documented=True).is_valid(body)  # breaks only keywords pickconform inferred
            message = f"not an errorMessage: {error.message[:300]}"
            violations.append(Violation(requirement, message, response, soft=soft))
        violations += _error_code(response)
    return _report(violations, stop)


def error_code(response: httpx.Response) -> bool:
    """Record where an errorMessage's code (or v1 status) is not the HTTP status; returns whether it is."""
    return _report(_error_code(response), stop=False)


def _error_code(response: httpx.Response) -> list[Violation]:
    """The vendor: errorMessage.code "should be consistent with the response HTTP code" (v1: status)."""
    if response.status_code not in ERROR_MESSAGE_STATUSES:
        return []
    try:
        body = response.json()
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    if any(isinstance(body.get(name), int) for name in ("code", "status")):
        verdict.judged("EMPORIX-ERROR-CODE", response)
    return [
        Violation(
            "EMPORIX-ERROR-CODE",
            f"errorMessage.{name} is {body[name]!r}, the HTTP status {response.status_code}",
            response,
        )
        for name in ("code", "status")
        if isinstance(body.get(name), int) and body[name] != response.status_code
    ]


def _report(violations: list[Violation], stop: bool) -> bool:
    if stop and violations:
        for violation in violations[1:]:
            verdict.record(violation)
        raise violations[0]
    for violation in violations:
        verdict.record(violation)
    return not violations
