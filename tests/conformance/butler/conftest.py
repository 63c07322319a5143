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

from pickconform.butler.api import INVENTORY, ButlerApi, pick_request
from pickconform.butler.target import ButlerTarget
from pickconform.determinism import Values
from pickconform.family.ready_data import ReadyData
from pickconform.pytest_plugin import family_target
from pickconform.targets import Target
from pickconform.verdict import SetupError, Violation, check, expect, json_body, judged, record

STATE = r"(?P<state>[a-z_]+)"


@dataclass
class Scenario:
    """What a scenario has set up and observed so far; `the pick request` is the one created last."""

    sku: str = ""
    stock: int = 0  # the SKU's units on hand, when the scenario counts on them
    ready_sku: bool = False  # the SKU is one of the profile's [butler.test_data] in_stock: its units as declared
    body: dict[str, Any] = field(default_factory=dict)
    response: httpx.Response | None = None
    external_id: str = ""
    transaction: int | None = None
    latest: dict[str, Any] = field(default_factory=dict)  # the last order_information about the pick request
    states: dict[str, str] = field(default_factory=dict)  # the last state seen of each request it created
    given_state: str = ""  # the state the Given steps brought the pick request to
    valid_body: dict[str, Any] | None = None  # the same request without its defect
    held: bool = False


@pytest.fixture(scope="session")
def butler_target(pickconform_target: Target) -> ButlerTarget:
    return family_target(pickconform_target, "butler")


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture
def butler(
    butler_target: ButlerTarget, values: Values, scenario: Scenario, ready_data: ReadyData
) -> Iterator[ButlerApi]:
    api = ButlerApi(butler_target, values, ready_data)
    yield api
    if scenario.held:
        api.hold_allocation(False)


# Judged in many scenarios (mostly by the lifecycle checker), or beside a scenario's own requirement; a scenario's
# own requirement is its one other tag.
SUPPORTING = frozenset(
    {
        "BUTLER-LIFECYCLE",
        "BUTLER-ASYNC-OUTCOME",
        "BUTLER-OUTCOME-ID",
        "BUTLER-NOTIFY-SCHEMA",
        "BUTLER-NOTIFY-UNIQUE-ID",
        "BUTLER-NOTIFY-ORDER",
        "BUTLER-BIN-COMPLETE",
        "BUTLER-MODIFY-SAME-STATE",
    }
)


@pytest.fixture
def supporting_requirements() -> frozenset[str]:
    return SUPPORTING


# --- helpers --------------------------------------------------------------------------------------------------


def create(butler: ButlerApi, scenario: Scenario, sku: str, quantity: int, attributes: Any = None) -> None:
    scenario.external_id = butler.values.reference("PICK")
    scenario.body = pick_request(scenario.external_id, [(f"{scenario.external_id}_1", sku, quantity)], attributes)
    scenario.response = butler.create(scenario.body)
    scenario.states[scenario.external_id] = "created"


def created(scenario: Scenario, requirement: str) -> dict[str, Any]:
    response = scenario.response
    assert response is not None
    check(response.status_code == 200, requirement, f"create: expected 200, got {response.status_code}", response)
    body = json_body(response, requirement)
    check(isinstance(body, dict), requirement, "create: expected a JSON object", response)
    return body


def set_up(butler: ButlerApi, scenario: Scenario, sku: str, quantity: int) -> None:
    """Create a pick request a scenario needs (not the one it judges): a refusal is the suite's set-up failing."""
    create(butler, scenario, sku, quantity)
    if scenario.response is None or scenario.response.status_code != 200:
        raise SetupError("create the pick request the scenario needs", scenario.response)


