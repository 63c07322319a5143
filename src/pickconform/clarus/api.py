"""The Clarus API as the scenarios use it: set up data through the API itself, process picks, poll GraphQL."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from pickconform import pacing
from pickconform.clarus.target import ClarusTarget, Tenant
from pickconform.determinism import Values
from pickconform.verdict import SetupFailed, Violation, check, json_body, pointer

STATUSES = ("pending", "completed", "failed")
TERMINAL = ("completed", "failed")

SEED_QUERY = """query Poll($reference: String!) {
  pickProcessingRequests(filter: {process_reference: {eq: $reference}}) {
    edges { node { id status process_reference message created_at updated_at } }
  }
}"""
REFERENCE_QUERY = """query Poll($filter: PickProcessingRequestFilterType, $first: Int, $after: String) {
  pick_processing_requests {
    all(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id status process_reference message created_at updated_at } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


@dataclass
class ClarusApi:
    target: ClarusTarget
    values: Values
    responses: list[tuple[str, str, httpx.Response]] = field(default_factory=list)

    # --- raw calls ------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, tenant: Tenant | None = None, anonymous: bool = False, **kwargs: Any):
        client = self.target.anonymous() if anonymous else self.target.client(tenant)
        response = client.request(method, self.target.rest_url + path, **kwargs)
        self.responses.append((method, path, response))
        return response

    def graphql(self, query: str, variables: dict[str, Any], *, tenant: Tenant | None = None) -> httpx.Response:
        client = self.target.client(tenant)
        return client.post(
            self.target.base_url + self.target.graphql_path, json={"query": query, "variables": variables}
        )

    # --- data set-up through the API ------------------------------------------------------------------------

    def create_product(self, tenant: Tenant | None = None) -> int:
        code = self.values.reference("SKU")
        body = {"data": {"type": "products", "attributes": {"product_code": code, "external_system_reference1": code}}}
        response = self.call("POST", "/products", json=body, tenant=tenant)
        return self._created_id(response, "create a product")

    def put_stock(self, product_id: int, quantity: int, warehouse_id: int = 1, tenant: Tenant | None = None) -> None:
        """Stock arrives the documented way: a goods-in receipt, then receiving it."""
        body = {
            "data": {
                "type": "goods_in_receipts",
                "attributes": {
                    "account_id": 1,
                    "warehouse_id": warehouse_id,
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

    def goods_out_body(self, lines: list[tuple[int, int]], **attributes: Any) -> dict[str, Any]:
        """A valid goods out (seed 001's example shape) with deterministic values; keyword arguments override."""
        body_attributes: dict[str, Any] = {
            "goods_out_type": "sales_order",
            "account_id": 1,
            "reference": self.values.reference("SO"),
            "expected_date_of_dispatch": self.values.timestamp(days=5),
            "warehouse_id": 1,
            "priority": 1,
            "lines_changes": [
                {"type": "ADD", "attributes": {"product_id": product, "order_quantity": quantity}}
                for product, quantity in lines
            ],
        }
        body_attributes.update(attributes)
        address = {
            "name": f"Customer {self.values.token('name', 6)}",
            "address_1": f"{self.values.integer('street', 1, 999)} Main Street",
            "postcode": "AB1 2CD",
            "country_code": "GB",
            "email_address": f"{self.values.token('email', 6)}@example.com",
            "phone_number": "+44 20 7946 0958",
        }
        return {
            "data": {
                "type": "goods_outs",
                "attributes": body_attributes,
                "relationships": {"address": {"data": {"type": "addresses", "attributes": address}}},
            }
        }

    def create_goods_out(self, body: dict[str, Any], tenant: Tenant | None = None) -> httpx.Response:
        return self.call("POST", "/goods_outs", json=body, tenant=tenant)

    def goods_out(self, lines: list[tuple[int, int]], tenant: Tenant | None = None, **attributes: Any) -> int:
        """Create a goods out and return its ID; a non-JSON:API answer violates CLARUS-GO-JSONAPI."""
        response = self.create_goods_out(self.goods_out_body(lines, **attributes), tenant=tenant)
        if not response.is_success:
            raise SetupFailed("create a goods out", response)
        return goods_out_document(response)["id"]

    def _created_id(self, response: httpx.Response, what: str) -> int:
        if not response.is_success:
            raise SetupFailed(what, response)
        identifier = pointer(json_body(response, "CLARUS-SCHEMA"), "/data/id")
        if not isinstance(identifier, int | str) or not str(identifier).isdigit():
            raise SetupFailed(f"{what}: no data.id in the answer", response)
        return int(identifier)

    # --- pick processing -------------------------------------------------------------------------------------

    def process(self, ids: Any, *, consolidate: bool = False, tenant: Tenant | None = None) -> httpx.Response:
        operation = "process_and_consolidate_picks" if consolidate else "process_picks_async"
        return self.call("POST", f"/goods_out_processes/{operation}", json={"ids": ids}, tenant=tenant)

    def find_requests(self, reference: str, shape: str) -> tuple[list[dict[str, Any]], httpx.Response]:
        """The pick processing requests with this process reference, through one documented GraphQL shape."""
        if shape == "seed":
            response = self.graphql(SEED_QUERY, {"reference": reference})
            path = "/data/pickProcessingRequests/edges"
        else:
            variables = {"filter": {"process_reference": {"eq": reference}}, "first": 50}
            response = self.graphql(REFERENCE_QUERY, variables)
            path = "/data/pick_processing_requests/all/edges"
        requirement = "CLARUS-GQL-SHAPES" if shape == "reference" else "CLARUS-POLL-TERMINAL"
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
        return [edge.get("node") or {} for edge in edges], response

    def poll(self, reference: str) -> list[str]:
        """Poll until every request of the reference is completed or failed; returns every status observed."""
        shape = self.target.graphql_shapes[0]
        observed: list[str] = []
        deadline = time.monotonic() + self.target.poll_timeout
        interval = 0.01
        while True:
            nodes, response = self.find_requests(reference, shape)
            check(
                nodes, "CLARUS-POLL-TERMINAL", f"no pick processing request has process_reference {reference}", response
            )
            statuses = [str(node.get("status")) for node in nodes]
            observed += statuses
            unknown = sorted(set(statuses) - set(STATUSES))
            check(
                not unknown,
                "CLARUS-STATUS-ENUM",
                f"status {unknown[0] if unknown else ''!r} is not one of {STATUSES}",
                response,
            )
            if all(status in TERMINAL for status in statuses):
                return observed
            if pacing.deadline_passed(deadline, response):
                raise Violation(
                    "CLARUS-POLL-TERMINAL",
                    f"still {statuses} after {self.target.poll_timeout:.0f}s of polling (observed {observed})",
                    response,
                )
            pacing.pause(interval)
            interval = min(interval * 2, 0.25)


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
