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

from pickconform import pacing
from pickconform.determinism import Values
from pickconform.emporix import spec
from pickconform.emporix.api import FINAL, EmporixApi
from pickconform.emporix.target import MANAGE, VIEW, EmporixTarget
from pickconform.plugin import family_target, requirements_of
from pickconform.targets import Target
from pickconform.verdict import SetupFailed, Violation, check

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
def emporix(emporix_target: EmporixTarget, values: Values) -> EmporixApi:
    return EmporixApi(emporix_target, values)


@pytest.fixture
def scenario() -> Iterator[Scenario]:
    state = Scenario()
    yield state
    for client in state.clients:
        client.close()


# Requirements a scenario checks on the side; its main requirement is the one tag not among them.
SUPPORTING = frozenset(
    {"EMPORIX-ERROR-BODY", "EMPORIX-SCHEMA", "EMPORIX-JOB-SCHEMA", "EMPORIX-JOB-ID-FORMAT", "EMPORIX-JOB-STATUS"}
)


@pytest.fixture
def requirement(request: pytest.FixtureRequest) -> str:
    """The requirement a generic step judges: the scenario's main requirement tag (tags carry no order)."""
    tags = requirements_of(request.node)
    return min((t for t in tags if t not in SUPPORTING), default=min(tags))


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
def seeded_orders(emporix: EmporixApi, names: str) -> None:
    for label in labels(names):
        emporix.seed_order(label)


@given(parsers.parse('a packing event for order "{label}"'))
def packing_event(emporix: EmporixApi, label: str) -> None:
    emporix.packing_event(label)


@given(parsers.parse('a MANUAL recalculation of "{names}" has finished'))
def finished_manual(emporix: EmporixApi, names: str) -> None:
    response = emporix.manual(labels(names))
    if response.status_code != 200:
        raise SetupFailed(f"a MANUAL job of {names}", response)
    job, last = emporix.observe(response.json()["jobId"])[-1]
    check(job.get("jobStatus") == "SUCCESS", "EMPORIX-JOB-LIFECYCLE", "the MANUAL job did not end SUCCESS", last)


@given("a recalculation job of the tenant")
def a_job(emporix: EmporixApi, scenario: Scenario) -> None:
    emporix.seed_order("J")
    emporix.seed_order("T")  # the order the scenario's own job request names
    response = emporix.manual(["J"])
    if response.status_code != 200 or not isinstance(response.json(), dict) or "jobId" not in response.json():
        raise SetupFailed("a MANUAL job of one order", response)
    scenario.job_id = str(response.json()["jobId"])


# --- When -----------------------------------------------------------------------------------------------------


def _sent(scenario: Scenario, response: httpx.Response, job_type: str) -> None:
    scenario.response, scenario.job_type = response, job_type
    if response.status_code == 200:
        try:
            scenario.job_id = str(response.json().get("jobId", ""))
        except (ValueError, AttributeError):
            scenario.job_id = ""


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
        pacing.pause(0.05)
        response = emporix.trigger({"jobType": "AUTOMATIC"})
    _sent(scenario, response, "AUTOMATIC")


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
def read_malformed_job_id(emporix: EmporixApi, scenario: Scenario, variant: str) -> None:
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
    spec.conforms("POST", api_path(emporix_target, response), response, "EMPORIX-JOB-ID-FORMAT")


