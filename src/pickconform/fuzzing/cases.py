"""Recorded fuzz cases: with cassettes, a fuzz test records the cases it runs, and a replay runs exactly those.

Also Schemathesis' stateful testing through the spec's links (`follow_links`), whose steps are recorded the same way.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

import httpx
import hypothesis
import pytest
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, Response

from pickconform import verdict
from pickconform._compat.pytest import test_function_replaced
from pickconform._compat.schemathesis import NOT_SET, ApiOperationMark, CaseMetadata
from pickconform.fuzzing.adapter import NO_SHRINK
from pickconform.fuzzing.settings import current
from pickconform.http import redaction

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
        findings = verdict.current()
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
            derandomize=not current().randomised,
            database=None,
            deadline=None,
            phases=NO_SHRINK,
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
