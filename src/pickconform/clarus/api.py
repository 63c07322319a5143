"""The Clarus API as the scenarios use it: set up data through the API itself, process picks, poll GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from pickconform.clarus.settings import CAPABILITIES, DEFAULT_PRODUCT_ATTRIBUTES
from pickconform.clarus.target import ClarusTarget, Tenant
from pickconform.determinism import Values
from pickconform.family.ready_data import ReadyData
from pickconform.http import pacing
from pickconform.personal import delivery_address
from pickconform.verdict import SetupFailed, Violation, check, expect, json_body, pointer

STATUSES = ("pending", "completed", "failed")
TERMINAL = ("completed", "failed")
DRAFT, PENDING, ALLOCATED = 1, 2, 5

SEED_QUERY = """query Poll($reference: String!) {
  pickProcessingRequests(filter: {process_reference: {eq: $reference}}) {
    edges { node { id status process_reference message created_at updated_at } }
  }
}"""
# As the vendor's "List pick processing requests" page prints it (no pagination, no id: the page shows neither).
REFERENCE_QUERY = """query($filter: PickProcessingRequestFilterType) {
  pick_processing_requests {
    all(filter: $filter) { edges { node { status process_reference message created_at } } }
  }
}"""


(RECEIVE_CREATES_STOCK,) = CAPABILITIES


@dataclass(frozen=True)
class Stock:
    """A product whose stock one test may count on: `units` available in `warehouse_id`, to this test alone."""

    product: int
    warehouse_id: int
    units: int
    ready: bool = False  # one of the profile's ready products: its `units` are what the profile declared


@dataclass
class ClarusApi:
    target: ClarusTarget
    values: Values
    ready: ReadyData | None = None  # the run's ready data (the profile's [clarus.test_data]) and the test's report
    responses: list[tuple[str, str, httpx.Response]] = field(default_factory=list)

    # --- raw calls ------------------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        tenant: Tenant | None = None,
        anonymous: bool = False,
        without_subdomain: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        if anonymous:
            client = self.target.anonymous()
        elif without_subdomain:
            client = self.target.without_subdomain()
        else:
            client = self.target.client(tenant)
        name = _created_name(method, kwargs.get("json"))
        first = name is not None and self.target.first_sends.first(name)
        response = client.request(method, self.target.rest_url + path, **kwargs)
        self.responses.append((method, path, response))
        if name is not None:
            what = f"POST {path} with reference {name}"
            self.target.first_sends.refused(name, first, self.values.run.run_id, what, response)
        return response

    def graphql(self, query: str, variables: dict[str, Any], *, tenant: Tenant | None = None) -> httpx.Response:
        client = self.target.client(tenant)
        return client.post(
            self.target.base_url + self.target.graphql_path, json={"query": query, "variables": variables}
        )

    # --- data set-up through the API ------------------------------------------------------------------------

    def create_product(self, tenant: Tenant | None = None) -> int:
        """The vendor's "Create a product": description and stock_unit_type_id (the tenant's master data) required."""
        code = self.values.reference("SKU")
        attributes = {
            "code": code,
            "description": f"pickconform test product {code}",
            **DEFAULT_PRODUCT_ATTRIBUTES,
            "external_system_reference1": code,
            **self.target.test_data.product_attributes,  # the tenant's master data, from the profile
        }
        body = {"data": {"type": "products", "attributes": attributes}}
        response = self.call("POST", "/products", json=body, tenant=tenant)
        return self._created_id(response, "create a product")

    def put_stock(self, product_id: int, quantity: int, tenant: Tenant | None = None) -> None:
        """Stock arrives the documented way: a goods-in receipt, then receiving it."""
        body = {
            "data": {
                "type": "goods_in_receipts",
                "attributes": {
                    "account_id": self.target.test_data.account_id,
                    "warehouse_id": self.target.test_data.warehouse_id,
                    "reference": self.values.reference("PO"),
                    "expected_date_of_arrival": self.values.timestamp(days=-1),
                    "lines_changes": [
                        {"type": "ADD", "attributes": {"product_id": product_id, "expected_quantity": quantity}}
                    ],
                },
            }
        }
        receipt = self._created_id(
            self.call("POST", "/goods_in_receipts", json=body, tenant=tenant), "create a receipt"
        )
        response = self.call("POST", f"/goods_in_receipts/{receipt}/receive", tenant=tenant)
        if not response.is_success:
            raise SetupFailed("receive a goods-in receipt", response)

    def stock(self, quantity: int) -> Stock:
        """A product with at least `quantity` units in stock that this test alone changes: created and received through
        the API where received stock is available at once, else one of the profile's ready products (each used by one
        test per run); neither: skipped with the reason. The report says which."""
        data = self.target.test_data
        if data.stock_in == "receive" and RECEIVE_CREATES_STOCK in self.target.capabilities:
            product = self.create_product()
            self.put_stock(product, quantity)
            self._note(f"product {product}: created, {quantity} units received (set-up through the API)")
            return Stock(product, data.warehouse_id, quantity)
        fitting = sorted((p for p in data.products if p.stock >= quantity), key=lambda p: p.stock)  # smallest first
        keys = {f"{p.id}@{data.warehouse_of(p)}": p for p in fitting}
        claimed = self.ready.claim("clarus.products", list(keys)) if self.ready is not None else None
        if claimed is None:
            why = (
                "[clarus.test_data] stock_in is none"
                if data.stock_in == "none"
                else f"the target lacks capability {RECEIVE_CREATES_STOCK} (received stock is not available at once)"
            )
            if not data.products:
                short = "[clarus.test_data] names no ready products"
            elif not fitting:
                short = f"no [clarus.test_data] product has {quantity} units"
            else:
                short = f"the {len(fitting)} [clarus.test_data] products with {quantity} units are used by other tests"
            pytest.skip(
                f"clarus: the test needs a product with {quantity} units in stock that no other test changes: {why}, "
                f"and {short} (each ready product serves one test per run)"
            )
        product = keys[claimed[0]]
        warehouse = data.warehouse_of(product)
        self._note(f"product {product.id}: [clarus.test_data] products, {product.stock} units in warehouse {warehouse}")
        return Stock(product.id, warehouse, product.stock, ready=True)

    def _note(self, line: str) -> None:
        if self.ready is not None:
            self.ready.note(line)

    def goods_out_body(self, lines: list[tuple[int, int]], **attributes: Any) -> dict[str, Any]:
        """A valid goods out (seed 001's example shape) with deterministic values; keyword arguments override."""
        body_attributes: dict[str, Any] = {
            "goods_out_type": "sales_order",
            "account_id": self.target.test_data.account_id,
            "reference": self.values.reference("SO"),
            "expected_date_of_dispatch": self.values.timestamp(days=5),
            "warehouse_id": self.target.test_data.warehouse_id,
            "priority": 1,
            "lines_changes": [
                {"type": "ADD", "attributes": {"product_id": product, "order_quantity": quantity}}
                for product, quantity in lines
            ],
        }
        body_attributes.update(attributes)
        # Derived from the run and the reference, and remembered: redacted wherever the target echoes it back.
        address = delivery_address(self.values.run, str(body_attributes.get("reference", "")))
        return {
            "data": {
                "type": "goods_outs",
                "attributes": body_attributes,
                "relationships": {"address": {"data": {"type": "addresses", "attributes": address}}},
            }
        }

    def create_goods_out(self, body: dict[str, Any], tenant: Tenant | None = None) -> httpx.Response:
        return self.call("POST", "/goods_outs", json=body, tenant=tenant)

    def goods_out(
        self,
        lines: list[tuple[int, int]],
        tenant: Tenant | None = None,
        *,
        statuses: tuple[int, ...] = (PENDING, ALLOCATED),
        **attributes: Any,
    ) -> int:
        """Create a goods out for a scenario's set-up and return its ID. A refusal is a set-up error; a goods out
        created in another status than the scenario needs (PENDING by default) is a precondition not reached."""
        response = self.create_goods_out(self.goods_out_body(lines, **attributes), tenant=tenant)
        return self.created_goods_out(response, tenant=tenant, statuses=statuses)

    def created_goods_out(
        self,
        response: httpx.Response,
        *,
        tenant: Tenant | None = None,
        statuses: tuple[int, ...] = (PENDING, ALLOCATED),
    ) -> int:
        """The ID of a goods out a set-up created; skipped when it was created in a status the scenario cannot use."""
        identifier = self._created_id(response, "create a goods out")
        status = pointer(_json_or_none(response), "/data/attributes/goods_out_status_id")
        if status is None:  # not in the answer: read it back where the target offers a read (no seed defines one)
            read = self.call("GET", f"/goods_outs/{identifier}", tenant=tenant)
            if read.is_success:
                status = pointer(_json_or_none(read), "/data/attributes/goods_out_status_id")
        if status is None and DRAFT in statuses:
            pytest.skip("precondition not reached: the target reports no goods_out_status_id, so DRAFT is unverified")
        # Without a status to read, a new goods out is taken as PENDING: seed 001's answer shows goods_out_status_id 2.
        if status is not None and status not in statuses:
            pytest.skip(
                f"precondition not reached: the goods out was created with goods_out_status_id {status!r}, "
                f"the scenario needs one of {list(statuses)}"
            )
        return identifier

    def _created_id(self, response: httpx.Response, what: str) -> int:
        if not response.is_success:
            raise SetupFailed(what, response)
        identifier = pointer(_json_or_none(response), "/data/id")
        if not isinstance(identifier, int | str) or not str(identifier).isdigit():
            raise SetupFailed(f"{what}: no numeric data.id in the answer", response)
        return int(identifier)

    # --- pick processing -------------------------------------------------------------------------------------

    def process(self, ids: Any, *, consolidate: bool = False, tenant: Tenant | None = None) -> httpx.Response:
        operation = "process_and_consolidate_picks" if consolidate else "process_picks_async"
        return self.call("POST", f"/goods_out_processes/{operation}", json={"ids": ids}, tenant=tenant)

    def find_requests(
        self, reference: str, shape: str, requirement: str
    ) -> tuple[list[dict[str, Any]], httpx.Response]:
        """The pick processing requests with this process reference, through one documented GraphQL shape; a query
        the target does not answer violates `requirement`."""
        if shape == "seed":
            response = self.graphql(SEED_QUERY, {"reference": reference})
            path = "/data/pickProcessingRequests/edges"
        else:
            response = self.graphql(REFERENCE_QUERY, {"filter": {"process_reference": {"eq": reference}}})
            path = "/data/pick_processing_requests/all/edges"
        document = json_body(response, requirement)
        check(
            response.status_code == 200,
            requirement,
            f"the {shape} GraphQL query answered {response.status_code}",
            response,
        )
        check(not document.get("errors"), requirement, f"the {shape} GraphQL query answered errors", response)
        edges = pointer(document, path)
        check(isinstance(edges, list), requirement, f"no {path} in the {shape} GraphQL answer", response)
        return [(edge.get("node") or {}) if isinstance(edge, dict) else {} for edge in edges], response

    def poll(self, reference: str) -> list[str]:
        """Poll until every request of the reference is completed or failed; returns every status observed."""
        shape = self.target.graphql_shapes[0]
        observed: list[str] = []
        deadline = self.target.patience.deadline()
        interval = 0.01
        while True:
            nodes, response = self.find_requests(reference, shape, "CLARUS-POLL-TERMINAL")
            check(
                nodes, "CLARUS-POLL-TERMINAL", f"no pick processing request has process_reference {reference}", response
            )
            statuses = [str(node.get("status")) for node in nodes]
            observed += statuses
            unknown = sorted(set(statuses) - set(STATUSES))
            # Recorded, and polling goes on: whether the request still finishes is judged on its own.
            expect(
                not unknown,
                "CLARUS-STATUS-ENUM",
                f"status {unknown[0] if unknown else ''!r} is not one of {STATUSES}",
                response,
            )
            if all(status in TERMINAL for status in statuses):
                return observed
            if pacing.deadline_passed(deadline, response):
                self.target.patience.ran_out()
                raise Violation(
                    "CLARUS-POLL-TERMINAL",
                    f"still {statuses} after {self.target.patience.last:g} s of polling (observed {observed})",
                    response,
                )
            pacing.pause(interval, response)
            interval = min(interval * 2, 0.25)


def _created_name(method: str, body: Any) -> str | None:
    """The reference (goods outs, goods-in receipts) or code (products) a create names, from the run id."""
    if method != "POST" or not isinstance(body, dict):
        return None
    for path in ("/data/attributes/reference", "/data/attributes/code"):
        value = pointer(body, path)
        if isinstance(value, str):
            return value
    return None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def goods_out_document(response: httpx.Response) -> dict[str, Any]:
    """The `data` of a goods-out JSON:API document, or a violation of CLARUS-GO-JSONAPI."""
    document = json_body(response, "CLARUS-GO-JSONAPI")
    data = document.get("data") if isinstance(document, dict) else None
    check(isinstance(data, dict), "CLARUS-GO-JSONAPI", "expected a JSON:API document {data: {...}}", response)
    check(data.get("type") == "goods_outs", "CLARUS-GO-JSONAPI", "data.type must be goods_outs", response)
    check(isinstance(data.get("attributes"), dict), "CLARUS-GO-JSONAPI", "data.attributes must be an object", response)
    identifier = data.get("id")
    check(str(identifier).isdigit(), "CLARUS-GO-JSONAPI", "data.id must be the goods out's numeric ID", response)
    return data | {"id": int(identifier)}
