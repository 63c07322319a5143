"""Step definitions for features/clarus: small steps, mutually exclusive patterns, data set up through the API."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from pickconform.clarus import checks
from pickconform.clarus.api import DRAFT, TERMINAL, ClarusApi, Stock, goods_out_document
from pickconform.clarus.spec import conforms
from pickconform.clarus.target import ClarusTarget, Tenant
from pickconform.determinism import Values
from pickconform.family.ready_data import ReadyData
from pickconform.http.auth import StaticToken
from pickconform.http.client import make_client
from pickconform.pytest_plugin import family_target
from pickconform.targets import Target
from pickconform.verdict import SetupError, check, expect, json_body, pointer


@dataclass
class Scenario:
    """What a scenario has set up and observed so far."""

    product: int | None = None
    stock: Stock | None = None  # the product's stock, when the scenario counts on it
    goods_outs: list[int] = field(default_factory=list)
    other_goods_out: int | None = None
    response: httpx.Response | None = None
    race: list[httpx.Response] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)
    request: tuple[str, str, Any] | None = None  # what an auth check sent without valid credentials: method, path, body


@pytest.fixture(scope="session")
def clarus_target(pickconform_target: Target) -> ClarusTarget:
    return family_target(pickconform_target, "clarus")


@pytest.fixture
def clarus(clarus_target: ClarusTarget, values: Values, ready_data: ReadyData) -> ClarusApi:
    return ClarusApi(clarus_target, values, ready_data)


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


# Checked beside a scenario's own requirement, each by a step that names it: the interpretation or the SHOULD that
# refines a documented requirement (written second among a scenario's tags in features/clarus).
SUPPORTING = frozenset(
    {
        "CLARUS-AUTH-401",
        "CLARUS-TENANT-ISOLATION-37",
        "CLARUS-ALLOC-ONCE-CODES",
        "CLARUS-GO-ECHO",
        "CLARUS-ONE-REF-PER-ORDER",
        "CLARUS-STATUS-ENUM",
        "CLARUS-CONSOLIDATE-ONE-REF",
    }
)


@pytest.fixture
def supporting_requirements() -> frozenset[str]:
    return SUPPORTING


def other_tenant(target: ClarusTarget) -> Tenant:
    if target.other_tenant is None:
        pytest.skip("clarus: the profile names no [clarus.other_tenant], so tenant isolation cannot be checked")
    return target.other_tenant


def references(response: httpx.Response, requirement: str = "CLARUS-PROCESS-REFERENCES") -> list[str]:
    """The process references of an accepted processing request (seed 000 §Response)."""
    check(response.status_code == 200, requirement, f"expected 200, got {response.status_code}", response)
    found = pointer(json_body(response, requirement), "/process_references")
    check(
        isinstance(found, list) and found and all(isinstance(r, str) and r for r in found),
        requirement,
        "expected process_references: a non-empty list of non-empty strings",
        response,
    )
    return found


def refused_precondition(response: httpx.Response, what: str) -> None:
    """Skip when the target refuses what a scenario needs but no document promises (it is not a conformance fault)."""
    if 400 <= response.status_code < 500:
        pytest.skip(f"precondition not reached: the target refuses {what} (answered {response.status_code})")


# --- Given ----------------------------------------------------------------------------------------------------


@given("a product exists")
def a_product(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.product = clarus.create_product()


@given(parsers.parse("a product with {quantity:d} units in stock"))
def a_product_in_stock(clarus: ClarusApi, scenario: Scenario, quantity: int) -> None:
    """At least `quantity` units, to this scenario alone: received through the API, or a ready product (whose stock
    may be larger: steps that need the exact stock say "all units")."""
    scenario.stock = clarus.stock(quantity)
    scenario.product = scenario.stock.product


def ready_stock_used_up(clarus_target: ClarusTarget, scenario: Scenario, responses: list[httpx.Response]) -> None:
    """Skip when a ready product's declared stock is no longer there: every response refused an order within it with
    error 39. On a sandbox that keeps its data an earlier run may have used its units, and the documented API has
    no read of stock to check beforehand; stock the suite received itself is judged as usual (a fail)."""
    if scenario.stock is None or not scenario.stock.ready or not responses:
        return
    codes = [pointer(_json(response), clarus_target.error_code_pointer) for response in responses]
    if all(not r.is_success for r in responses) and all(str(code) == "39" for code in codes):
        pytest.skip(
            f"precondition not established: ready product {scenario.stock.product} ([clarus.test_data]) no longer "
            f"has the {scenario.stock.units} units the profile declares (error 39); an earlier run may have used "
            "them: give each run fresh products or restock them"
        )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def ships_from(scenario: Scenario) -> dict[str, Any]:
    """The warehouse of the scenario's stock, for the goods outs that are to be allocated from it."""
    return {"warehouse_id": scenario.stock.warehouse_id} if scenario.stock is not None else {}