def becomes(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> dict[str, Any]:
    """The pick request's next order_information in `state`; one repeating the state it was in is a re-notification
    of it (the payload "contains the complete current state") and is passed over, unless `state` is that state."""
    ext = scenario.external_id
    before = scenario.states.get(ext, "created")
    while True:
        data = butler.next(ext, "order_information", requirement)["notification_data"]
        if data["state"] == before != state:
            continue
        break
    scenario.states[ext] = data["state"]
    judged(requirement)  # the state a notification reports, whichever it is
    if data["state"] != state:
        raise Violation(
            requirement,
            f"expected pick request {ext} to become {state}, it became {data['state']}\n"
            f"stream:\n{butler.receiver.checker.show(ext)}",
        )
    scenario.latest = data
    return data


def reached(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    """A Given step's state: not reached is a precondition the target did not establish (skipped with the reason),
    judged as a requirement only by the scenarios of that requirement (what the checker found is recorded)."""
    try:
        becomes(butler, scenario, state, requirement)
    except Violation as violation:
        pytest.skip(f"precondition not reached: pick request {scenario.external_id} {state}: {violation.message}")


def a_fulfillable_request(butler: ButlerApi, scenario: Scenario, quantity: int, requirement: str) -> None:
    set_up(butler, scenario, scenario.sku, quantity)
    reached(butler, scenario, "fulfillable", requirement)


def reach_first_rack(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    butler.reach_first_rack(scenario.external_id)
    reached(butler, scenario, "cancellation_locked", requirement)


# --- Given ----------------------------------------------------------------------------------------------------


@given(parsers.parse("a SKU with {quantity:d} units of inventory"))
def a_sku_in_stock(butler: ButlerApi, scenario: Scenario, quantity: int) -> None:
    scenario.sku, scenario.stock = butler.sku_in_stock(quantity)
    scenario.ready_sku = INVENTORY not in butler.target.capabilities


@given(parsers.parse("a fulfillable pick request for {quantity:d} units of the SKU"))
def a_fulfillable_pick_request(butler: ButlerApi, scenario: Scenario, quantity: int, requirement: str) -> None:
    a_fulfillable_request(butler, scenario, quantity, requirement)


@given("the first rack has been reached")
def first_rack_reached(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    reach_first_rack(butler, scenario, requirement)


@given("a pick request without inventory")
def a_pick_request_without_inventory(butler: ButlerApi, scenario: Scenario) -> None:
    set_up(butler, scenario, butler.sku_without_inventory(), 1)


@given(parsers.re(rf"a pick request in state {STATE}"))
def a_pick_request_in_state(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    """Drive a new pick request along the lifecycle, through the API and the control protocol, to `state`; each
    state is confirmed from the notifications (not reached: the scenario is skipped with the reason)."""
    scenario.given_state = state
    if state == "created":
        butler.hold_allocation(True)  # allocation waits, so the request stays created
        scenario.held = True
        set_up(butler, scenario, butler.sku_without_inventory(), 2)
        return
    scenario.sku, scenario.stock = butler.sku_in_stock(10, at_least=2)
    a_fulfillable_request(butler, scenario, 2, requirement)
    if state == "fulfillable":
        return
    reach_first_rack(butler, scenario, requirement)
    if state == "cancellation_locked":
        return
    butler.pick(scenario.external_id, 1)
    reached(butler, scenario, "pick_started", requirement)
    if state == "pick_started":
        return
    butler.pick(scenario.external_id, 1)
    reached(butler, scenario, "pick_started", requirement)
    butler.finish(scenario.external_id)
    reached(butler, scenario, "complete", requirement)
    assert state == "complete", f"the steps cannot reach state {state}"


@given("the callback refuses the first notification about the next pick request with 500")
def callback_refuses(butler: ButlerApi) -> None:
    butler.refuse_first = True


# --- When -----------------------------------------------------------------------------------------------------


@when(parsers.parse("a pick request for {quantity:d} units of a SKU without inventory is created"))
def create_without_inventory(butler: ButlerApi, scenario: Scenario, quantity: int) -> None:
    create(butler, scenario, butler.sku_without_inventory(), quantity)


@when("a pick request for all units of the SKU is created")
def create_for_all_of_the_sku(butler: ButlerApi, scenario: Scenario) -> None:
    create(butler, scenario, scenario.sku, scenario.stock)


@when(parsers.parse('a pick request with priority "{priority}" and a time window is created'))
def create_with_attributes(butler: ButlerApi, scenario: Scenario, priority: str) -> None:
    attributes = {
        "simple_priority": priority,
        "pick_after_time": butler.values.timestamp(0),
        "pick_before_time": butler.values.timestamp(1),
    }
    create(butler, scenario, butler.sku_without_inventory(), 1, attributes)


@when("a pick request without externalServiceRequestId is created")
def create_without_external_id(butler: ButlerApi, scenario: Scenario) -> None:
    external_id = butler.values.reference("PICK")
    scenario.body = pick_request(external_id, [(f"{external_id}_1", butler.sku_without_inventory(), 1)])
    scenario.body.pop("externalServiceRequestId")
    scenario.body["serviceRequests"][0].pop("externalServiceRequestId")
    scenario.response = butler.create(scenario.body)


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
    valid = pick_request(scenario.external_id, [(f"{scenario.external_id}_1", butler.sku_without_inventory(), 1)])
    scenario.body = copy.deepcopy(valid)
    DEFECTS[defect](scenario.body)
    scenario.response = butler.create(scenario.body)
    scenario.valid_body = valid


@when(parsers.re(r"an unknown pick request is (?P<call>cancelled|modified)"))
def call_unknown(butler: ButlerApi, scenario: Scenario, call: str) -> None:
    scenario.external_id = butler.values.reference("UNKNOWN")
    if call == "cancelled":
        scenario.response = butler.cancel(scenario.external_id)
    else:
        attributes = {"simple_priority": "high"}
        body = {"externalServiceRequestId": scenario.external_id, "type": "PICK", "attributes": attributes}
        scenario.response = butler.modify(body)


TRANSACTION_DEFECTS = {
    "no type": lambda b: b.pop("type"),
    "type PUT": lambda b: b.update(type="PUT"),
    "no externalServiceRequestId": lambda b: b.pop("externalServiceRequestId"),
    "externalServiceRequestId as a number": lambda b: b.update(externalServiceRequestId=7),
    "an unknown simple_priority": lambda b: b.update(attributes={"simple_priority": "urgent"}),
}


@when(parsers.re(r"the pick request is (?P<call>cancelled|modified) with bad data: (?P<defect>.+)"))
def call_with_bad_data(butler: ButlerApi, scenario: Scenario, call: str, defect: str) -> None:
    body: dict[str, Any] = {"externalServiceRequestId": scenario.external_id, "type": "PICK"}
    TRANSACTION_DEFECTS[defect](body)
    scenario.response = butler.cancel_body(body) if call == "cancelled" else butler.modify(body)


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
    expect(isinstance(body.get("id"), int), requirement, "the created object has no integer id", response)
    for key, expected in (
        ("externalServiceRequestId", sent["externalServiceRequestId"]),
        ("type", "PICK"),
        ("state", "CREATED"),
        ("status", "CREATED"),
    ):
        expect(body.get(key) == expected, requirement, f"expected {key} {expected!r}, got {body.get(key)!r}", response)
    lines = body.get("serviceRequests")
    check(isinstance(lines, list), requirement, "the created object has no serviceRequests list", response)
    lines = [line for line in lines if isinstance(line, dict)]
    expect(
        [line.get("externalServiceRequestId") for line in lines]
        == [line["externalServiceRequestId"] for line in sent["serviceRequests"]],
        requirement,
        "the created object's pick lines are not the ones sent",
        response,
    )
    ids = [body.get("id"), *(line.get("id") for line in lines)]
    expect(
        all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids),
        requirement,
        f"the request and each pick line need distinct integer ids, got {ids}",
        response,
    )
    expect(all(line.get("type") == "PICK_LINE" for line in lines), requirement, "lines must be PICK_LINE", response)


@then("the created object has ids, its line, type PICK and state CREATED")
def created_without_external_id(scenario: Scenario, requirement: str) -> None:
    """Whether the answer carries an externalServiceRequestId of the target's is not judged here (optional)."""
    body, response = created(scenario, requirement), scenario.response
    for key, expected in (("type", "PICK"), ("state", "CREATED"), ("status", "CREATED")):
        expect(body.get(key) == expected, requirement, f"expected {key} {expected!r}, got {body.get(key)!r}", response)
    lines = body.get("serviceRequests")
    check(isinstance(lines, list) and len(lines) == 1, requirement, "expected the one pick line sent", response)
    ids = [body.get("id"), *(line.get("id") for line in lines if isinstance(line, dict))]
    expect(
        len(ids) == 2 and all(isinstance(i, int) for i in ids) and ids[0] != ids[1],
        requirement,
        f"the request and its pick line need distinct integer ids, got {ids}",
        response,
    )


@then("the created object keeps the priority and the time window")
def keeps_attributes(scenario: Scenario, requirement: str) -> None:
    body = created(scenario, requirement)
    attributes = body.get("attributes")
    for key, value in scenario.body["attributes"].items():
        got = attributes.get(key) if isinstance(attributes, dict) else None
        expect(got == value, requirement, f"attribute {key}: sent {value!r}, got {got!r}", scenario.response)


@then("the request is refused with 400")
def refused(butler: ButlerApi, scenario: Scenario, requirement: str) -> None:
    """400 is the vendor's status for bad data on create ("400: Bad data"); for cancel and modify it is
    pickconform's reading (BUTLER-REJECTS-TRANSACTION, an interpretation: a warning only)."""
    response = scenario.response
    assert response is not None
    check(response.status_code == 400, requirement, f"expected 400, got {response.status_code}", response)
    if scenario.valid_body:  # the refused create stored nothing: the same id is still free for a valid request
        retry = butler.create(scenario.valid_body)
        expect(retry.status_code == 200, requirement, "after a refused create, its id is not free", retry)


@then(parsers.re(r"the (?P<call>cancel|modify) of the unknown pick request does not succeed"))
def unknown_does_not_succeed(butler: ButlerApi, scenario: Scenario, call: str, requirement: str) -> None:
    """Seed 004 allows both: refused at once (a 4xx), or accepted ("this API accepts the request, and generates a
    success or failure notification according to the result") and answered by an order_modification failure."""
    response = scenario.response
    assert response is not None
    if 400 <= response.status_code < 500:
        judged(requirement, response)
        return
    check(
        response.status_code == 200,
        requirement,
        f"{call} of an unknown pick request: expected a 4xx, or 200 with a transaction; got {response.status_code}",
        response,
    )
    a_transaction(scenario)
    data = butler.next(scenario.external_id, "order_modification", "BUTLER-ASYNC-OUTCOME")["notification_data"]
    expect(
        data["state"] == "failure",
        requirement,
        f"{call} of a pick request that was never created ended in {data['state']}",
    )


# States a scenario drives the request through on its way to the state it judges (complete, abandoned): the control
# protocol's physical steps bring them about. Not reached is a precondition the target did not establish (a skip, as
# in a Given step); whether the stream followed the lifecycle is still judged, on BUTLER-LIFECYCLE, by the checker.
ON_THE_WAY = frozenset({"cancellation_locked", "pick_started"})


@then(parsers.re(rf"the pick request becomes {STATE}"))
def the_pick_request_becomes(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    if state in ON_THE_WAY:
        reached(butler, scenario, state, requirement)
        return
    try:
        becomes(butler, scenario, state, requirement)
    except Violation:
        if (
            state == "fulfillable"
            and scenario.ready_sku
            and scenario.states.get(scenario.external_id) == ("not_fulfillable")
        ):
            # On a sandbox that keeps its data an earlier run may have picked the ready SKU's units, and the
            # documented API has no read of inventory to check beforehand; inventory the suite put there is judged.
            pytest.skip(
                f"precondition not established: ready SKU {scenario.sku} ([butler.test_data] in_stock) no longer has "
                f"the {scenario.stock} units the profile declares (not_fulfillable); an earlier run may have used "
                "them: give each run fresh SKUs or restock them"
            )
        raise


@then(parsers.re(rf'the pick request is modified with priority "(?P<priority>\w+)", still {STATE}'))
def modified_with_priority(butler: ButlerApi, scenario: Scenario, priority: str, state: str, requirement: str) -> None:
    """The order_information that follows a successful modify carries the modification (documented); that it is in
    the state the request had is pickconform's reading (BUTLER-MODIFY-SAME-STATE)."""

    def shows_it(data: dict[str, Any]) -> bool:
        return (data.get("attributes") or {}).get("simple_priority") == priority

    # A re-notification of the request's state (of its creation, say) may come between the call and its outcome.
    data = butler.next(scenario.external_id, "order_information", requirement, showing=shows_it)["notification_data"]
    scenario.states[scenario.external_id], scenario.latest = data["state"], data
    got = (data.get("attributes") or {}).get("simple_priority")
    expect(got == priority, requirement, f"after the modification, simple_priority is {got!r}, not {priority!r}")
    expect(
        data["state"] == state,
        "BUTLER-MODIFY-SAME-STATE",
        f"the order_information after a modify in {state} is in state {data['state']}",
    )


@then(parsers.re(rf"the pick request is still {STATE}"))
def still(butler: ButlerApi, scenario: Scenario, state: str, requirement: str) -> None:
    observed = butler.state(scenario.external_id)
    expect(observed == state, requirement, f"the pick request should still be {state}, it is {observed}")


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
    assert scenario.transaction is not None
    transaction = butler.transaction(scenario.transaction)
    if transaction is not None and scenario.given_state and transaction.state_at_call != scenario.given_state:
        butler.report()
        pytest.skip(
            f"precondition not reached: pick request {scenario.external_id} was {transaction.state_at_call} at the "
            f"{kind} call, not {scenario.given_state}"
        )
    data = butler.next(scenario.external_id, "order_modification", "BUTLER-ASYNC-OUTCOME")["notification_data"]
    if "id" in data:
        expect(
            data["id"] == scenario.transaction,
            "BUTLER-ASYNC-OUTCOME",
            f"the order_modification names transaction {data['id']!r}, the {kind} call answered {scenario.transaction}",
        )
    check(
        data["state"] == outcome,
        requirement,
        f"{kind} in {scenario.given_state or 'created'}: expected order_modification {outcome}, got {data['state']}",
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
        expect(
            picked == expected,
            requirement,
            f"line {line['externalServiceRequestId']}: {picked} picked in its actuals, {expected} expected",
        )


@then("a bin_complete about the pick request follows")
def bin_complete(butler: ButlerApi, scenario: Scenario) -> None:
    """That a bin_complete follows complete is pickconform's reading (the seed shows one, not when it is sent)."""
    requirement = "BUTLER-BIN-COMPLETE"
    try:
        data = butler.next(scenario.external_id, "bin_complete", requirement)["notification_data"]
    except Violation as violation:
        record(violation)  # nothing later depends on it
        return
    states = {r["externalServiceRequestId"]: r["state"] for r in data["serviceRequests"]}
    expect(
        states.get(scenario.external_id) == "complete",
        requirement,
        f"the bin_complete should hold pick request {scenario.external_id} complete, it holds {states}",
    )


@then(parsers.re(r"the latest notification reports an? (?P<exception>[a-z_]+) container"))
def reports_container(scenario: Scenario, exception: str, requirement: str) -> None:
    holders = [scenario.latest, *scenario.latest["serviceRequests"]]
    states = [c["state"] for h in holders for c in h.get("actuals", {}).get("containers", [])]
    expect(exception in states, requirement, f"expected a container in state {exception} in the actuals, got {states}")


@then("the refused notification is delivered again")
def delivered_again(butler: ButlerApi, scenario: Scenario) -> None:
    receiver, external_id = butler.receiver, scenario.external_id

    def redelivered() -> bool:
        refused = [nid for ext, nid in receiver.refused if ext == external_id]
        accepted = {r.notification.get("notification_id") for r in receiver.by_request.get(external_id, [])}
        return bool(refused) and refused[0] in accepted

    if receiver.wait_for(redelivered, butler.target.notification_timeout):
        judged("BUTLER-NOTIFY-RETRY")
    else:
        with receiver.condition:
            refused = [nid for ext, nid in receiver.refused if ext == external_id]
        if not refused:
            raise SetupError("no notification about the pick request arrived to be refused")
        record(
            Violation(
                "BUTLER-NOTIFY-RETRY",
                f"notification {refused[0]} was answered 500 and not delivered again within "
                f"{butler.target.notification_timeout:g} s",
            )
        )


@then("every notification stream followed the lifecycle")
def followed_the_lifecycle(butler: ButlerApi) -> None:
    butler.judge()
