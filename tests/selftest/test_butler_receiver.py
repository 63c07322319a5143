"""The notification receiver over real HTTP: validation, idempotence on a repeated notification_id, refusals, waits."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pickconform.butler import spec
from pickconform.butler.receiver import Receiver

FULFILLABLE = json.loads((spec.DIR / "examples" / "10_fulfillable.json").read_text())
EXTERNAL_ID = FULFILLABLE["notification_data"]["externalServiceRequestId"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    receiver.checker.created(EXTERNAL_ID)
    yield receiver
    receiver.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def post(client: httpx.Client, receiver: Receiver, document: Any) -> httpx.Response:
    return client.post(receiver.url, content=json.dumps(document), headers={"Content-Type": "application/json"})


def requirements(receiver: Receiver) -> list[str]:
    return [f.violation.requirement for f in receiver.checker.findings]


def test_a_valid_notification_is_accepted_and_judged(receiver: Receiver, client: httpx.Client) -> None:
    assert post(client, receiver, FULFILLABLE).status_code == 200
    assert [r.notification for r in receiver.by_request[EXTERNAL_ID]] == [FULFILLABLE]
    assert receiver.checker.streams[EXTERNAL_ID].state == "fulfillable"
    assert requirements(receiver) == []


def test_a_repeated_notification_is_acknowledged_and_processed_once(receiver: Receiver, client: httpx.Client) -> None:
    for _ in range(3):
        assert post(client, receiver, FULFILLABLE).status_code == 200
    assert len(receiver.received) == 1 and len(receiver.repeats) == 2
    assert requirements(receiver) == []  # a retried delivery is not a violation


def test_one_id_for_two_notifications_is_a_violation(receiver: Receiver, client: httpx.Client) -> None:
    post(client, receiver, FULFILLABLE)
    other = copy.deepcopy(FULFILLABLE)
    other["notification_data"]["state"] = "cancellation_locked"
    assert post(client, receiver, other).status_code == 200
    assert requirements(receiver) == ["BUTLER-NOTIFY-UNIQUE-ID"]
    # Not a retry (its content differs): processed as the notification it is, and the reused id reported.
    assert receiver.checker.streams[EXTERNAL_ID].state == "cancellation_locked"


def test_an_invalid_notification_is_a_schema_violation(receiver: Receiver, client: httpx.Client) -> None:
    broken = copy.deepcopy(FULFILLABLE)
    broken["notificationType"] = broken.pop("notification_type")
    assert post(client, receiver, broken).status_code == 200
    assert requirements(receiver) == ["BUTLER-NOTIFY-SCHEMA"]
    assert receiver.checker.findings[0].external_id == EXTERNAL_ID
    assert receiver.checker.streams[EXTERNAL_ID].state == "created"  # not fed to the lifecycle checker


def test_a_body_that_is_not_json(receiver: Receiver, client: httpx.Client) -> None:
    assert client.post(receiver.url, content=b"{not json").status_code == 400
    assert requirements(receiver) == ["BUTLER-NOTIFY-SCHEMA"]


def test_refused_notifications_answer_500_then_are_accepted(receiver: Receiver, client: httpx.Client) -> None:
    receiver.refuse_next(EXTERNAL_ID, times=2)
    assert [post(client, receiver, FULFILLABLE).status_code for _ in range(3)] == [500, 500, 200]
    assert receiver.refused == [(EXTERNAL_ID, FULFILLABLE["notification_id"])] * 2
    assert len(receiver.received) == 1


def test_a_wait_ends_at_its_deadline_or_on_arrival(receiver: Receiver, client: httpx.Client) -> None:
    started = time.monotonic()
    assert not receiver.wait_for(lambda: receiver.received, 0.2)
    assert 0.2 <= time.monotonic() - started < 1
    post(client, receiver, FULFILLABLE)
    assert receiver.wait_for(lambda: receiver.received, 0.2)
