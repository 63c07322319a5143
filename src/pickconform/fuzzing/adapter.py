"""Schemathesis, driven through the suite's own client: cases go out over real HTTP via `make_client`'s clients,
and each check that fails becomes a `Violation` of the requirement it verifies.

Fuzzing is derandomised by default (fixed seed, no example database), so a red build is reproducible.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import schemathesis
from schemathesis import checks as st_checks
from schemathesis.config import HealthCheck
from schemathesis.errors import FailureGroup

from pickconform import verdict
from pickconform._compat.hypothesis import settings_replaced, without_local_constants
from pickconform.fuzzing import documented
from pickconform.fuzzing.settings import current
from pickconform.http.client import Exchange
from pickconform.verdict import Violation

Check = Callable[..., Any]


# No shrinking: every shrink step against a live target is an HTTP exchange, and Hypothesis allows itself minutes of
# them (a faulty target stalled a run for more than 5 minutes). The checks record what they find without raising, so
# only an exchange the target broke (or the suite failing) reaches Hypothesis: that ends the test, and the case is
# reported as found. So Hypothesis stops at the first error (`report_multiple_bugs` would go on through every explicit
# example, Schemathesis' coverage cases among them, each costing the request deadline against a hanging target).
# Applied to the suite's own fuzz tests only (`fuzz_test`, `follow_links`): never as a profile, which would change
# every Hypothesis test of the environment pickconform is installed in.
NO_SHRINK = [p for p in hypothesis.Phase if p is not hypothesis.Phase.shrink]


def _not_shrinking(settings: hypothesis.settings) -> hypothesis.settings:
    phases = [p for p in settings.phases if p is not hypothesis.Phase.shrink]
    return hypothesis.settings(settings, phases=phases, report_multiple_bugs=False, print_blob=False)


@contextlib.contextmanager
def fuzz_test(test: object) -> Iterator[None]:
    """Around the call of a conformance test: a Schemathesis test runs without shrinking and stops at its first
    error, and no test draws Hypothesis' literals of the loaded modules (the cases depend on seed and spec alone)."""
    with without_local_constants(), settings_replaced(test, _not_shrinking):
        yield


@contextlib.contextmanager
def fuzz_collection() -> Iterator[None]:
    """Around the collection of a conformance module (Schemathesis builds its strategies there)."""
    with without_local_constants():
        yield


not_a_server_error = st_checks.not_a_server_error
status_code_conformance = st_checks.status_code_conformance
content_type_conformance = st_checks.content_type_conformance
response_schema_conformance = st_checks.response_schema_conformance
negative_data_rejection = st_checks.negative_data_rejection


def _configure(schema: Any, modes: list[str]) -> Any:
    schema.config.generation.update(
        modes=modes,
        max_examples=current().examples,
        deterministic=not current().randomised,
        database="none",
        # The suite authenticates every case itself; 401s are judged by their own scenarios.
        with_security_parameters=False,
    )
    if not current().randomised:
        schema.config.seed = current().seed
    # Hypothesis' health checks judge how fast data is generated, which says nothing about the target; on a loaded
    # 2-core CI machine the nested Butler bodies would trip "too slow" at random.
    schema.config.suppress_health_check = [HealthCheck.all]
    if current().replaying:
        schema.config.phases.update(phases=[])  # coverage cases would otherwise be built while collecting
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
    """The response status is documented for the operation and, with `body`, its body matches the schema (a body
    that breaks only keywords pickconform inferred is a warning)."""
    verdict.judged(requirement, response)
    statuses = set(operation.definition.raw.get("responses", {}))
    if str(response.status_code) not in statuses:
        raise Violation(
            requirement,
            f"{label} answered {response.status_code}, documented: {', '.join(sorted(statuses))}",
            response,
        )
    if body:
        try:
            operation.validate_response(response)
        except (FailureGroup, AssertionError) as error:
            soft = documented.response_is_documented(operation, response)
            message = f"{label}: {str(error).strip().splitlines()[0]}"
            raise Violation(requirement, message, response, soft=soft) from None