def all_units(scenario: Scenario) -> int:
    assert scenario.stock is not None, "the scenario has no product in stock"
    return scenario.stock.units


@given(parsers.parse("a pending goods out for {quantity:d} units of the product"))
def a_pending_goods_out(clarus: ClarusApi, scenario: Scenario, quantity: int) -> None:
    scenario.goods_outs.append(clarus.goods_out([(scenario.product, quantity)], **ships_from(scenario)))


@given("a pending goods out for all units of the product")
def a_pending_goods_out_for_all(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.goods_outs.append(clarus.goods_out([(scenario.product, all_units(scenario))], **ships_from(scenario)))


@given(parsers.parse("a pending goods out for {more:d} units more than the product has in stock"))
def a_pending_goods_out_beyond_stock(clarus: ClarusApi, scenario: Scenario, more: int) -> None:
    quantity = all_units(scenario) + more
    scenario.goods_outs.append(clarus.goods_out([(scenario.product, quantity)], **ships_from(scenario)))


@given(parsers.parse('a pending goods out for {quantity:d} units of the product picked "{pick_type}"'))
def a_pending_goods_out_picked(clarus: ClarusApi, scenario: Scenario, quantity: int, pick_type: str) -> None:
    lines = [(scenario.product, quantity)]
    scenario.goods_outs.append(clarus.goods_out(lines, pick_type=pick_type, **ships_from(scenario)))


@given("a pending goods out without lines")
def a_goods_out_without_lines(clarus: ClarusApi, scenario: Scenario) -> None:
    response = clarus.create_goods_out(clarus.goods_out_body([]))
    refused_precondition(response, "a goods out without lines")
    scenario.goods_outs.append(clarus.created_goods_out(response))


@given(parsers.parse("a draft goods out for {quantity:d} units of the product"))
def a_draft_goods_out(clarus: ClarusApi, scenario: Scenario, quantity: int) -> None:
    # Whether a client may create a DRAFT is not documented: a target that refuses or ignores the status is skipped.
    body = clarus.goods_out_body([(scenario.product, quantity)], goods_out_status_id=DRAFT, **ships_from(scenario))
    response = clarus.create_goods_out(body)
    refused_precondition(response, "a goods out created with goods_out_status_id 1 (DRAFT)")
    scenario.goods_outs.append(clarus.created_goods_out(response, statuses=(DRAFT,)))


@given("the other tenant has a pending goods out")
def other_tenant_goods_out(clarus: ClarusApi, clarus_target: ClarusTarget, scenario: Scenario) -> None:
    tenant = other_tenant(clarus_target)
    product = clarus.create_product(tenant=tenant)
    scenario.other_goods_out = clarus.goods_out([(product, 1)], tenant=tenant)


@given("its picks have been processed")
def already_processed(clarus: ClarusApi, scenario: Scenario) -> None:
    response = clarus.process([scenario.goods_outs[-1]])
    if response.status_code != 200:
        ready_stock_used_up(clarus.target, scenario, [response])
        raise SetupError("process the picks of a pending goods out with stock", response)


# --- When -----------------------------------------------------------------------------------------------------


@when("I process picks for no orders")
def process_nothing(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.process([])


@when("I process picks for an unknown goods out ID")
def process_unknown(clarus: ClarusApi, scenario: Scenario, values: Values) -> None:
    scenario.response = clarus.process([values.integer("unknown id", 9 * 10**12, 10**13)])


@when("I process picks for the other tenant's goods out")
def process_other_tenants(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.process([scenario.other_goods_out])


@when("I process picks for the goods out")
@when("I process picks for the goods out again")
def process_last(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.process([scenario.goods_outs[-1]])


@when("I process picks for all goods outs")
def process_all(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.process(scenario.goods_outs)


@when("I process and consolidate picks for all goods outs")
def consolidate_all(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.process(scenario.goods_outs, consolidate=True)


def _race(clarus: ClarusApi, id_lists: list[list[int]]) -> list[httpx.Response]:
    """Send the requests from separate threads, released together by a barrier."""
    barrier = threading.Barrier(len(id_lists))

    def send(ids: list[int]) -> httpx.Response:
        barrier.wait()
        return clarus.process(ids)

    with ThreadPoolExecutor(len(id_lists)) as pool:
        return list(pool.map(send, id_lists))


@when("two clients process picks for the same goods out at the same moment")
def race_same_order(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.race = _race(clarus, [[scenario.goods_outs[-1]]] * 2)


@when("two clients each process picks for one of the goods outs at the same moment")
def race_for_stock(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.race = _race(clarus, [[goods_out] for goods_out in scenario.goods_outs[:2]])


@when("I create a valid goods out without the subdomain header")
def create_without_subdomain(clarus: ClarusApi, scenario: Scenario) -> None:
    body = clarus.goods_out_body([(scenario.product, 1)])
    scenario.response = clarus.call("POST", "/goods_outs", json=body, without_subdomain=True)


@when("I process picks for the goods out without a token")
def process_anonymously(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.request = ("POST", "/goods_out_processes/process_picks_async", {"ids": scenario.goods_outs[:1]})
    method, path, body = scenario.request
    scenario.response = clarus.call(method, path, json=body, anonymous=True)


@when("I process picks for the goods out with an invalid token")
def process_with_bad_token(clarus_target: ClarusTarget, scenario: Scenario, values: Values) -> None:
    bad = Tenant(clarus_target.tenant.subdomain, StaticToken(f"invalid-{values.token('token', 24)}"))
    scenario.request = ("POST", "/goods_out_processes/process_picks_async", {"ids": scenario.goods_outs[:1]})
    method, path, body = scenario.request
    with make_client(clarus_target.base_url, clarus_target.wire) as client:
        client.headers["X-Clarus-Subdomain"] = bad.subdomain
        client.headers["Authorization"] = f"Bearer {bad.credentials.token}"  # type: ignore[union-attr]
        scenario.response = client.request(method, clarus_target.rest_url + path, json=body)


@when("I create a valid goods out without a token")
def create_anonymously(clarus: ClarusApi, scenario: Scenario) -> None:
    assert scenario.product is not None, "the scenario has no product"
    scenario.request = ("POST", "/goods_outs", clarus.goods_out_body([(scenario.product, 1)]))
    method, path, body = scenario.request
    scenario.response = clarus.call(method, path, json=body, anonymous=True)


@when("I read the other tenant's goods out")
def read_other_tenants(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.call("GET", f"/goods_outs/{scenario.other_goods_out}")


@when("I poll the pick processing requests until they finish")
def poll(clarus: ClarusApi, scenario: Scenario) -> None:
    for reference in references(scenario.response):
        scenario.observed += clarus.poll(reference)


@when("I poll the pick processing requests of the order without lines until they finish")
def poll_empty_order(clarus: ClarusApi, scenario: Scenario) -> None:
    # Refusing to process an order without lines is as reasonable as failing its pick list: nothing to poll then.
    refused_precondition(scenario.response, "to process a goods out without lines")
    for reference in references(scenario.response):
        scenario.observed += clarus.poll(reference)


@when("I create a valid goods out")
def create_valid(clarus: ClarusApi, scenario: Scenario) -> None:
    scenario.response = clarus.create_goods_out(clarus.goods_out_body([(scenario.product, 3)]))


@when(parsers.parse('I create a goods out without "{attribute}"'))
def create_without(clarus: ClarusApi, scenario: Scenario, attribute: str) -> None:
    body = clarus.goods_out_body([(scenario.product, 1)])
    del body["data"]["attributes"][attribute]
    scenario.response = clarus.create_goods_out(body)


@when(parsers.parse('I create a goods out with goods_out_type "{value}"'))
def create_with_type(clarus: ClarusApi, scenario: Scenario, value: str) -> None:
    scenario.response = clarus.create_goods_out(clarus.goods_out_body([(scenario.product, 1)], goods_out_type=value))


@when("I create a goods out with the address in its attributes")
def create_with_address_attribute(clarus: ClarusApi, scenario: Scenario) -> None:
    body = clarus.goods_out_body([(scenario.product, 1)])
    body["data"]["attributes"]["address"] = body["data"].pop("relationships")["address"]["data"]["attributes"]
    scenario.response = clarus.create_goods_out(body)


@when(parsers.parse("I create a goods out with a reference of {length:d} characters"))
def create_with_reference_length(clarus: ClarusApi, scenario: Scenario, values: Values, length: int) -> None:
    reference = (values.reference("SO") + "-" + "x" * length)[:length]
    scenario.response = clarus.create_goods_out(clarus.goods_out_body([(scenario.product, 1)], reference=reference))


@when(parsers.parse('I create a goods out with country code "{code}"'))
def create_with_country(clarus: ClarusApi, scenario: Scenario, code: str) -> None:
    body = clarus.goods_out_body([(scenario.product, 1)])
    body["data"]["relationships"]["address"]["data"]["attributes"]["country_code"] = code
    scenario.response = clarus.create_goods_out(body)


# --- Then -----------------------------------------------------------------------------------------------------


@then(parsers.parse("the request is refused with error {code:d}"))
def refused_with(clarus_target: ClarusTarget, scenario: Scenario, code: int) -> None:
    checks.error_code(scenario.response, clarus_target, code)


@then("the request is refused")
def refused(scenario: Scenario, requirement: str) -> None:
    checks.refused(scenario.response, requirement, "the request")


@then("a goods out for all units of the product can still be processed")
def still_processable(clarus: ClarusApi, scenario: Scenario) -> None:
    goods_out = clarus.goods_out([(scenario.product, all_units(scenario))], **ships_from(scenario))
    response = clarus.process([goods_out])
    ready_stock_used_up(clarus.target, scenario, [response])
    expect(
        response.status_code == 200,
        "CLARUS-ERR-39",
        f"the stock the refused request asked for could not be processed afterwards (answered {response.status_code})",
        response,
    )


@then("each goods out gets its own process reference")
def own_references(scenario: Scenario) -> None:
    found = references(scenario.response)
    expected = len(scenario.goods_outs)
    expect(
        len(found) == expected and len(set(found)) == expected,
        "CLARUS-ONE-REF-PER-ORDER",
        f"{expected} orders processed: expected {expected} distinct process references, got {found}",
        scenario.response,
    )


@then("the goods outs share one process reference")
def one_reference(scenario: Scenario) -> None:
    found = references(scenario.response, "CLARUS-ERR-318")
    expect(
        len(found) == 1,
        "CLARUS-CONSOLIDATE-ONE-REF",
        f"expected one consolidated process reference, got {found}",
        scenario.response,
    )


@then("every pick processing request completed")
def all_completed(scenario: Scenario) -> None:
    final = scenario.observed[-1:]
    expect(final == ["completed"], "CLARUS-POLL-TERMINAL", f"expected completed, observed {scenario.observed}")


@then("every pick processing request finished")
def all_finished(scenario: Scenario) -> None:
    expect(
        scenario.observed[-1:] and scenario.observed[-1] in TERMINAL,
        "CLARUS-POLL-TERMINAL",
        f"expected completed or failed, observed {scenario.observed}",
    )


@then("every status observed was pending, completed or failed")
def statuses_documented(scenario: Scenario) -> None:
    unknown = sorted(set(scenario.observed) - {"pending", "completed", "failed"})
    expect(scenario.observed and not unknown, "CLARUS-STATUS-ENUM", f"undocumented statuses observed: {unknown}")


@then("both GraphQL query shapes find the pick processing request")
def both_shapes(clarus: ClarusApi, clarus_target: ClarusTarget, scenario: Scenario) -> None:
    if len(clarus_target.graphql_shapes) < 2:
        pytest.skip(f"clarus: the profile declares only the {clarus_target.graphql_shapes[0]} GraphQL shape")
    found = references(scenario.response)
    reference = found[0]
    for shape in clarus_target.graphql_shapes:
        nodes, response = clarus.find_requests(reference, shape, "CLARUS-GQL-SHAPES")
        expect(
            nodes and all(node.get("process_reference") == reference for node in nodes),
            "CLARUS-GQL-SHAPES",
            f"the {shape} query shape did not find the request {reference} (and only it)",
            response,
        )


@then("every response conformed to the Clarus specification")
def responses_conform(clarus: ClarusApi) -> None:
    for method, path, response in clarus.responses:
        conforms(method, path, response)  # records each that does not, so one does not hide the next


def _one_wins(target: ClarusTarget, race: list[httpx.Response], code: int) -> None:
    winners = [r for r in race if r.status_code == 200]
    check(
        len(winners) == 1,
        "CLARUS-ALLOC-ONCE",
        f"{len(winners)} of {len(race)} simultaneous requests succeeded: allocated {len(winners)} times",
        (winners or race)[-1],
    )
    loser = next(r for r in race if r.status_code != 200)
    checks.refused(loser, "CLARUS-ALLOC-ONCE", "the other simultaneous request")
    checks.error_code(loser, target, code, "CLARUS-ALLOC-ONCE-CODES")


@then("exactly one succeeds and the other is refused with error 59")
def one_allocates_the_order(clarus_target: ClarusTarget, scenario: Scenario) -> None:
    _one_wins(clarus_target, scenario.race, 59)


@then("exactly one succeeds and the other is refused with error 39")
def one_gets_the_stock(clarus_target: ClarusTarget, scenario: Scenario) -> None:
    ready_stock_used_up(clarus_target, scenario, scenario.race)
    _one_wins(clarus_target, scenario.race, 39)


@then("the request is refused as unauthorized")
def unauthorized(scenario: Scenario) -> None:
    checks.refused(scenario.response, "CLARUS-AUTH-REQUIRED", "a request without a valid token")
    expect(
        scenario.response.status_code == 401,
        "CLARUS-AUTH-401",
        f"expected 401 Unauthorized, got {scenario.response.status_code}",
        scenario.response,
    )


@then("the same request with valid credentials is accepted")
def accepted_with_credentials(clarus: ClarusApi, scenario: Scenario) -> None:
    """The control of an auth check: the request it sent would have succeeded with the tenant's credentials. Refused
    with them too, the refusal without them said nothing about authentication: the check is skipped, not passed."""
    assert scenario.request is not None, "the scenario sent no request without credentials"
    method, path, body = scenario.request
    control = clarus.call(method, path, json=body)
    if not control.is_success:
        pytest.skip(
            f"precondition not reached: {method} {path} with valid credentials was refused too "
            f"(answered {control.status_code}), so its refusal without them judged nothing about authentication"
        )


@then("the refusal is error 37 as for an unknown ID")
def refused_as_unknown(clarus_target: ClarusTarget, scenario: Scenario) -> None:
    checks.error_code(scenario.response, clarus_target, 37, "CLARUS-TENANT-ISOLATION-37")


@then("the goods out is not found")
def not_found(scenario: Scenario) -> None:
    # 404 or 403, or no such read at all (no seed defines it): anything but answering with the order.
    checks.refused(scenario.response, "CLARUS-TENANT-ISOLATION", "reading another tenant's goods out")


@then("the goods out is created as a JSON:API document")
def created_as_jsonapi(clarus: ClarusApi, scenario: Scenario) -> None:
    response = scenario.response
    check(response.status_code in (200, 201), "CLARUS-GO-JSONAPI", "expected 200 or 201", response)
    data = goods_out_document(response)
    sent: dict[str, Any] = json.loads(response.request.content)["data"]["attributes"]
    attributes = data["attributes"]
    for name in ("reference", "goods_out_type", "account_id"):
        expect(
            attributes.get(name) == sent[name],
            "CLARUS-GO-ECHO",
            f"attributes.{name} is {attributes.get(name)!r}, sent {sent[name]!r}",
            response,
        )
    expect(
        attributes.get("goods_out_status_id") == 2,
        "CLARUS-GO-ECHO",
        f"a new goods out is goods_out_status_id {attributes.get('goods_out_status_id')!r}, not 2 (PENDING)",
        response,
    )


@then("the goods out is accepted")
def accepted(scenario: Scenario, requirement: str) -> None:
    check(scenario.response.is_success, requirement, "expected the goods out to be created", scenario.response)


@then("the goods out is refused")
def goods_out_refused(scenario: Scenario, requirement: str) -> None:
    checks.refused(scenario.response, requirement, "the goods out")
