"""The Emporix reference over real HTTP: scoped and expiring tokens, the job runner thread, selection and conflicts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pickconform.reference.app import Reference
from pickconform.reference.emporix.store import JOB_DURATION, MANAGE, VIEW
from pickconform.reference.server import ReferenceServer

JOBS = "/pick-pack/acme/jobs/recalculations"


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(Reference()) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: ReferenceServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/emporix") as client:
        yield client


def token(server: ReferenceServer, http: httpx.Client, tenant: str = "acme", **form: str) -> str:
    client_id, secret = server.reference.families["emporix"].clients[tenant]
    response = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **form},
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture(scope="module")
def full(server: ReferenceServer, http: httpx.Client) -> dict[str, str]:
    return bearer(token(server, http))


def seed(http: httpx.Client, headers: dict[str, str], *order_ids: str) -> None:
    for order_id in order_ids:
        assert http.put(f"/_control/pick-pack/acme/orders/{order_id}", headers=headers).status_code == 200


def run_job(http: httpx.Client, headers: dict[str, str], body: dict[str, Any]) -> list[dict[str, Any]]:
    """Trigger a job and read it until it finishes: every observation, first to last."""
    response = http.post(JOBS, headers=headers, json=body)
    assert response.status_code == 200, response.text
    job_id = response.json()["jobId"]
    observed = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        observed.append(http.get(f"{JOBS}/{job_id}", headers=headers).json())
        if observed[-1]["jobStatus"] != "IN_PROGRESS":
            return observed
        time.sleep(0.01)
    raise AssertionError(f"the job runner did not finish {job_id}")


def test_scopes_are_enforced_per_operation(server: ReferenceServer, http: httpx.Client, full: dict[str, str]) -> None:
    view, manage = bearer(token(server, http, scope=VIEW)), bearer(token(server, http, scope=MANAGE))
    seed(http, full, "SCOPE1")
    assert http.post(JOBS, headers=view, json={"jobType": "MANUAL", "orderIds": ["SCOPE1"]}).status_code == 403
    created = http.post(JOBS, headers=manage, json={"jobType": "MANUAL", "orderIds": ["SCOPE1"]})
    assert created.status_code == 200
    job = f"{JOBS}/{created.json()['jobId']}"
    assert http.get(job, headers=manage).status_code == 403
    assert http.get(job, headers=view).status_code == 200


def test_token_endpoint_refuses_unknown_scopes_and_clients(server: ReferenceServer, http: httpx.Client) -> None:
    client_id, secret = server.reference.families["emporix"].clients["acme"]
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert http.post("/oauth/token", data={**form, "scope": "orders.order_read"}).status_code == 400
    assert http.post("/oauth/token", data={**form, "client_secret": "wrong"}).status_code == 401
    assert http.post("/oauth/token", data={**form, "expires_in": "86400"}).status_code == 400


def test_expired_and_missing_tokens_are_401(server: ReferenceServer, http: httpx.Client) -> None:
    """With the vendor's UnauthorizedExample body (api.yml Unauthorized_401); variant emporix-expired-token-errorcode
    answers an expired token with its AccessTokenExpiredExample instead."""
    invalid = {"fault": {"faultstring": "Invalid access token", "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}}
    expired = http.get(f"{JOBS}/abc123", headers=bearer(token(server, http, expires_in="0")))
    assert (expired.status_code, expired.json()) == (401, invalid)
    response = http.post(JOBS, json={"jobType": "AUTOMATIC"})
    assert (response.status_code, response.json()) == (401, invalid)


def test_the_expired_token_variant_answers_the_vendors_expired_example() -> None:
    from pickconform.reference.emporix import mutants
    from pickconform.reference.mutants import Faults

    variant = Reference(Faults(mutants.EXPIRED_TOKEN_ERRORCODE), families=["emporix"])
    with ReferenceServer(variant) as running, httpx.Client(base_url=f"{running.url}/emporix") as client:
        expired = client.get(f"{JOBS}/abc123", headers=bearer(token(running, client, expires_in="0")))
        invalid = client.get(f"{JOBS}/abc123", headers=bearer("not-a-token"))
    assert (expired.status_code, invalid.status_code) == (401, 401)
    assert expired.json() == {
        "fault": {
            "faultstring": "Access Token expired",
            "detail": {"errorcode": "keymanagement.service.access_token_expired"},
        }
    }
    assert invalid.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidAccessToken"


@pytest.mark.parametrize(
    ("timestamp", "status"),
    [
        ("2020-09-14T13:35:18+0000", 200),  # the vendor's yyyy-MM-dd'T'HH:mm:ssZ (Java's Z: an RFC 822 offset)
        ("2020-09-14T15:35:18+0200", 200),
        ("2020-09-14T13:35:18Z", 200),  # RFC 3339, the form of the vendor's event examples: accepted too
        ("2020-09-14T13:35:18.333Z", 200),
        ("2020-02-30T13:35:18+0000", 400),
        ("14.09.2020 13:35", 400),
    ],
)
def test_events_after_a_timestamp_in_the_vendors_form(
    http: httpx.Client, full: dict[str, str], timestamp: str, status: int
) -> None:
    response = http.get("/pick-pack/acme/events", headers=full, params={"timestamp": timestamp})
    assert response.status_code == status, response.text


def test_job_runner_moves_jobs_from_in_progress_to_a_final_status(http: httpx.Client, full: dict[str, str]) -> None:
    seed(http, full, "RUN1", "RUN2")
    started = time.monotonic()
    observed = run_job(http, full, {"jobType": "MANUAL", "orderIds": ["RUN1", "RUN2", "RUN2", "NOPE1"]})
    first, last = observed[0], observed[-1]
    assert first["jobStatus"] == "IN_PROGRESS" and "finishedAt" not in first
    assert {order["jobOrderStatus"] for order in first["orders"]} == {"PENDING"}
    assert time.monotonic() - started >= JOB_DURATION * 0.9  # IN_PROGRESS lasts long enough to be seen
    assert last["jobStatus"] == "FAILURE" and last["finishedAt"] >= last["startedAt"]
    outcomes = {order["orderId"]: order["jobOrderStatus"] for order in last["orders"]}
    assert outcomes == {"RUN1": "SUCCESS", "RUN2": "SUCCESS", "NOPE1": "FAILURE"}  # the duplicate is listed once


def test_automatic_selects_orders_with_events_since_their_last_recalculation(
    http: httpx.Client, full: dict[str, str]
) -> None:
    seed(http, full, "AUTO1", "AUTO2", "AUTO3")
    for order_id in ("AUTO1", "AUTO2"):
        event = {"eventId": f"ev-{order_id}", "orderNumber": order_id, "productId": "sku-1"}
        assert http.post("/pick-pack/acme/events", headers={**full, "saas-token": "t"}, json=event).status_code == 200
    selected = {order["orderId"] for order in run_job(http, full, {"jobType": "AUTOMATIC"})[-1]["orders"]}
    assert {"AUTO1", "AUTO2"} <= selected and "AUTO3" not in selected
    again = {order["orderId"] for order in run_job(http, full, {"jobType": "AUTOMATIC"})[-1]["orders"]}
    assert not again & {"AUTO1", "AUTO2", "AUTO3"}


def test_orders_of_a_running_job_are_a_conflict(http: httpx.Client, full: dict[str, str]) -> None:
    seed(http, full, "BUSY1", "BUSY2")
    assert http.post(JOBS, headers=full, json={"jobType": "MANUAL", "orderIds": ["BUSY1"]}).status_code == 200
    conflict = http.post(JOBS, headers=full, json={"jobType": "MANUAL", "orderIds": ["BUSY2", "BUSY1"]})
    assert conflict.status_code == 409 and conflict.json()["status"] == 409
    assert http.post(JOBS, headers=full, json={"jobType": "MANUAL", "orderIds": ["BUSY2"]}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/pick-pack/Acme/jobs/recalculations", 400),
        ("POST", "/pick-pack/ac/jobs/recalculations", 400),
        ("POST", "/pick-pack//jobs/recalculations", 400),
        ("GET", "/pick-pack/acme/jobs/recalculations/ab", 404),
        ("GET", "/pick-pack/acme/jobs/recalculations/abc.def", 404),
        ("GET", "/pick-pack/globex/jobs/recalculations/abc123", 403),
    ],
)
def test_malformed_paths_and_other_tenants(
    http: httpx.Client, full: dict[str, str], method: str, path: str, status: int
) -> None:
    response = http.request(method, path, headers=full, json={"jobType": "AUTOMATIC"} if method == "POST" else None)
    assert response.status_code == status, response.text
