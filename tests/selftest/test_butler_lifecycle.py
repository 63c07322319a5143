"""The lifecycle checker catches every rule it enforces, and stays silent on faithful streams."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from pickconform.butler.lifecycle import LifecycleChecker

_ids = count(1)
STATUS = {
    "created": "CREATED",
    "fulfillable": "PROCESSING",
    "cancellation_locked": "PROCESSING",
    "pick_started": "PROCESSING",
    "complete": "PROCESSED",
    "not_fulfillable": "FAILED",
    "cancelled": "CANCELLED",
    "abandoned": "CANCELLED",
}


def information(external_id: str, state: str) -> dict[str, Any]:
    data = {"type": "PICK", "state": state, "status": STATUS[state], "externalServiceRequestId": external_id}
    return {"notification_type": "order_information", "notification_id": f"n{next(_ids)}", "notification_data": data}


def outcome(transaction: int | None, state: str) -> dict[str, Any]:
    data: dict[str, Any] = {"state": state} if transaction is None else {"id": transaction, "state": state}
    return {"notification_type": "order_modification", "notification_id": f"n{next(_ids)}", "notification_data": data}


def bin_complete(external_id: str) -> dict[str, Any]:
    data = {"serviceRequests": [information(external_id, "complete")["notification_data"]]}
    return {"notification_type": "bin_complete", "notification_id": f"n{next(_ids)}", "notification_data": data}


def judge(checker: LifecycleChecker, *notifications: dict[str, Any]) -> list[str]:
    for notification in notifications:
        checker.observe(notification)
    return [f.violation.requirement for f in checker.findings]


@pytest.fixture
def checker() -> LifecycleChecker:
    checker = LifecycleChecker()
    checker.created("A")
    return checker


def test_a_faithful_complete_stream_passes(checker: LifecycleChecker) -> None:
    states = ["fulfillable", "cancellation_locked", "pick_started", "pick_started", "complete"]
    assert judge(checker, *(information("A", s) for s in states), bin_complete("A")) == []


def test_a_faithful_cancel_and_modify_pass(checker: LifecycleChecker) -> None:
    judge(checker, information("A", "fulfillable"))
    checker.started("A", "modify", 1)
    judge(checker, outcome(1, "success"), information("A", "fulfillable"))
    checker.started("A", "cancel", 2)
    assert judge(checker, outcome(2, "success"), information("A", "cancelled")) == []


def test_a_skipped_state_is_a_lifecycle_violation(checker: LifecycleChecker) -> None:
    assert judge(checker, information("A", "fulfillable"), information("A", "complete")) == ["BUTLER-LIFECYCLE"]
    assert "fulfillable → complete is not a transition" in str(checker.findings[0].violation)
    assert "order_information (n" in str(checker.findings[0].violation)  # the stream is shown


def test_a_terminal_state_is_final(checker: LifecycleChecker) -> None:
    assert judge(checker, information("A", "not_fulfillable"), information("A", "fulfillable")) == ["BUTLER-LIFECYCLE"]


def test_a_repeated_state_is_a_re_notification(checker: LifecycleChecker) -> None:
    """Seed 004: each order_information "contains the complete current state": the same state again is no move."""
    assert judge(checker, information("A", "fulfillable"), information("A", "fulfillable")) == []
    assert judge(checker, information("A", "cancelled")) == ["BUTLER-LIFECYCLE"]  # a move still needs its call


def test_cancelled_without_a_cancel_call(checker: LifecycleChecker) -> None:
    assert judge(checker, information("A", "cancelled")) == ["BUTLER-LIFECYCLE"]


def test_a_notification_about_an_unknown_request(checker: LifecycleChecker) -> None:
    assert judge(checker, information("B", "fulfillable")) == ["BUTLER-LIFECYCLE"]
    # Kept with the id it names: only a scenario that used that id reports it, never another scenario.
    assert checker.findings[0].external_id == "B"
    assert checker.report({"A"}) == [] and len(checker.report({"B"})) == 1


@pytest.mark.parametrize(
    ("kind", "state", "result", "requirement"),
    [
        ("cancel", "cancellation_locked", "success", "BUTLER-CANCEL-LOCKED"),
        ("cancel", "fulfillable", "failure", "BUTLER-CANCEL-BEFORE-LOCK"),
        ("modify", "cancellation_locked", "success", "BUTLER-MODIFY-LOCKED"),
    ],
)
def test_an_outcome_inconsistent_with_the_state_at_the_call(
    checker: LifecycleChecker, kind: str, state: str, result: str, requirement: str
) -> None:
    judge(checker, information("A", "fulfillable"))
    if state == "cancellation_locked":
        judge(checker, information("A", state))
    checker.started("A", kind, 7)
    assert judge(checker, outcome(7, result)) == [requirement]


def test_a_modification_may_fail_before_the_lock(checker: LifecycleChecker) -> None:
    judge(checker, information("A", "fulfillable"))
    checker.started("A", "modify", 7)
    assert judge(checker, outcome(7, "failure")) == []


@pytest.mark.parametrize("transaction", [None, 99])
def test_an_outcome_without_a_known_transaction(checker: LifecycleChecker, transaction: int | None) -> None:
    assert judge(checker, outcome(transaction, "success")) == ["BUTLER-ASYNC-OUTCOME"]


def test_a_second_outcome(checker: LifecycleChecker) -> None:
    checker.started("A", "cancel", 3)
    assert judge(checker, outcome(3, "success"), outcome(3, "success")) == ["BUTLER-ASYNC-OUTCOME"]


def test_the_information_before_its_outcome_is_out_of_order(checker: LifecycleChecker) -> None:
    checker.started("A", "cancel", 3)
    assert judge(checker, information("A", "cancelled")) == []  # the outcome may still come...
    assert judge(checker, outcome(3, "success")) == ["BUTLER-NOTIFY-ORDER"]  # ...and then it came too late


def test_bin_complete_before_complete_is_out_of_order(checker: LifecycleChecker) -> None:
    states = ["fulfillable", "cancellation_locked", "pick_started"]
    assert judge(checker, *(information("A", s) for s in states), bin_complete("A")) == ["BUTLER-NOTIFY-ORDER"]


def test_findings_are_raised_once_and_only_for_their_requests(checker: LifecycleChecker) -> None:
    checker.created("B")
    judge(checker, information("B", "complete"))
    checker.raise_findings({"A"})  # nothing about A
    with pytest.raises(AssertionError, match="BUTLER-LIFECYCLE"):
        checker.raise_findings({"B"})
    checker.raise_findings({"B"})  # reported already
