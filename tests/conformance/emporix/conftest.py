"""Step definitions for features/emporix: small steps, mutually exclusive patterns, data set up through the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from pickconform.determinism import Values
from pickconform.emporix import spec
from pickconform.emporix.api import FINAL, JOB_STATUSES, SEED_ORDERS, EmporixApi, job_id_of
from pickconform.emporix.target import MANAGE, VIEW, EmporixTarget
from pickconform.family.ready_data import ReadyData
from pickconform.http import pacing
from pickconform.pytest_plugin import family_target
from pickconform.targets import Target
from pickconform.verdict import SetupFailed, Violation, check, expect, judged, record

TENANT_VARIANTS: dict[str, Callable[[str], str]] = {
    "in upper case": str.upper,
    "of 2 letters": lambda tenant: tenant[:2],
    "of 17 letters": lambda tenant: (tenant + "x" * 17)[:17],
    "digit first": lambda tenant: "1" + tenant[1:],
    "with a hyphen": lambda tenant: tenant[:2] + "-" + tenant[2:],
}
JOB_ID_VARIANTS: dict[str, Callable[[str], str]] = {
    "with a trailing !": lambda job_id: job_id + "!",
    "with a dot inside": lambda job_id: job_id[:2] + "." + job_id[2:],
    "cut to 2 letters": lambda job_id: job_id[:2],
    "padded to 17": lambda job_id: (job_id + "x" * 17)[:17],
}


@dataclass
class Scenario:
    """What a scenario has set up and observed so far."""

    job_id: str = ""
    job_type: str = ""
    job: dict[str, Any] = field(default_factory=dict)
    first: httpx.Response | None = None  # the first of two job requests (the 409 check)
    response: httpx.Response | None = None
    clients: list[httpx.Client] = field(default_factory=list)  # one-off clients, closed after the scenario


@pytest.fixture(scope="session")
def emporix_target(pickconform_target: Target) -> EmporixTarget:
    return family_target(pickconform_target, "emporix")


@pytest.fixture
def emporix(emporix_target: EmporixTarget, values: Values, ready_data: ReadyData) -> EmporixApi:
    return EmporixApi(emporix_target, values, ready_data)


@pytest.fixture
def scenario() -> Iterator[Scenario]:
    state = Scenario()
    yield state
    for client in state.clients:
        client.close()


# Requirements a scenario checks on the side; its main requirement is the one tag not among them.
SUPPORTING = frozenset(
    {
        "EMPORIX-ERROR-BODY",
        "EMPORIX-ERROR-CODE",
        "EMPORIX-SCHEMA",
        "EMPORIX-JOB-SCHEMA",
        "EMPORIX-JOB-ID-FORMAT",
        "EMPORIX-JOB-STATUS",
        "EMPORIX-JOB-STATUS-MIXED",
        "EMPORIX-JOB-PROGRESS",
        "EMPORIX-ORDER-MESSAGE",
        "EMPORIX-MANUAL-DUPLICATES",
        "EMPORIX-AUTOMATIC-EVENTS",
        "EMPORIX-CHECK-ORDER",
    }
)


@pytest.fixture
def supporting_requirements() -> frozenset[str]:
    return SUPPORTING


def labels(text: str) -> list[str]:
    return text.split()


def api_path(target: EmporixTarget, response: httpx.Response) -> str:
    """The request's path relative to the target's base URL, as the spec's paths are written."""
    return response.request.url.path.removeprefix(urlsplit(target.base_url).path)


def credential_client(target: EmporixTarget, scenario: Scenario, values: Values, credential: str) -> httpx.Client:
    if credential == "no token":
        return target.anonymous()
    if credential == "a view-only token":
        return target.client(VIEW)
    if credential == "a manage-only token":
        return target.client(MANAGE)
    if credential == "a malformed token":
        token = f"malformed-{values.token('malformed token', 32)}"
    elif credential == "an expired token":
        token = target.expired_token() or ""
        if not token:
            pytest.skip(
                "emporix: no expired token (set expired_token_env in the profile, or declare token_lifetime "
                "when the token endpoint accepts expires_in)"
            )
    else:
        raise ValueError(f"unknown credential {credential!r}")
    client = target.bearer(token)
    scenario.clients.append(client)
    return client


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


