"""Schemathesis, driven through the suite's own client: cases go out over real HTTP via `make_client`'s clients,
and each check that fails becomes a `Violation` of the requirement it verifies.

Fuzzing is derandomised by default (fixed seed, no example database), so a red build is reproducible.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import re
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import hypothesis
import pytest
import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, Response
from schemathesis import checks as st_checks
from schemathesis.config import HealthCheck
from schemathesis.errors import FailureGroup

from pickconform import verdict
from pickconform._compat.hypothesis import without_local_constants
from pickconform._compat.pytest import test_function_replaced
from pickconform._compat.schemathesis import NOT_SET, ApiOperationMark, CaseMetadata
from pickconform.http import redaction
from pickconform.http.client import Exchange
from pickconform.verdict import Violation

Check = Callable[..., Any]


@dataclass
class FuzzSettings:
    """Set once by the plugin from the command line before test modules are collected."""

    examples: int = 20
    randomised: bool = False
    seed: int = 0
    replaying: bool = False  # cases come from cassettes: Schemathesis generates none, not even at collection
    all_operations: bool = False  # also judge the set-up operations (findings on them are warnings)


SETTINGS = FuzzSettings()


without_local_constants()  # the suite's cases depend on seed and spec alone, not on which modules are loaded

# No shrinking: every shrink step against a live target is an HTTP exchange, and Hypothesis allows itself minutes of
# them (a faulty target stalled a run for more than 5 minutes). The checks record what they find without raising, so
# only an exchange the target broke (or the suite failing) reaches Hypothesis: that ends the test, and the case is
# reported as found. So Hypothesis stops at the first error (`report_multiple_bugs` would go on through every explicit
# example, Schemathesis' coverage cases among them, each costing the request deadline against a hanging target).
_NO_SHRINK = [p for p in hypothesis.Phase if p is not hypothesis.Phase.shrink]
hypothesis.settings.register_profile("pickconform", phases=_NO_SHRINK, report_multiple_bugs=False)
hypothesis.settings.load_profile("pickconform")

not_a_server_error = st_checks.not_a_server_error
status_code_conformance = st_checks.status_code_conformance
content_type_conformance = st_checks.content_type_conformance
response_schema_conformance = st_checks.response_schema_conformance
negative_data_rejection = st_checks.negative_data_rejection


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
    if SETTINGS.replaying:
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


# The exchange each running test's target broke, if it broke one (keyed by the test's findings, so it ends with it).
_BROKEN: weakref.WeakKeyDictionary[verdict.Findings, httpx.TransportError] = weakref.WeakKeyDictionary()


def send(case: Any, client: httpx.Client, base_url: str) -> httpx.Response:
    """Send a Schemathesis case through one of the suite's clients (so auth, logging and cassettes apply).

    A target that breaks an exchange (no answer within the deadline, a body over the limit, a dropped connection) ends
    the test's judging: the error fails the test's requirement with what it got, and no later case of the test is
    sent. Hypothesis replays the failing case once to report it; the replay raises the same error without sending, so
    a hanging target costs one deadline per test and a target that breaks only sometimes is not called flaky."""
    findings = verdict._current  # the running test's findings, made by `verdict.begin` for it
    broken = _BROKEN.get(findings) if findings is not None else None
    if broken is not None:
        raise broken
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
            _BROKEN[findings] = error
        raise


def judge(case: Any, response: httpx.Response, checks: Mapping[Check, str]) -> None:
    """Run every check on the response and record each that fails as a Violation of the requirement it verifies:
    the test goes on (no check hides another, and Hypothesis has nothing to shrink against a live target)."""
    try:
        case.validate_response(response, checks=list(checks))
        return  # the common case: one pass over all checks
    except FailureGroup:
        pass
    setup = is_setup_operation(case.operation)
    if setup and not SETTINGS.all_operations:
        return  # called to set up (stateful links go through it), not judged: no document defines it
    exchange = Exchange.from_response(response)
    for check, requirement in checks.items():  # find which checks failed, to name their requirements
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            failure = group.exceptions[0]
            message = f"{case.operation.label}: {check.__name__}: {failure.title}"
            if failure.message:
                message += f" — {failure.message.strip().splitlines()[0][:300]}"
            soft = setup or (check is negative_data_rejection and only_inferred_constraints(case))
            verdict.record(Violation(requirement, message, exchange, soft=soft))


SETUP = "x-pickconform-setup"  # on an operation the seeds do not define: the suite calls it to set up, never judges it
INFERRED = "x-pickconform-inferred"  # on a schema: keywords pickconform inferred (no document states them)


def is_setup_operation(operation: Any) -> bool:
    """An OpenAPI operation marked set-up only; a GraphQL field (no extensions in SDL) never is."""
    raw = operation.definition.raw
    return isinstance(raw, dict) and bool(raw.get(SETUP))


def judged_operations(schema: Any) -> Any:
    """What a fuzz test judges: the operations the seeds define; with --fuzz-all, the set-up operations too."""
    if SETTINGS.all_operations:
        return schema
    return schema.exclude(func=lambda ctx: bool(ctx.operation.definition.raw.get(SETUP)))


_DOCUMENTED_KEYWORDS = {"type", "required", "enum", "const"}


def only_inferred_constraints(case: Any) -> bool:
    """Whether a negative case breaks only constraints no document states: keywords the spec marks as inferred at
    the schema the mutation changed (e.g. a length limit we chose), never type, required or enum."""
    meta = case.meta
    data = getattr(getattr(meta, "phase", None), "data", None)
    mutations = getattr(data, "mutations", ()) or ()
    if not mutations:
        return False
    spec = case.operation.schema.raw_schema
    for mutation in mutations:
        keywords = set(mutation.keywords)
        if not keywords or keywords & _DOCUMENTED_KEYWORDS:
            return False
        inferred = set(_schema_at(spec, case.operation, mutation).get(INFERRED, ()))
        if not keywords <= inferred:
            return False
    return True


def _schema_at(spec: dict[str, Any], operation: Any, mutation: Any) -> dict[str, Any]:
    """The schema object a mutation changed (its pointer is relative to the parameter or body schema)."""
    root: Any = None
    raw = operation.definition.raw
    if mutation.parameter_location.value == "body":
        content = raw.get("requestBody", {}).get("content", {})
        root = next(iter(content.values()), {}).get("schema")
    else:
        for parameter in raw.get("parameters", []):
            if parameter.get("name") == mutation.parameter:
                root = parameter.get("schema")
    node = _resolve(spec, root)
    for raw_part in (mutation.schema_pointer or "").split("/")[1:]:
        part = raw_part.replace("~1", "/").replace("~0", "~")
        node = _resolve(spec, node)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return {}
    node = _resolve(spec, node)
    return node if isinstance(node, dict) else {}


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = target
    return node


# --- recorded cases: with cassettes, a fuzz test records the cases it runs and a replay runs exactly those ---------
#
# Regenerating the cases offline is slow (generation, not the target, dominates the fuzz tests) and fragile: a case
# drawn differently misses its cassette. So a recording keeps every case a fuzz test ran, in order, beside its
# interactions, and which of their failures Hypothesis reported; a replay runs the test's own body once per recorded
# case, without Hypothesis, and fails on the failures that were reported, so it reaches the same verdict.

_TAPE: ContextVar[_Tape | None] = ContextVar("pickconform_fuzz_tape", default=None)
_BYTES = "$base64"  # tags a bytes value in the JSON of a case (negative data may be raw bytes)
_ESCAPED = "$escaped"  # wraps generated data that happens to look like a tag
T = TypeVar("T")


class Cases(Protocol):
    """Where a cassette keeps a fuzz test's cases: None when it holds none (replay) or none were recorded yet."""

    cases: list[dict[str, Any]] | None


