"""Schemathesis, driven through the suite's own client: cases go out over real HTTP via `make_client`'s clients,
and each check that fails becomes a `Violation` of the requirement it verifies.

Fuzzing is derandomised by default (fixed seed, no example database), so a red build is reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis import checks as st_checks
from schemathesis.config import HealthCheck
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

from pickconform.client import Exchange
from pickconform.verdict import Violation

Check = Callable[..., Any]


@dataclass
class FuzzSettings:
    """Set once by the plugin from the command line before test modules are collected."""

    examples: int = 20
    randomised: bool = False
    seed: int = 0


SETTINGS = FuzzSettings()

not_a_server_error = st_checks.not_a_server_error
status_code_conformance = openapi_checks.status_code_conformance
content_type_conformance = openapi_checks.content_type_conformance
response_schema_conformance = openapi_checks.response_schema_conformance
negative_data_rejection = openapi_checks.negative_data_rejection


def _configure(schema: Any, modes: list[str]) -> Any:
    schema.config.generation.update(
        modes=modes,
        max_examples=SETTINGS.examples,
        deterministic=not SETTINGS.randomised,
        database="none",
        # The suite authenticates every case itself; 401s are judged by their own scenarios.
        with_security_parameters=False,
    )
    if not SETTINGS.randomised:
        schema.config.seed = SETTINGS.seed
    # Hypothesis' health checks judge how fast data is generated, which says nothing about the target; on a loaded
    # 2-core CI machine the nested Butler bodies would trip "too slow" at random.
    schema.config.suppress_health_check = [HealthCheck.all]
    return schema


def openapi(path: Path, modes: tuple[str, ...] = ("positive", "negative")) -> Any:
    return _configure(schemathesis.openapi.from_path(str(path)), list(modes))


def graphql(path: Path) -> Any:
    return _configure(schemathesis.graphql.from_path(str(path)), ["positive"])


def operation_for(schema: Any, method: str, path: str) -> tuple[str, Any] | None:
    """The documented operation a concrete path belongs to, with its path template; None if none matches."""
    # re caches compiled patterns, so matching the few documented templates per call stays cheap.
    template = next(
        (t for t in schema.raw_schema["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", t), path)), None
    )
    return None if template is None else (template, schema[template][method.upper()])


def documented_status(
    operation: Any, label: str, response: httpx.Response, requirement: str, *, body: bool = True
) -> None:
    """The response status is documented for the operation and, with `body`, its body matches the schema."""
    documented = set(operation.definition.raw.get("responses", {}))
    if str(response.status_code) not in documented:
        raise Violation(
            requirement,
            f"{label} answered {response.status_code}, documented: {', '.join(sorted(documented))}",
            response,
        )
    if body:
        try:
            operation.validate_response(response)
        except (FailureGroup, AssertionError) as error:
            raise Violation(requirement, f"{label}: {str(error).strip().splitlines()[0]}", response) from None


def send(case: Any, client: httpx.Client, base_url: str) -> httpx.Response:
    """Send a Schemathesis case through one of the suite's clients (so auth, logging and cassettes apply)."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    content = kwargs.get("data")
    if isinstance(content, dict):
        content = httpx.QueryParams(content).__str__().encode()
    return client.request(
        kwargs["method"],
        kwargs["url"],
        headers={k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
        params=kwargs.get("params") or None,
        json=kwargs.get("json"),
        content=content if "json" not in kwargs else None,
    )


def judge(case: Any, response: httpx.Response, checks: Mapping[Check, str]) -> None:
    """Run the checks on the response; a failure raises a Violation of the requirement its check verifies."""
    try:
        case.validate_response(response, checks=list(checks))
        return  # the common case: one pass over all checks
    except FailureGroup:
        pass
    for check, requirement in checks.items():  # find which check failed, to name its requirement
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            failure = group.exceptions[0]
            message = f"{check.__name__}: {failure.title}"
            if failure.message:
                message += f" — {failure.message.strip().splitlines()[0][:300]}"
            raise Violation(requirement, message, Exchange.from_response(response)) from None