# --- Given ----------------------------------------------------------------------------------------------------


@given(parsers.parse('pick-pack orders "{names}" of the tenant'))
def orders_of_the_tenant(emporix: EmporixApi, names: str) -> None:
    emporix.orders(labels(names))


@given(parsers.parse('a packing event for order "{label}"'))
def packing_event(emporix: EmporixApi, label: str) -> None:
    emporix.packing_event(label)


@given(parsers.parse('a MANUAL recalculation of "{names}" has finished'))
def finished_manual(emporix: EmporixApi, names: str) -> None:
    response = emporix.manual(labels(names))
    job_id = job_id_of(response)
    if not job_id:
        raise SetupFailed(f"a MANUAL job of {names}", response)
    job, _ = emporix.observe(job_id, setup=f"the MANUAL job of {names}")[-1]
    if job.get("jobStatus") != "SUCCESS":  # the scenario needs those orders recalculated since their events
        pytest.skip(f"precondition not reached: the MANUAL job of {names} ended {job.get('jobStatus')}, not SUCCESS")


@given("a recalculation job of the tenant")
def a_job(emporix: EmporixApi, scenario: Scenario) -> None:
    scenario.job_id = emporix.job()


# --- When -----------------------------------------------------------------------------------------------------


def _sent(scenario: Scenario, response: httpx.Response, job_type: str) -> None:
    scenario.response, scenario.job_type = response, job_type
    scenario.job_id = job_id_of(response)