class _Tape:
    """The cases of the running fuzz test: recorded as they run, or read back for the replay."""

    def __init__(self, mode: str, store: Cases, nodeid: str) -> None:
        self.mode, self.store, self.nodeid = mode, store, nodeid
        self.raised: dict[int, tuple[BaseException, int]] = {}  # id(error) → the error and the case that raised it
        self.marked = 0  # how many cases were marked `reported` so far

    def start(self) -> None:
        """A fuzz test's cassette holds its cases, none if it ran none (a cassette without any is an old one)."""
        if self.mode == "record":
            self.store.cases = []

    def recorded(self) -> list[dict[str, Any]]:
        if self.store.cases is None:
            raise AssertionError(
                f"replay of {self.nodeid}: its cassette holds no recorded fuzz cases; re-record it with --record"
            )
        return self.store.cases

    def run(self, case: Any, body: Callable[[], T]) -> T:
        """Record the case as it is before the body runs (bodies may edit it), and which error it raised."""
        assert self.store.cases is not None, "start() the tape first"
        self.store.cases.append(encode_case(case))
        index = len(self.store.cases) - 1
        findings = verdict._current  # the running test's findings, made by `verdict.begin` for it
        kept = len(findings.found) if findings is not None else 0
        try:
            return body()
        except Exception as error:
            self.raised[id(error)] = (error, index)
            raise
        finally:
            # Checks record their failures and go on, so Hypothesis sees none of them: a case whose failure the test
            # reports (one the findings kept) is marked here.
            if findings is not None and len(findings.found) > kept:
                self._mark(index)

    def reported(self, error: BaseException) -> None:
        """Mark the cases whose errors the test failed with, in the order they were reported: a replay raises those
        again, in that order (what the checks recorded, a replay records again by itself)."""
        for leaf in _leaves(error):
            found = self.raised.get(id(leaf))
            if found is not None and found[0] is leaf:
                self._mark(found[1])

    def _mark(self, index: int) -> None:
        """`reported` on a case: the order in which the test reported its failure, unique within the recording."""
        if self.store.cases is not None:
            self.store.cases[index]["reported"] = self.marked
            self.marked += 1


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


