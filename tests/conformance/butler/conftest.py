"""Step definitions for features/butler: small steps, mutually exclusive patterns, data set up through the API and
the control protocol, outcomes observed through the notifications the target POSTs to the suite's receiver."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from pickconform.butler.api import ButlerApi, pick_request
from pickconform.butler.target import ButlerTarget
from pickconform.determinism import Values
from pickconform.plugin import family_target, requirements_of
from pickconform.targets import Target
from pickconform.verdict import Violation, check, json_body

STATE = r"(?P<state>[a-z_]+)"


@dataclass
class Scenario:
    """What a scenario has set up and observed so far; `the pick request` is the one created last."""

    sku: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    response: httpx.Response | None = None
    external_id: str = ""
    transaction: int | None = None
    latest: dict[str, Any] = field(default_factory=dict)  # the last order_information about the pick request
    valid_body: dict[str, Any] | None = None  # the same request without its defect
    held: bool = False


@pytest.fixture(scope="session")
def butler_target(pickconform_target: Target) -> ButlerTarget:
    return family_target(pickconform_target, "butler")


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture
def butler(butler_target: ButlerTarget, values: Values, scenario: Scenario) -> Iterator[ButlerApi]:
    api = ButlerApi(butler_target, values)
    yield api
    if scenario.held:
        api.hold_allocation(False)


# Judged in many scenarios (mostly by the lifecycle checker); a scenario's own requirement is its one other tag.
CROSS_CUTTING = frozenset(
    {
        "BUTLER-LIFECYCLE",
        "BUTLER-ASYNC-OUTCOME",
        "BUTLER-NOTIFY-SCHEMA",
        "BUTLER-NOTIFY-UNIQUE-ID",
        "BUTLER-NOTIFY-ORDER",
    }
)


@pytest.fixture
def requirement(request: pytest.FixtureRequest) -> str:
    """The requirement a generic step judges: the scenario's own one (Gherkin tags carry no order)."""
    tags = requirements_of(request.node)
    own = sorted(set(tags) - CROSS_CUTTING)
    assert len(own) == 1, f"a Butler scenario needs exactly one requirement besides {sorted(CROSS_CUTTING)}: {tags}"
    return own[0]


# --- helpers --------------------------------------------------------------------------------------------------


def create(butler: ButlerApi, scenario: Scenario, sku: str, quantity: int, attributes: Any = None) -> None:
    scenario.external_id = butler.values.reference("PICK")
    scenario.body = pick_request(scenario.external_id, [(f"{scenario.external_id}_1", sku, quantity)], attributes)
    scenario.response = butler.create(scenario.body)


def created(scenario: Scenario, requirement: str) -> dict[str, Any]:
    response = scenario.response
    assert response is not None
    check(response.status_code == 200, requirement, f"create: expected 200, got {response.status_code}", response)
    body = json_body(response, requirement)
    check(isinstance(body, dict), requirement, "create: expected a JSON object", response)
    return body


