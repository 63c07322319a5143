"""Schemathesis over specs/butler: create, cancel and modify with positive and negative data.

Every case goes out through the suite's own client, recorded with the lifecycle checker (a created pick request's
notifications are then expected, not unknown); each check that fails is reported on the requirement it verifies.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from pickconform import fuzzing
from pickconform.butler import spec
from pickconform.butler.target import ButlerTarget

CHECKS = {
    fuzzing.not_a_server_error: "BUTLER-NO-5XX",
    fuzzing.status_code_conformance: "BUTLER-SCHEMA",
    fuzzing.content_type_conformance: "BUTLER-SCHEMA",
    fuzzing.response_schema_conformance: "BUTLER-SCHEMA",
    fuzzing.negative_data_rejection: "BUTLER-REJECTS-INVALID",
}


@cache
def _schema() -> Any:
    return fuzzing.openapi(spec.OPENAPI)


schema = _schema()


@pytest.mark.requirement(*dict.fromkeys(CHECKS.values()))
@fuzzing.judged_operations(schema).parametrize()
def test_operation(case, butler_target: ButlerTarget) -> None:
    receiver = butler_target.receiver
    body = case.body if isinstance(case.body, dict) else {}
    external_id = body.get("externalServiceRequestId")
    with receiver.condition:  # a created request's notifications are judged once it is known
        response = fuzzing.send(case, butler_target.client, butler_target.base_url)
        if response.status_code == 200 and isinstance(external_id, str):
            if case.operation.path == spec.SERVICE_REQUEST:
                receiver.checker.created(external_id)
            elif external_id in receiver.checker.streams:
                transaction = response.json().get("id")
                kind = "cancel" if case.operation.path == spec.CANCEL else "modify"
                if isinstance(transaction, int):
                    receiver.checker.started(external_id, kind, transaction)
    fuzzing.judge(case, response, CHECKS)