@when(parsers.parse('I trigger a MANUAL recalculation of "{names}"'))
def trigger_manual(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    _sent(scenario, emporix.manual(labels(names)), "MANUAL")
    scenario.first = scenario.response


@when(parsers.parse('another MANUAL recalculation of "{names}" is triggered right away'))
def trigger_second_manual(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    scenario.response = emporix.manual(labels(names))


@when("I trigger a MANUAL recalculation without orderIds")
def trigger_manual_without_ids(emporix: EmporixApi, scenario: Scenario) -> None:
    _sent(scenario, emporix.trigger({"jobType": "MANUAL"}), "MANUAL")


@when("I trigger a MANUAL recalculation with an empty orderIds list")
def trigger_manual_empty(emporix: EmporixApi, scenario: Scenario) -> None:
    _sent(scenario, emporix.trigger({"jobType": "MANUAL", "orderIds": []}), "MANUAL")


@when("I trigger an AUTOMATIC recalculation")
def trigger_automatic(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    # Another scenario's job may still hold one of the selected orders (409); wait for it rather than judge it here.
    deadline = time.monotonic() + emporix_target.poll_timeout
    response = emporix.trigger({"jobType": "AUTOMATIC"})
    while response.status_code == 409 and not pacing.deadline_passed(deadline, response):
        pacing.pause(0.05, response)
        response = emporix.trigger({"jobType": "AUTOMATIC"})
    _sent(scenario, response, "AUTOMATIC")


@when("I trigger a job of an unknown jobType without a token")
def trigger_invalid_anonymously(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    scenario.response = emporix.trigger({"jobType": "WEEKLY"}, emporix_target.anonymous())


@when(parsers.parse("I trigger a job with {credential}"))
def trigger_with(
    emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario, values: Values, credential: str
) -> None:
    client = credential_client(emporix_target, scenario, values, credential)
    scenario.response = emporix.manual(["T"], client)


@when(parsers.parse("I read the job with {credential}"))
def read_with(
    emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario, values: Values, credential: str
) -> None:
    client = credential_client(emporix_target, scenario, values, credential)
    scenario.response = emporix.read(scenario.job_id, client)


@when(parsers.parse("I trigger a job on the tenant path {variant}"))
def trigger_on_tenant(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario, variant: str) -> None:
    tenant = TENANT_VARIANTS[variant](emporix_target.tenant.name)
    body = {"jobType": "MANUAL", "orderIds": [emporix.order_id("T")]}
    scenario.response = emporix.trigger(body, tenant=tenant)


@when(parsers.parse("I read the job on the tenant path {variant}"))
def read_on_tenant(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario, variant: str) -> None:
    tenant = TENANT_VARIANTS[variant](emporix_target.tenant.name)
    scenario.response = emporix.read(scenario.job_id, path_tenant=tenant)


@when(parsers.parse("I read the job as its id {variant}"))
def read_malformedjob_id_of(emporix: EmporixApi, scenario: Scenario, variant: str) -> None:
    scenario.response = emporix.read(JOB_ID_VARIANTS[variant](scenario.job_id))


@when("I read a well-formed job id that was never issued")
def read_unknown(emporix: EmporixApi, scenario: Scenario, values: Values) -> None:
    scenario.response = emporix.read(f"nx{values.token('never issued job', 12)}")


@when("the other tenant reads the job with its own token")
def other_tenant_reads(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    if emporix_target.other_tenant is None:
        pytest.skip("emporix: the profile names no [emporix.other_tenant], so tenant isolation cannot be checked")
    scenario.response = emporix.read(scenario.job_id, tenant=emporix_target.other_tenant)


# --- Then -----------------------------------------------------------------------------------------------------


@then("the job is accepted with a well-formed job id")
def accepted(emporix_target: EmporixTarget, scenario: Scenario, requirement: str) -> None:
    response = scenario.response
    assert response is not None
    check(
        not response.is_success or response.status_code == 200,
        "EMPORIX-SCHEMA",
        f"a job is created with 200 (documented), not {response.status_code}",
        response,
    )
    check(response.status_code == 200, requirement, "expected the job to be accepted (200)", response)
    # The next steps read the job by its id: a jobId GET cannot take stops the scenario here. Judged against GET's
    # documented path parameter (seed 003), whatever the creation response's own schema leaves to inference.
    job_id = job_id_of(response)
    check(
        spec.retrievable(job_id),
        "EMPORIX-JOB-ID-FORMAT",
        f"jobId {job_id!r} cannot be retrieved: GET takes 3-16 characters of [a-zA-Z0-9_-] (003 §Retrieving a job)",
        response,
    )
    spec.conforms("POST", api_path(emporix_target, response), response, "EMPORIX-JOB-ID-FORMAT", stop=True)


@then("the job runs from IN_PROGRESS to a final status")
def runs_to_the_end(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    observed = emporix.observe(scenario.job_id)
    for job, response in observed:
        spec.conforms("GET", api_path(emporix_target, response), response, "EMPORIX-JOB-SCHEMA")
        expect(job.get("id") == scenario.job_id, "EMPORIX-JOB-SCHEMA", "the job's id must be its jobId", response)
        expect(
            job.get("jobType") == scenario.job_type,
            "EMPORIX-JOB-SCHEMA",
            f"expected jobType {scenario.job_type}",
            response,
        )
        if job.get("jobStatus") == "IN_PROGRESS":
            expect(
                job.get("finishedAt") is None,
                "EMPORIX-JOB-PROGRESS",
                "an IN_PROGRESS job has no finishedAt yet",
                response,
            )
    statuses = [str(job.get("jobStatus")) for job, _ in observed]
    job, last = observed[-1]
    check(
        job.get("jobStatus") in FINAL,
        "EMPORIX-JOB-LIFECYCLE",
        f"the job reports jobStatus {job.get('jobStatus')!r}, not one of SUCCESS, FAILURE, IN_PROGRESS"
        if job.get("jobStatus") not in JOB_STATUSES
        else f"the job did not finish within {emporix_target.patience.last:g} s "
        f"(observed {statuses[0]} x{len(statuses)})",
        last,
    )
    first_final = next(i for i, status in enumerate(statuses) if status in FINAL)
    expect(
        set(statuses[first_final:]) == {job["jobStatus"]},
        "EMPORIX-JOB-LIFECYCLE",
        f"a finished job changed status: {' → '.join(statuses)}",
        last,
    )
    orders = job.get("orders") if isinstance(job.get("orders"), list) else []
    check(isinstance(job.get("orders"), list), "EMPORIX-JOB-SCHEMA", "a job lists its orders", last)
    pending = [order.get("orderId") for order in orders if order.get("jobOrderStatus") == "PENDING"]
    expect(not pending, "EMPORIX-JOB-PROGRESS", f"the job finished with PENDING orders {pending}", last)
    started, finished = _time(job.get("startedAt")), _time(job.get("finishedAt"))
    expect(
        started is not None and finished is not None and finished >= started,
        "EMPORIX-JOB-LIFECYCLE",
        "a finished job has a finishedAt not before its startedAt",
        last,
    )
    scenario.job, scenario.response = job, last


def _orders(scenario: Scenario) -> list[dict[str, Any]]:
    return [order for order in scenario.job["orders"] if isinstance(order, dict)]


@then(parsers.parse("the job ended {status}"))
def job_ended(scenario: Scenario, status: str) -> None:
    outcomes = {order.get("orderId"): order.get("jobOrderStatus") for order in _orders(scenario)}
    # Which rule applies follows from the orders' outcomes (judged by their own steps): every order SUCCESS makes a
    # SUCCESS job (the seed's example); an order FAILURE a FAILURE job (pickconform's reading).
    failed = "FAILURE" in outcomes.values()
    rule, implied = ("EMPORIX-JOB-STATUS-MIXED", "FAILURE") if failed else ("EMPORIX-JOB-STATUS", "SUCCESS")
    if implied != status:
        return
    expect(
        scenario.job.get("jobStatus") == status,
        rule,
        f"expected jobStatus {status} with orders {outcomes}, got {scenario.job.get('jobStatus')}",
        scenario.response,
    )


def _outcome(scenario: Scenario, order_id: str, status: str, requirement: str, *, soft: bool = False) -> None:
    entries = [order for order in _orders(scenario) if order.get("orderId") == order_id]
    if not expect(entries, requirement, f"the job does not list the order {order_id}", scenario.response):
        return
    if entries[0].get("jobOrderStatus") != status:
        message = f"expected the order {order_id} {status}, got {entries[0]}"
        record(Violation(requirement, message, scenario.response, soft=soft))
    expect(
        isinstance(entries[0].get("message"), str) and entries[0]["message"],
        "EMPORIX-ORDER-MESSAGE",
        f"the finished order {order_id} has no message: {entries[0]}",
        scenario.response,
    )


@then(parsers.parse("every order of the job ended {status} with a message"))
def every_order_ended(scenario: Scenario, status: str) -> None:
    # No document says when the recalculation of an existing order fails: a failed one is a warning.
    for order in _orders(scenario):
        _outcome(scenario, str(order.get("orderId")), status, "EMPORIX-JOB-STATUS", soft=True)


@then(parsers.parse('order "{label}" ended {status} with a message'))
def order_ended(emporix: EmporixApi, scenario: Scenario, requirement: str, label: str, status: str) -> None:
    _outcome(scenario, emporix.order_id(label), status, requirement)


def _listed(scenario: Scenario) -> list[str]:
    return [str(order.get("orderId")) for order in _orders(scenario)]


@then(parsers.parse('the job lists each of the orders "{names}" exactly once'))
def lists_exactly(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    expected = [emporix.order_id(label) for label in labels(names)]
    listed = _listed(scenario)
    expect(
        set(listed) == set(expected),
        "EMPORIX-MANUAL-EXACT",
        f"expected exactly the orders {expected}; the job lists {listed}",
        scenario.response,
    )
    repeated = sorted({order_id for order_id in listed if listed.count(order_id) > 1})
    expect(not repeated, "EMPORIX-MANUAL-DUPLICATES", f"orders listed more than once: {repeated}", scenario.response)


@then(parsers.parse('the job includes the orders "{names}"'))
def includes(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    missing = [emporix.order_id(label) for label in labels(names) if emporix.order_id(label) not in _listed(scenario)]
    expect(
        not missing,
        "EMPORIX-AUTOMATIC-EVENTS",
        f"orders with new packing events were not recalculated: {missing}",
        scenario.response,
    )


def _excluded(emporix: EmporixApi, scenario: Scenario, names: str, requirement: str, why: str) -> None:
    extra = [emporix.order_id(label) for label in labels(names) if emporix.order_id(label) in _listed(scenario)]
    expect(not extra, requirement, f"orders {why} were recalculated: {extra}", scenario.response)


@then(parsers.parse('the job does not include the orders "{names}" that had no packing event'))
def excludes_without_events(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    if SEED_ORDERS not in emporix.target.capabilities:
        # Ready orders: on a sandbox that keeps its data an earlier run may have given one packing events. Read
        # back which have any; those are not orders "without a packing event", so they are not judged here.
        ready = {label: emporix.order_id(label) for label in labels(names)}
        had = emporix.orders_with_events(list(ready.values()))
        if had and emporix.ready is not None:
            emporix.ready.note(f"orders {' '.join(sorted(had))}: packing events from before this run, not judged")
        if had:
            names = " ".join(label for label, order in ready.items() if order not in had)
    _excluded(emporix, scenario, names, "EMPORIX-AUTOMATIC-EVENTS", "without a packing event")


@then(parsers.parse('the job does not include the orders "{names}" recalculated since their latest packing event'))
def excludes_recalculated(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    why = "recalculated since their latest packing event"
    _excluded(emporix, scenario, names, "EMPORIX-AUTOMATIC-SINCE-RECALCULATION", why)


@then(parsers.parse("the answer is {status:d} with the documented error body"))
def answered_with(emporix_target: EmporixTarget, scenario: Scenario, requirement: str, status: int) -> None:
    response = scenario.response
    assert response is not None
    check(response.status_code == status, requirement, f"expected {status}, got {response.status_code}", response)
    spec.conforms(response.request.method, api_path(emporix_target, response), response)


@then("the request is refused, for the missing token first")
def refused_for_the_token(emporix_target: EmporixTarget, scenario: Scenario) -> None:
    response = scenario.response
    assert response is not None
    check(
        response.is_client_error,
        "EMPORIX-AUTH-401",
        f"a request without a token must be refused, got {response.status_code}",
        response,
    )
    # Both 401 and 400 are documented for it; that the token is checked first is pickconform's order of checks.
    expect(
        response.status_code == 401,
        "EMPORIX-CHECK-ORDER",
        f"a request without a token is refused with 401 before its body is judged, got {response.status_code}",
        response,
    )
    spec.conforms("POST", api_path(emporix_target, response), response)


@then("the malformed path is refused")
def malformed_path_refused(emporix_target: EmporixTarget, scenario: Scenario, requirement: str) -> None:
    response = scenario.response
    assert response is not None
    check(
        response.is_client_error,
        requirement,
        f"a malformed path must be refused with a 4xx, got {response.status_code}",
        response,
    )
    # Which refusal is pickconform's order of checks: path syntax before the token's tenant and scope. POST documents
    # 400; GET documents no 400, so 404 (no resource can live there), and 400 is accepted too.
    method = response.request.method
    expected = (400,) if method == "POST" else (404, 400)
    expect(
        response.status_code in expected,
        "EMPORIX-CHECK-ORDER",
        f"a malformed path is refused with {' or '.join(map(str, expected))} first, got {response.status_code}",
        response,
    )
    if method == "GET" and response.status_code == 400:
        spec.error_body(response)
    else:
        spec.conforms(method, api_path(emporix_target, response), response)


@then("the second job is refused with 409 while the first one runs")
def refused_while_running(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    first, second = scenario.first, scenario.response
    assert first is not None and second is not None
    first_id = job_id_of(first)
    if not first_id:
        raise SetupFailed("the first MANUAL job", first)
    if second.status_code == 409:
        judged("EMPORIX-CONFLICT-409", second)
        spec.conforms("POST", api_path(emporix_target, second), second)
        return
    check(second.status_code == 200, "EMPORIX-CONFLICT-409", f"expected 409, got {second.status_code}", second)
    # The second job was accepted: a departure only if the first was still running when it was requested.
    first_job, second_job = emporix.read(first_id), emporix.read(job_id_of(second))
    try:
        still_running = first_job.json()["jobStatus"] == "IN_PROGRESS"
        finished, started = _time(first_job.json().get("finishedAt")), _time(second_job.json()["startedAt"])
    except (ValueError, KeyError, TypeError, AttributeError):
        pytest.skip("precondition not checked: the two jobs' status and times could not be read back")
    overlapped = still_running or (finished is not None and started is not None and finished > started)
    if not overlapped:
        pytest.skip("precondition not reached: the first job finished before the second was requested")
    raise Violation(
        "EMPORIX-CONFLICT-409", "a job naming an order of a running job was accepted (expected 409)", second
    )