def becomes(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> dict[str, Any]:
    data = butler.next(scenario.external_id, "order_information", requirement)["notification_data"]
    if data["state"] != state:
        raise Violation(
            requirement,
            f"expected pick request {scenario.external_id} to become {state}, it became {data['state']}\n"
            f"stream:\n{butler.receiver.checker.show(scenario.external_id)}",
        )
    scenario.latest = data
    return data


def a_fulfillable_request(butler: ButlerApi, scenario: Scenario, quantity: int, requirement: str) -> None:
    create(butler, scenario, scenario.sku, quantity)
    created(scenario, requirement)
    becomes(butler, scenario, "fulfillable", requirement)


def reach_first_rack(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    butler.reach_first_rack(scenario.external_id)
    becomes(butler, scenario, "cancellation_locked", requirement)


# --- Given ----------------------------------------------------------------------------------------------------


@given(parsers.parse("a SKU with {quantity:d} units of inventory"))
def a_sku_in_stock(butler: ButlerApi, scenario: Scenario, quantity: int) -> None:
    scenario.sku = butler.values.reference("SKU")
    butler.put_inventory(scenario.sku, quantity)


@given(parsers.parse("a fulfillable pick request for {quantity:d} units of the SKU"))
def a_fulfillable_pick_request(butler: ButlerApi, scenario: Scenario, quantity: int, requirement: str) -> None:
    a_fulfillable_request(butler, scenario, quantity, requirement)


@given("the first rack has been reached")
def first_rack_reached(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    reach_first_rack(butler, scenario, requirement)


@given(parsers.re(rf"a pick request in state {STATE}"))
def a_pick_request_in_state(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    """Drive a new pick request along the lifecycle, through the API and the control protocol, to `state`."""
    if state == "created":
        butler.hold_allocation(True)  # allocation waits, so the request stays created
        scenario.held = True
        create(butler, scenario, butler.values.reference("SKU"), 2)
        created(scenario, requirement)
        return
    scenario.sku = butler.values.reference("SKU")
    butler.put_inventory(scenario.sku, 10)
    a_fulfillable_request(butler, scenario, 2, requirement)
    if state == "fulfillable":
        return
    reach_first_rack(butler, scenario, requirement)
    if state == "cancellation_locked":
        return
    butler.pick(scenario.external_id, 1)
    becomes(butler, scenario, "pick_started", requirement)
    if state == "pick_started":
        return
    butler.pick(scenario.external_id, 1)
    becomes(butler, scenario, "pick_started", requirement)
    butler.finish(scenario.external_id)
    becomes(butler, scenario, "complete", requirement)
    assert state == "complete", f"the steps cannot reach state {state}"


@given("the callback refuses the first notification about the next pick request with 500")
def callback_refuses(butler: ButlerApi) -> None:
    butler.refuse_first = True


# --- When -----------------------------------------------------------------------------------------------------


@when(parsers.parse("a pick request for {quantity:d} units of a new SKU is created"))
def create_for_new_sku(butler: ButlerApi, scenario: Scenario, quantity: int) -> None:
    create(butler, scenario, butler.values.reference("SKU"), quantity)


@when(parsers.parse("a pick request for {quantity:d} units of the SKU is created"))
def create_for_the_sku(butler: ButlerApi, scenario: Scenario, quantity: int) -> None:
    create(butler, scenario, scenario.sku, quantity)


@when(parsers.parse('a pick request with priority "{priority}" and a time window is created'))
def create_with_attributes(butler: ButlerApi, scenario: Scenario, priority: str) -> None:
    attributes = {
        "simple_priority": priority,
        "pick_after_time": butler.values.timestamp(0),
        "pick_before_time": butler.values.timestamp(1),
    }
    create(butler, scenario, butler.values.reference("SKU"), 1, attributes)


def _line_product(body: dict[str, Any]) -> dict[str, Any]:
    return body["serviceRequests"][0]["expectations"]["containers"][0]["products"][0]


DEFECTS = {
    "no pick lines": lambda b: b.update(serviceRequests=[]),
    "a line of type PICK": lambda b: b["serviceRequests"][0].update(type="PICK"),
    "type PUT": lambda b: b.update(type="PUT"),
    "a quantity as a string": lambda b: _line_product(b).update(productQuantity="5"),
    "a malformed filter": lambda b: _line_product(b)["productAttributes"].update(filter_parameters=["product_sku = X"]),
    "a filter operator like": lambda b: _line_product(b)["productAttributes"].update(
        filter_parameters=["product_sku like 'X%'"]
    ),
    "filter_parameters as a string": lambda b: _line_product(b)["productAttributes"].update(
        filter_parameters="product_sku = 'X'"
    ),
    "an unknown simple_priority": lambda b: b.update(attributes={"simple_priority": "urgent"}),
    "a pick_before_time not ISO 8601": lambda b: b.update(attributes={"pick_before_time": "09/04/2018 18:00"}),
}


@when(parsers.parse("a pick request is created with bad data: {defect}"))
def create_with_bad_data(butler: ButlerApi, scenario: Scenario, defect: str) -> None:
    scenario.external_id = butler.values.reference("PICK")
    valid = pick_request(scenario.external_id, [(f"{scenario.external_id}_1", butler.values.reference("SKU"), 1)])
    scenario.body = copy.deepcopy(valid)
    DEFECTS[defect](scenario.body)
    scenario.response = butler.create(scenario.body)
    scenario.valid_body = valid


@when("an unknown pick request is cancelled")
def cancel_unknown(butler: ButlerApi, scenario: Scenario) -> None:
    scenario.response = butler.cancel(butler.values.reference("UNKNOWN"))


@when("the first rack is reached")
def the_first_rack(butler: ButlerApi, scenario: Scenario) -> None:
    butler.reach_first_rack(scenario.external_id)


@when(parsers.re(r"(?P<quantity>\d+) units? (?:is|are) picked"))
def picked(butler: ButlerApi, scenario: Scenario, quantity: str) -> None:
    butler.pick(scenario.external_id, int(quantity))


@when(parsers.re(r"(?P<quantity>\d+) units? (?:is|are) picked with container state (?P<exception>[a-z_]+)"))
def picked_with_exception(butler: ButlerApi, scenario: Scenario, quantity: str, exception: str) -> None:
    butler.pick(scenario.external_id, int(quantity), exception)


@when("the pick is finished")
def finished(butler: ButlerApi, scenario: Scenario) -> None:
    butler.finish(scenario.external_id)


@when("the pick request is cancelled")
def cancelled(butler: ButlerApi, scenario: Scenario) -> None:
    scenario.response = butler.cancel(scenario.external_id)


@when(parsers.parse('the pick request is modified to priority "{priority}"'))
def modified(butler: ButlerApi, scenario: Scenario, priority: str) -> None:
    body = {
        "externalServiceRequestId": scenario.external_id,
        "type": "PICK",
        "attributes": {"simple_priority": priority},
    }
    scenario.response = butler.modify(body)


# --- Then -----------------------------------------------------------------------------------------------------


@then("the created object has ids, its lines, type PICK and state CREATED")
def created_object(scenario: Scenario, requirement: str) -> None:
    body, response = created(scenario, requirement), scenario.response
    sent = scenario.body
    check(isinstance(body.get("id"), int), requirement, "the created object has no integer id", response)
    for key, expected in (
        ("externalServiceRequestId", sent["externalServiceRequestId"]),
        ("type", "PICK"),
        ("state", "CREATED"),
        ("status", "CREATED"),
    ):
        check(body.get(key) == expected, requirement, f"expected {key} {expected!r}, got {body.get(key)!r}", response)
    lines = body.get("serviceRequests")
    check(isinstance(lines, list), requirement, "the created object has no serviceRequests list", response)
    check(
        [line.get("externalServiceRequestId") for line in lines if isinstance(line, dict)]
        == [line["externalServiceRequestId"] for line in sent["serviceRequests"]],
        requirement,
        "the created object's pick lines are not the ones sent",
        response,
    )
    ids = [body["id"], *(line.get("id") for line in lines)]
    check(
        all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids),
        requirement,
        f"the request and each pick line need distinct integer ids, got {ids}",
        response,
    )
    check(all(line.get("type") == "PICK_LINE" for line in lines), requirement, "lines must be PICK_LINE", response)


@then("the created object keeps the priority and the time window")
def keeps_attributes(scenario: Scenario, requirement: str) -> None:
    body = created(scenario, requirement)
    attributes = body.get("attributes")
    for key, value in scenario.body["attributes"].items():
        got = attributes.get(key) if isinstance(attributes, dict) else None
        check(got == value, requirement, f"attribute {key}: sent {value!r}, got {got!r}", scenario.response)


@then("the request is refused with 400")
def refused(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    response = scenario.response
    assert response is not None
    check(response.status_code == 400, requirement, f"expected 400, got {response.status_code}", response)
    if scenario.valid_body:  # the refused create stored nothing: the same id is still free for a valid request
        retry = butler.create(scenario.valid_body)
        check(retry.status_code == 200, requirement, "after a refused create, its id is not free", retry)


@then(parsers.re(rf"the pick request becomes {STATE}"))
def the_pick_request_becomes(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    becomes(butler, scenario, state, requirement)


@then(parsers.re(rf'the pick request becomes {STATE} with priority "(?P<priority>\w+)"'))
def becomes_with_priority(butler: ButlerApi, scenario: Scenario, state: str, priority: str, requirement: str) -> None:
    data = becomes(butler, scenario, state, requirement)
    got = (data.get("attributes") or {}).get("simple_priority")
    check(got == priority, requirement, f"after the modification, simple_priority is {got!r}, not {priority!r}")


@then(parsers.re(rf"the pick request is still {STATE}"))
def still(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    observed = butler.state(scenario.external_id)
    check(observed == state, requirement, f"the pick request should still be {state}, it is {observed}")


@then("the call answers a transaction for the pick request")
def a_transaction(scenario: Scenario) -> None:
    response, requirement = scenario.response, "BUTLER-ASYNC-OUTCOME"
    assert response is not None
    check(response.status_code == 200, requirement, f"expected 200, got {response.status_code}", response)
    body = json_body(response, requirement)
    check(
        isinstance(body, dict)
        and isinstance(body.get("id"), int)
        and body.get("externalServiceRequestId") == scenario.external_id
        and body.get("type") == "PICK",
        requirement,
        "expected a transaction {id: int, externalServiceRequestId, type: PICK}",
        response,
    )
    scenario.transaction = body["id"]


@then(parsers.re(r"the (?P<kind>cancel|modify) ends in (?P<outcome>success|failure)"))
def ends_in(butler: ButlerApi, scenario: Scenario, kind: str, outcome: str, requirement: str) -> None:
    data = butler.next(scenario.external_id, "order_modification", "BUTLER-ASYNC-OUTCOME")["notification_data"]
    check(
        data.get("id") == scenario.transaction,
        "BUTLER-ASYNC-OUTCOME",
        f"the order_modification names transaction {data.get('id')!r}, the {kind} call answered {scenario.transaction}",
    )
    check(
        data["state"] == outcome,
        requirement,
        f"{kind} in {scenario.latest.get('state', 'created')}: "
        f"expected order_modification {outcome}, got {data['state']}",
    )


@then("each line's actuals add up to its expected quantity")
def actuals_add_up(scenario: Scenario, requirement: str) -> None:
    for line in scenario.latest["serviceRequests"]:
        expected = sum(p["productQuantity"] for c in line["expectations"]["containers"] for p in c["products"])
        picked = sum(
            p["productQuantity"]
            for c in line.get("actuals", {}).get("containers", [])
            if c["state"] == "complete"
            for p in c["products"]
        )
        check(
            picked == expected,
            requirement,
            f"line {line['externalServiceRequestId']}: {picked} picked in its actuals, {expected} expected",
        )


@then("a bin_complete about the pick request follows")
def bin_complete(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    data = butler.next(scenario.external_id, "bin_complete", requirement)["notification_data"]
    states = {r["externalServiceRequestId"]: r["state"] for r in data["serviceRequests"]}
    check(
        states.get(scenario.external_id) == "complete",
        requirement,
        f"the bin_complete should hold pick request {scenario.external_id} complete, it holds {states}",
    )


@then(parsers.re(r"the latest notification reports an? (?P<exception>[a-z_]+) container"))
def reports_container(scenario: Scenario, exception: str, requirement: str) -> None:
    holders = [scenario.latest, *scenario.latest["serviceRequests"]]
    states = [c["state"] for h in holders for c in h.get("actuals", {}).get("containers", [])]
    check(exception in states, requirement, f"expected a container in state {exception} in the actuals, got {states}")


@then("the refused notification is delivered again")
def delivered_again(butler: ButlerApi, scenario: Scenario) -> None:
    receiver, external_id = butler.receiver, scenario.external_id

    def redelivered() -> bool:
        refused = [nid for ext, nid in receiver.refused if ext == external_id]
        accepted = {r.notification.get("notification_id") for r in receiver.by_request.get(external_id, [])}
        return bool(refused) and refused[0] in accepted

    if not receiver.wait_for(redelivered, butler.target.notification_timeout):
        with receiver.condition:
            refused = [nid for ext, nid in receiver.refused if ext == external_id]
        message = (
            f"notification {refused[0]} was answered 500 and not delivered again within "
            f"{butler.target.notification_timeout:g} s"
            if refused
            else "no notification about the pick request arrived to be refused"
        )
        raise Violation("BUTLER-NOTIFY-RETRY", message)


@then("every notification stream followed the lifecycle")
def followed_the_lifecycle(butler: ButlerApi) -> None:
    butler.judge()