@contextlib.contextmanager
def cassette_cases(item: pytest.Function, mode: str, store: Cases) -> Iterator[None]:
    """Around a conformance test's call with cassettes: a Schemathesis test records the cases Hypothesis gives it, or
    replays the recorded ones instead of asking Hypothesis (so no case is generated); `follow_links` does the same."""
    tape = _Tape(mode, store, item.nodeid)
    token = _TAPE.set(tape)
    given = getattr(item.obj, "hypothesis", None)  # what Hypothesis' @given leaves on the test
    inner = getattr(given, "inner_test", None)
    try:
        with contextlib.ExitStack() as stack:
            if given is not None and mode == "record":
                tape.start()

                @functools.wraps(inner)
                def recording(*args: Any, case: Any, **kwargs: Any) -> Any:
                    return tape.run(case, lambda: inner(*args, case=case, **kwargs))

                given.inner_test = recording
            elif given is not None:
                operation = ApiOperationMark.get(item.obj)

                @functools.wraps(inner)
                def replaying(**kwargs: Any) -> None:
                    _replay(tape.recorded(), lambda recorded: inner(case=decode_case(operation, recorded), **kwargs))

                stack.enter_context(test_function_replaced(item, replaying))  # called with the test's fixtures
            yield
    except BaseException as error:
        if mode == "record":
            tape.reported(error)
        raise
    finally:
        if given is not None:
            given.inner_test = inner
        _TAPE.reset(token)


def _replay(recorded: list[dict[str, Any]], run: Callable[[dict[str, Any]], Any]) -> None:
    """Every recorded case, in order (each may have changed the target's state); then the errors of the cases whose
    failures were reported, as Hypothesis raised them (one, or a group), else the first error of any case."""
    errors: list[tuple[dict[str, Any], Exception]] = []
    for entry in recorded:
        try:
            run(entry)
        except Exception as error:
            errors.append((entry, error))
    reported = sorted((entry["reported"], index) for index, (entry, _) in enumerate(errors) if "reported" in entry)
    chosen = [errors[index][1] for _, index in reported] or [error for _, error in errors[:1]]
    if len(chosen) == 1:
        raise chosen[0]
    if chosen:
        raise ExceptionGroup(f"{len(chosen)} distinct failures, as recorded", chosen)


