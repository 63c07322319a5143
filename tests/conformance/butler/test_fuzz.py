"""Schemathesis over specs/butler: create, cancel and modify with positive and negative data.

Every case goes out through the suite's own client, recorded with the lifecycle checker (a created pick request's
notifications, and a transaction's outcome, are then known, not stray); each check that fails is reported on the
requirement it verifies. The notifications these cases cause are schema-checked but belong to no scenario: they never
fail a scenario's lifecycle or outcome checks.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Any

import pytest

from pickconform import fuzzing
from pickconform.butler import spec, strategies
from pickconform.butler.api import assigned_id
from pickconform.butler.receiver import Receiver
from pickconform.butler.target import ButlerTarget

CHECKS = {
    fuzzing.not_a_server_error: "BUTLER-NO-5XX",
    fuzzing.status_code_conformance: "BUTLER-SCHEMA",
    fuzzing.content_type_conformance: "BUTLER-SCHEMA",
    fuzzing.response_schema_conformance: "BUTLER-SCHEMA",
    fuzzing.negative_data_rejection: "BUTLER-REJECTS-INVALID",
}
# The vendor documents "400: Bad data" for create only; refusing a cancel or modify of the wrong shape is ours.
TRANSACTION_CHECKS = {**CHECKS, fuzzing.negative_data_rejection: "BUTLER-REJECTS-TRANSACTION"}


@cache
def _schema() -> Any:
    strategies.register()
    return fuzzing.openapi(spec.OPENAPI)


schema = _schema()


@pytest.mark.requirement(*dict.fromkeys([*CHECKS.values(), *TRANSACTION_CHECKS.values()]))
@fuzzing.judged_operations(schema).parametrize()
def test_operation(case, butler_target: ButlerTarget, pickconform_fuzz_pipeline: fuzzing.Pipeline) -> None:
    receiver = butler_target.receiver  # started (and registered as the callback) once, here, not by a case's thread
    one_at_a_time = pickconform_fuzz_pipeline.width == 1
    pickconform_fuzz_pipeline.submit(lambda: _send_and_judge(case, butler_target, receiver, one_at_a_time))


def _send_and_judge(case: Any, butler_target: ButlerTarget, receiver: Receiver, one_at_a_time: bool) -> None:
    body = case.body if isinstance(case.body, dict) else {}
    external_id = body.get("externalServiceRequestId")
    # One case at a time (with cassettes), a created request's notifications are judged once it is known, so a
    # recording places them after the call. Cases in flight together cannot each hold the receiver: a notification
    # that comes before its request is known is kept under the id it names, no scenario's, like every notification
    # a fuzz case causes.
    with receiver.condition if one_at_a_time else contextlib.nullcontext():
        response = fuzzing.send(case, butler_target.client, butler_target.base_url)
        if external_id is None and case.operation.path == spec.SERVICE_REQUEST and response.status_code == 200:
            external_id = assigned_id(response)  # created without one (optional): the target's names it
        if response.status_code == 200 and isinstance(external_id, str):
            with receiver.condition:
                if case.operation.path == spec.SERVICE_REQUEST:
                    receiver.checker.created(external_id)
                else:  # also for a request never created: a target may accept it and answer a failure later
                    try:
                        transaction = response.json().get("id")
                    except (ValueError, AttributeError):
                        transaction = None
                    kind = "cancel" if case.operation.path == spec.CANCEL else "modify"
                    if isinstance(transaction, int):
                        receiver.checker.started(external_id, kind, transaction)
    fuzzing.judge(case, response, CHECKS if case.operation.path == spec.SERVICE_REQUEST else TRANSACTION_CHECKS)