@then("the job runs from IN_PROGRESS to a final status")
def runs_to_the_end(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    observed = emporix.observe(scenario.job_id)
    for job, response in observed:
        spec.conforms("GET", api_path(emporix_target, response), response, "EMPORIX-JOB-SCHEMA")
        check(job["id"] == scenario.job_id, "EMPORIX-JOB-SCHEMA", "the job's id must be its jobId", response)
        check(
            job["jobType"] == scenario.job_type, "EMPORIX-JOB-SCHEMA", f"expected jobType {scenario.job_type}", response
        )
        if job["jobStatus"] == "IN_PROGRESS":
            check(
                job.get("finishedAt") is None, "EMPORIX-JOB-LIFECYCLE", "an IN_PROGRESS job has no finishedAt", response
            )
    statuses = [job["jobStatus"] for job, _ in observed]
    job, last = observed[-1]
    check(
        job["jobStatus"] in FINAL,
        "EMPORIX-JOB-LIFECYCLE",
        f"the job did not finish within {emporix_target.poll_timeout} s (observed {statuses[0]} x{len(statuses)})",
        last,
    )
    first_final = next(i for i, status in enumerate(statuses) if status in FINAL)
    check(
        set(statuses[first_final:]) == {job["jobStatus"]} and "IN_PROGRESS" not in statuses[first_final:],
        "EMPORIX-JOB-LIFECYCLE",
        f"a finished job changed status: {' → '.join(statuses)}",
        last,
    )
    pending = [order["orderId"] for order in job["orders"] if order["jobOrderStatus"] == "PENDING"]
    check(not pending, "EMPORIX-JOB-LIFECYCLE", f"the job finished with PENDING orders {pending}", last)
    started, finished = _time(job.get("startedAt")), _time(job.get("finishedAt"))
    check(
        started is not None and finished is not None and finished >= started,
        "EMPORIX-JOB-LIFECYCLE",
        "a finished job has a finishedAt not before its startedAt",
        last,
    )
    scenario.job, scenario.response = job, last


@then(parsers.parse("the job ended {status}"))
def job_ended(scenario: Scenario, status: str) -> None:
    outcomes = {order["orderId"]: order["jobOrderStatus"] for order in scenario.job["orders"]}
    check(
        scenario.job["jobStatus"] == status,
        "EMPORIX-JOB-STATUS",
        f"expected jobStatus {status} with orders {outcomes}, got {scenario.job['jobStatus']}",
        scenario.response,
    )


def _outcome(scenario: Scenario, order_id: str, status: str, requirement: str) -> None:
    entries = [order for order in scenario.job["orders"] if order["orderId"] == order_id]
    check(entries, requirement, f"the job does not list the order {order_id}", scenario.response)
    check(
        entries[0]["jobOrderStatus"] == status and bool(entries[0].get("message")),
        requirement,
        f"expected the order {order_id} {status} with a message, got {entries[0]}",
        scenario.response,
    )


@then(parsers.parse("every order of the job ended {status} with a message"))
def every_order_ended(scenario: Scenario, status: str) -> None:
    for order in scenario.job["orders"]:
        _outcome(scenario, order["orderId"], status, "EMPORIX-JOB-STATUS")


@then(parsers.parse('order "{label}" ended {status} with a message'))
def order_ended(emporix: EmporixApi, scenario: Scenario, requirement: str, label: str, status: str) -> None:
    _outcome(scenario, emporix.order_id(label), status, requirement)


def _listed(scenario: Scenario) -> list[str]:
    return [order["orderId"] for order in scenario.job["orders"]]


@then(parsers.parse('the job lists exactly the orders "{names}"'))
def lists_exactly(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    expected = [emporix.order_id(label) for label in labels(names)]
    check(
        sorted(_listed(scenario)) == sorted(expected),
        "EMPORIX-MANUAL-EXACT",
        f"expected exactly the orders {expected}, each once; the job lists {_listed(scenario)}",
        scenario.response,
    )


@then(parsers.parse('the job includes the orders "{names}"'))
def includes(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    missing = [emporix.order_id(label) for label in labels(names) if emporix.order_id(label) not in _listed(scenario)]
    check(
        not missing,
        "EMPORIX-AUTOMATIC-EVENTS",
        f"orders with new packing events were not recalculated: {missing}",
        scenario.response,
    )


@then(parsers.parse('the job does not include the orders "{names}"'))
def excludes(emporix: EmporixApi, scenario: Scenario, names: str) -> None:
    extra = [emporix.order_id(label) for label in labels(names) if emporix.order_id(label) in _listed(scenario)]
    check(
        not extra,
        "EMPORIX-AUTOMATIC-EVENTS",
        f"orders without a packing event since their last recalculation were recalculated: {extra}",
        scenario.response,
    )


@then(parsers.parse("the answer is {status:d} with the documented error body"))
def answered_with(emporix_target: EmporixTarget, scenario: Scenario, requirement: str, status: int) -> None:
    response = scenario.response
    assert response is not None
    check(response.status_code == status, requirement, f"expected {status}, got {response.status_code}", response)
    spec.conforms(response.request.method, api_path(emporix_target, response), response)


@then("the malformed path is refused")
def malformed_path_refused(emporix_target: EmporixTarget, scenario: Scenario, requirement: str) -> None:
    response = scenario.response
    assert response is not None
    # GET documents no 400, so a path no resource can live at may be 404 there; POST documents 400.
    expected = (400,) if response.request.method == "POST" else (404, 400)
    check(
        response.status_code in expected,
        requirement,
        f"a malformed path must be refused with {' or '.join(map(str, expected))}, got {response.status_code}",
        response,
    )
    if response.request.method == "POST" or response.status_code == 404:
        spec.conforms(response.request.method, api_path(emporix_target, response), response)


@then("the second job is refused with 409 while the first one runs")
def refused_while_running(emporix: EmporixApi, emporix_target: EmporixTarget, scenario: Scenario) -> None:
    first, second = scenario.first, scenario.response
    assert first is not None and second is not None
    if first.status_code != 200:
        raise SetupFailed("the first MANUAL job", first)
    if second.status_code == 409:
        spec.conforms("POST", api_path(emporix_target, second), second)
        return
    check(second.status_code == 200, "EMPORIX-CONFLICT-409", f"expected 409, got {second.status_code}", second)
    # The second job was accepted: a violation unless the first had already finished when it was requested.
    first_job = emporix.read(first.json()["jobId"])
    second_job = emporix.read(second.json()["jobId"])
    try:
        still_running = first_job.json()["jobStatus"] == "IN_PROGRESS"
        finished, started = _time(first_job.json().get("finishedAt")), _time(second_job.json()["startedAt"])
    except (ValueError, KeyError, TypeError):
        raise Violation("EMPORIX-JOB-SCHEMA", "cannot read the two jobs' status and times", first_job) from None
    overlapped = still_running or (finished is not None and started is not None and finished > started)
    if not overlapped:
        pytest.skip("emporix: the first job finished before the second was requested, so 409 could not be judged")
    raise Violation(
        "EMPORIX-CONFLICT-409", "a job naming an order of a running job was accepted (expected 409)", second
    )