def follow_links(
    schema: Any,
    send: Callable[[Any], httpx.Response],
    judge: Callable[[Any, httpx.Response], None],
    *,
    examples: int,
    steps: int,
) -> None:
    """Schemathesis' stateful testing through the spec's links: each step sends its case and judges the response.
    With cassettes the steps are recorded, and a replay sends the recorded steps in order instead."""

    def step(case: Any) -> httpx.Response:
        response = send(case)
        judge(case, response)
        return response

    tape = _TAPE.get()
    if tape is not None and tape.mode == "replay":
        _replay(tape.recorded(), lambda recorded: step(decode_case(_operation(schema, recorded), recorded)))
        return
    if tape is not None:
        tape.start()

    class Links(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: Any, **kwargs: Any) -> Response:
            # Judged here, not in `validate_response`, so a recorded step's error belongs to its case.
            return Response.from_any(step(case) if tape is None else tape.run(case, lambda: step(case)))

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            pass

    Links.run(
        settings=hypothesis.settings(
            max_examples=examples,
            stateful_step_count=steps,
            derandomize=not SETTINGS.randomised,
            database=None,
            deadline=None,
            phases=_NO_SHRINK,
            report_multiple_bugs=False,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def _operation(schema: Any, recorded: dict[str, Any]) -> Any:
    return schema[recorded["path"]][recorded["method"]]


def encode_case(case: Any) -> dict[str, Any]:
    """A case as JSON, redacted as the cassette redacts its request, so the rebuilt case sends the recorded request."""
    encoded: dict[str, Any] = {
        "operation": case.operation.label,  # for a reader; the test's own operation is what a replay uses
        "method": case.method,
        "path": case.path,
        # As JSON text: the cassette is written with sorted keys, and the order of a generated query object's keys
        # is part of the request sent (negative cases put objects in query parameters).
        "path_parameters": _ordered(case.path_parameters),
        "query": _ordered(case.query),
        "headers": _ordered(redaction.headers(dict(case.headers))),
        "cookies": {name: redaction.REDACTED for name in case.cookies},  # the Cookie header is a secret header
        "media_type": case.media_type,
    }
    if case.body is not NOT_SET:
        encoded["body"] = _encode_body(_redacted_body(case.body, case.media_type or ""))
    if case.multipart_content_types:
        encoded["multipart_content_types"] = dict(case.multipart_content_types)
    meta = case.meta  # as the checks will see it: after revalidation of anything the generator's hooks changed
    if meta is not None:
        encoded["meta"] = _to_json(_redacted_meta(meta.to_dict()))
    return encoded


def decode_case(operation: Any, recorded: dict[str, Any]) -> Case:
    """The recorded case, rebuilt for `operation` (its generation metadata too: checks such as
    `negative_data_rejection` judge by it)."""
    meta = recorded.get("meta")
    return Case(
        operation,
        method=recorded["method"],
        path=recorded["path"],
        path_parameters=_unordered(recorded["path_parameters"]),
        headers=CaseInsensitiveDict(_unordered(recorded["headers"])),
        cookies=dict(recorded["cookies"]),
        query=_unordered(recorded["query"]),
        body=_decode_body(recorded["body"]) if "body" in recorded else NOT_SET,
        media_type=recorded["media_type"],
        multipart_content_types=recorded.get("multipart_content_types"),
        meta=CaseMetadata.from_dict(_from_json(meta)) if meta is not None else None,
    )


def _redacted_body(body: Any, media_type: str) -> Any:
    """The body with what the cassette's redaction removes from the request removed the same way."""
    if isinstance(body, bytes) or (isinstance(body, str) and "json" not in media_type.lower()):
        return redaction.stored_body(body, media_type)  # sent as it is: redacted as the cassette redacts it
    if isinstance(body, dict) and "x-www-form-urlencoded" in media_type.lower():
        form = "application/x-www-form-urlencoded"
        return {k: (redaction.REDACTED if redaction.body(f"{k}=", form) != f"{k}=" else v) for k, v in body.items()}
    return redaction.document(body)  # serialised as JSON: the cassette redacts the same keys


def _redacted_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The typed copies of the parameters generated: headers and cookies redacted as in the cassette."""
    containers = meta.get("raw_containers") or {}
    if isinstance(containers.get("HEADER"), dict):
        containers["HEADER"] = redaction.headers(containers["HEADER"])
    if isinstance(containers.get("COOKIE"), dict):
        containers["COOKIE"] = {name: redaction.REDACTED for name in containers["COOKIE"]}
    if isinstance(meta.get("generation"), dict) and "time" in meta["generation"]:
        meta["generation"]["time"] = 0.0  # how long generation took: no check reads it, and it differs every run
    return meta


def _encode_body(body: Any) -> dict[str, str]:
    """Raw bytes as base64; anything else as JSON text, which keeps the order of its keys (the cassette's keys are
    sorted, and a body sent under a content type that is not JSON is matched byte for byte)."""
    if isinstance(body, bytes):
        return {"base64": base64.b64encode(body).decode("ascii")}
    return {"json": json.dumps(_to_json(body), ensure_ascii=False)}


def _decode_body(encoded: dict[str, str]) -> Any:
    if "base64" in encoded:
        return base64.b64decode(encoded["base64"])
    return _from_json(json.loads(encoded["json"]))


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        encoded = {key: _to_json(item) for key, item in value.items()}
        return {_ESCAPED: encoded} if set(encoded) in ({_BYTES}, {_ESCAPED}) else encoded
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    return value


def _ordered(value: Any) -> str:
    return json.dumps(_to_json(value), ensure_ascii=False)


def _unordered(value: Any) -> Any:
    return _from_json(json.loads(value) if isinstance(value, str) else value)


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        if set(value) == {_ESCAPED}:
            return {key: _from_json(item) for key, item in value[_ESCAPED].items()}
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value
