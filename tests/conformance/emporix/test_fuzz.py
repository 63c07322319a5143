"""Schemathesis over specs/emporix (positive and negative, including tenant and jobId), and the ignored-auth check.

Every case goes out through the suite's own client with a token of the operation's scope; each check that fails is
reported on the requirement it verifies. Only the seed's two recalculation operations are judged: the orders and
events operations are set-up helpers (`x-pickconform-setup`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, TestPhase

from pickconform import fuzzing
from pickconform.emporix import spec
from pickconform.emporix.target import MANAGE, VIEW, EmporixTarget
from pickconform.verdict import check

TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")
JOB_ID = re.compile(r"[a-zA-Z0-9_-]{3,16}")
FUZZ_REQUIREMENTS = (
    "EMPORIX-NO-5XX",
    "EMPORIX-SCHEMA",
    "EMPORIX-ERROR-BODY",
    "EMPORIX-ERROR-CODE",
    "EMPORIX-REJECTS-INVALID",
    "EMPORIX-TENANT-PATTERN",
    "EMPORIX-JOBID-PATTERN",
)

schema = spec.openapi()


def malformed_path(case: Any) -> str:
    """The requirement of the path parameter a case breaks ("" when its path is well-formed)."""
    path = case.path_parameters or {}
    if "jobId" in path and not JOB_ID.fullmatch(str(path["jobId"])):
        return "EMPORIX-JOBID-PATTERN"
    if "tenant" in path and not TENANT.fullmatch(str(path["tenant"])):
        return "EMPORIX-TENANT-PATTERN"
    return ""


def checks_for(case: Any, status: int) -> dict[Any, str]:
    """Which requirement each check verifies for this case: a refused malformed path is judged on its parameter."""
    negative = malformed_path(case) or "EMPORIX-REJECTS-INVALID"
    documented = "EMPORIX-ERROR-BODY" if status >= 400 else "EMPORIX-SCHEMA"
    checks = {
        fuzzing.not_a_server_error: "EMPORIX-NO-5XX",
        fuzzing.status_code_conformance: "EMPORIX-SCHEMA",
        fuzzing.content_type_conformance: documented,
        fuzzing.response_schema_conformance: documented,
        fuzzing.negative_data_rejection: negative,
    }
    if _only_unknown_parameters(case):
        del checks[fuzzing.negative_data_rejection]
    if malformed_path(case) and 400 <= status < 500:
        # The documents do not say which status refuses a malformed path (GET documents no 400; DECISIONS.md accepts
        # 404 or 400): that it is refused is what is judged here; its status is judged by the scenarios.
        del checks[fuzzing.status_code_conformance]
    return checks


def _only_unknown_parameters(case: Any) -> bool:
    """Unknown query parameters or headers are ignored, not refused, by these APIs: no requirement forbids them.

    (Schemathesis means to skip such cases itself, but reads integer query values as strings and so does not.)
    """
    phase = case.meta.phase if case.meta is not None else None
    return (
        phase is not None
        and phase.name == TestPhase.COVERAGE
        and phase.data.scenario == CoverageScenario.OBJECT_UNEXPECTED_PROPERTIES
        and phase.data.parameter_location in (ParameterLocation.QUERY, ParameterLocation.HEADER)
    )


@pytest.mark.requirement(*FUZZ_REQUIREMENTS)
@fuzzing.judged_operations(schema).parametrize()
def test_operation(case, emporix_target: EmporixTarget, pickconform_fuzz_pipeline: fuzzing.Pipeline) -> None:
    # A well-formed tenant is the target's own, so positive cases reach the tenant's data instead of a 403.
    if "tenant" in (case.path_parameters or {}) and TENANT.fullmatch(str(case.path_parameters["tenant"])):
        case.path_parameters["tenant"] = emporix_target.tenant.name
    pickconform_fuzz_pipeline.submit(lambda: _send_and_judge(case, emporix_target))


def _send_and_judge(case: Any, emporix_target: EmporixTarget) -> None:
    client = emporix_target.client(VIEW if case.method.upper() == "GET" else MANAGE)
    response = fuzzing.send(case, client, emporix_target.base_url)
    fuzzing.judge(case, response, checks_for(case, response.status_code))
    documented = str(response.status_code) in case.operation.definition.raw["responses"]
    if malformed_path(case) and response.status_code in (400, 404) and not documented:
        spec.error_body(response)  # a malformed path's refusal the operation does not list is still an errorMessage
    elif response.status_code in spec.ERROR_MESSAGE_STATUSES:
        spec.error_code(response)


def _samples(tenant: str) -> dict[str, dict[str, Any]]:
    """One valid request per seed operation: without credentials, each must be refused with 401."""
    return {
        "triggerRecalculation": {
            "method": "POST",
            "url": f"/pick-pack/{tenant}/jobs/recalculations",
            "json": {"jobType": "AUTOMATIC"},
        },
        "retrieveRecalculationJob": {"method": "GET", "url": f"/pick-pack/{tenant}/jobs/recalculations/job-0001"},
    }


OPERATIONS = [
    operation["operationId"]
    for methods in schema.raw_schema["paths"].values()
    for operation in methods.values()
    if isinstance(operation, dict) and "operationId" in operation and not operation.get(fuzzing.SETUP)
]


@pytest.mark.requirement("EMPORIX-AUTH-401", "EMPORIX-ERROR-BODY")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_ignored_auth(operation: str, emporix_target: EmporixTarget) -> None:
    """The ignored-auth check: a valid request without credentials is refused with 401, never served."""
    sample = _samples(emporix_target.tenant.name)[operation]
    response = emporix_target.anonymous().request(**sample)
    check(
        response.status_code == 401,
        "EMPORIX-AUTH-401",
        f"{operation} without a token: expected 401, got {response.status_code}",
        response,
    )
    spec.conforms(sample["method"], sample["url"], response)