def send(case: Any, client: httpx.Client, base_url: str) -> httpx.Response:
    """Send a Schemathesis case through one of the suite's clients (so auth, logging and cassettes apply).

    A target that breaks an exchange (no answer within the deadline, a body over the limit, a dropped connection) ends
    the test's judging: the error fails the test's requirement with what it got, and no later case of the test is
    sent. Hypothesis replays the failing case once to report it; the replay raises the same error without sending, so
    a hanging target costs one deadline per test and a target that breaks only sometimes is not called flaky."""
    findings = verdict.current()
    if findings is not None and findings.broken is not None:
        raise findings.broken
    kwargs = case.as_transport_kwargs(base_url=base_url)
    content = kwargs.get("data")
    if isinstance(content, dict):
        content = httpx.QueryParams(content).__str__().encode()
    try:
        return client.request(
            kwargs["method"],
            kwargs["url"],
            headers={k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
            params=kwargs.get("params") or None,
            json=kwargs.get("json"),
            content=content if "json" not in kwargs else None,
        )
    except httpx.TransportError as error:
        if findings is not None:
            findings.broken = error
        raise


def judge(case: Any, response: httpx.Response, checks: Mapping[Check, str]) -> None:
    """Run every check on the response and record each that fails as a Violation of the requirement it verifies:
    the test goes on (no check hides another, and Hypothesis has nothing to shrink against a live target).

    Each check that applies says so (`verdict.judged`): every check applies to a response, but the refusal of
    negative data applies only to a negative case answered other than with a 5xx (a crash is no refusal;
    not_a_server_error judges it). A negative case the target accepted fails only if it breaks what the documents
    state (`documented.request_is_documented`); a response breaking only inferred keywords is a warning."""
    setup = is_setup_operation(case.operation)
    if setup and not current().all_operations:
        return  # called to set up (stateful links go through it), not judged: no document defines it
    refusal = _is_negative(case) and response.status_code < 500
    for check, requirement in checks.items():
        if check is not negative_data_rejection or refusal:
            verdict.judged(requirement, response)
    try:
        case.validate_response(response, checks=list(checks))
        return  # the common case: one pass over all checks
    except FailureGroup:
        pass
    exchange = Exchange.from_response(response)
    for check, requirement in checks.items():  # find which checks failed, to name their requirements
        if check is negative_data_rejection and not refusal:
            continue
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            failure = group.exceptions[0]
            message = f"{case.operation.label}: {check.__name__}: {failure.title}"
            if failure.message:
                message += f" — {failure.message.strip().splitlines()[0][:300]}"
            soft = setup or _only_inferred(check, case, response)
            if soft and check is negative_data_rejection:
                message += " (breaks only constraints pickconform inferred, or null for an optional field)"
            elif soft and not setup:
                message += " (breaks only keywords pickconform inferred)"
            verdict.record(Violation(requirement, message, exchange, soft=soft))


def _is_negative(case: Any) -> bool:
    meta = case.meta
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return bool(getattr(mode, "is_negative", False))


def _only_inferred(check: Check, case: Any, response: httpx.Response) -> bool:
    """Whether a failed check found only what no document states: an accepted negative case valid against the
    documented-only spec, or a response valid against its documented-only schema."""
    if not hasattr(case.operation.schema, "raw_schema") or "paths" not in case.operation.schema.raw_schema:
        return False  # GraphQL: no inferred keywords
    if check is negative_data_rejection:
        return documented.request_is_documented(case)
    if check is response_schema_conformance:
        return documented.response_is_documented(case.operation, response)
    return False


SETUP = "x-pickconform-setup"  # on an operation the seeds do not define: the suite calls it to set up, never judges it
INFERRED = documented.INFERRED  # on a schema: keywords pickconform inferred (no document states them)


def is_setup_operation(operation: Any) -> bool:
    """An OpenAPI operation marked set-up only; a GraphQL field (no extensions in SDL) never is."""
    raw = operation.definition.raw
    return isinstance(raw, dict) and bool(raw.get(SETUP))


def judged_operations(schema: Any) -> Any:
    """What a fuzz test judges: the operations the seeds define; with --fuzz-all, the set-up operations too."""
    if current().all_operations:
        return schema
    return schema.exclude(func=lambda ctx: bool(ctx.operation.definition.raw.get(SETUP)))
