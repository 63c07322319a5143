"""Vendor fidelity (issue 10): the specs agree with the vendors' own references.

Two tables, each read by one parametrized test:

- EXAMPLES: every example printed in the seeds and on the vendor pages the specs rely on, copied verbatim, with its
  source, validated against our specs: REST bodies against the operation's request or response schema in
  specs/<family>/openapi.yaml (JSON Schema 2020-12, RFC 3339 date-times checked), GraphQL queries against
  specs/clarus/schema.graphql (graphql-core `validate`, variables coerced, a printed answer executed against the
  schema). The seed copies are checked against the seeds when ../shared/seeds is beside the checkout.
- FACTS: each vendor fact the suite encodes, read back from specs/ (and from the suite's check table where it keeps
  one), so that a spec that drifts from the vendor fails here.

Where the examples come from (read through the project's search tool, a stored copy of the public pages):
- Clarus WMS: documentation.claruswms.com (the "pages" corpus; the "docs" corpus holds no Clarus page): "Process picks
  asynchronously" (the same page as seed 000), "Process and consolidate picks", "List pick processing requests",
  "Create a product", Core Resources "Product", "Goods Out" and "Goods in receipt", "Create a goods in receipt" (its
  response is cut short in the stored copy: not used), "Receive a goods in receipt", "Short order lines" (an error
  body), and the knowledge-base page "API polling updates" (pagination). No page gives an HTTP status or a body for
  errors, and no page defines GET /goods_outs/{id}.
- Emporix: emporix/api-references, orders/pick-pack/api-reference/api.yml (commit 4d9a5f85), and its rendered
  Recalculations page (the same examples as seed 003); the 2021 v1 page (docs.emporix.com/doc/pickpack) lists the
  v1 error fields but prints no complete error example.
- GreyOrange Butler: seed 004 (GreyMatter v10.1.0), whose 22 examples tests/selftest/test_butler_examples.py validates
  (not repeated here); the v9.0.0-v9.0.2 pick pages (and the current pick_pack.rst source, for the same endpoint)
  give the create's status codes (":statuscode 200: No error", ":statuscode 400: Bad data"), checked below as a fact;
  no page found gives the status codes of cancel or modify.

Issue 18 added facts from: GreyOrange's Service Request Object page (v9.0.0, v9.0.1: externalServiceRequestId is
optional), seed 004 (times "in ISO 8601 datetime format"), the Emporix api.yml (nothing required in the recalculation
job responses; the events timestamp pattern `yyyy-MM-dd'T'HH:mm:ssZ`; the two 401 examples) and its pick-pack README
(deprecated 26 May 2026, removed 24 August 2026), and the Clarus knowledge base's API authentication page (the token
URL). Each of those facts is also run against a copy of the spec with the old reading put back, and must fail there.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import graphql
import jsonschema
import pytest
import yaml
from graphql.execution.values import get_variable_values

from pickconform.catalogue import catalogue
from pickconform.clarus.checks import ERRORS
from pickconform.paths import ROOT, SPECS

SEEDS = ROOT.parent / "shared" / "seeds"
SPEC = {family: yaml.safe_load((SPECS / family / "openapi.yaml").read_text()) for family in ("clarus", "emporix")}
BUTLER = yaml.safe_load((SPECS / "butler" / "openapi.yaml").read_text())
# Read by the facts of issue 18, which a test also runs against copies with the old readings put back.
SPEC["butler"] = BUTLER
SPEC["clarus-oauth"] = yaml.safe_load((SPECS / "clarus" / "oauth.yaml").read_text())
METHODS = ("get", "post", "put", "patch", "delete")


# --- how an example is validated ----------------------------------------------------------------------------------

FORMATS = jsonschema.FormatChecker()
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # a real date and time (ValueError otherwise)
    return True


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def _resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def body_schema(target: str) -> tuple[dict[str, Any], str | None]:
    """`family METHOD /path` (the request body) or `family METHOD /path STATUS` (that response's body): the spec and
    a JSON pointer to the body's schema there, None where the spec gives the body no schema (any body is accepted)."""
    family, method, path, *status = target.split()
    spec = SPEC[family]
    pointer = f"#/paths/{_escape(path)}/{method.lower()}/" + (f"responses/{status[0]}" if status else "requestBody")
    node = _resolve(spec, pointer)
    while "$ref" in node:
        pointer = node["$ref"]
        node = _resolve(spec, pointer)
    if "application/json" not in node.get("content", {}):
        return spec, None
    return spec, f"{pointer}/content/application~1json/schema"


def schema_errors(target: str, document: Any) -> list[str]:
    spec, pointer = body_schema(target)
    if pointer is None:
        return []
    validator = jsonschema.Draft202012Validator({"$ref": pointer, **spec}, format_checker=FORMATS)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


@cache
def clarus_graphql() -> graphql.GraphQLSchema:
    return graphql.build_schema((SPECS / "clarus" / "schema.graphql").read_text())


def graphql_errors(query: str, variables: dict[str, Any] | None = None, answer: dict[str, Any] | None = None) -> list:
    """The query validates against our SDL, its variables coerce to their declared types, and a printed answer is
    one our schema can give: executed with the answer's data as the root, it comes back whole and without errors."""
    schema = clarus_graphql()
    document = graphql.parse(query)
    errors: list[Any] = list(graphql.validate(schema, document))
    if errors:
        return errors
    operation = next(d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode))
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return coerced
    if answer is not None:
        result = graphql.graphql_sync(schema, query, root_value=answer["data"], variable_values=variables)
        errors += result.errors or []
        if result.data != answer["data"]:
            errors.append(f"the answer does not come back whole: {result.data!r}")
    return errors


def every(family: str, status: str) -> tuple[str, ...]:
    """Every operation of the family that documents `status`, as `family METHOD /path STATUS`."""
    return tuple(
        f"{family} {method.upper()} {path} {status}"
        for path, methods in SPEC[family]["paths"].items()
        for method, operation in methods.items()
        if method in METHODS and status in operation["responses"]
    )


@dataclass(frozen=True)
class Example:
    what: str
    source: str  # the seed file and section, or the vendor page/file, and what it says
    text: str  # verbatim, as printed (`language` says how to read it)
    against: tuple[str, ...] = ()  # `family METHOD /path [STATUS]`; empty for GraphQL
    language: str = "json"  # json | yaml (api.yml) | graphql
    variables: str = ""  # GraphQL: the variables printed with the query
    answer: str = ""  # GraphQL: the answer printed with the query
    printed: bool = True  # False: composed by us from a pattern the source prints (`source` says which)

    @property
    def seed(self) -> str | None:
        """The seed file's number (`000`...) when the source is a seed."""
        found = re.match(r"seed (\d{3})\b", self.source)
        return found.group(1) if found else None

    @property
    def name(self) -> str:
        origin = f"seed {self.seed}" if self.seed else self.source.split()[0].rstrip(":")
        return f"{origin}: {self.what}"

    def document(self) -> Any:
        return yaml.safe_load(self.text) if self.language == "yaml" else json.loads(self.text)


# --- the examples, verbatim ---------------------------------------------------------------------------------------

SEED_000_IDS = """{
  "ids": [
    1,
    2,
    3
  ]
}"""
SEED_000_REFERENCES = """{
  "process_references": [
    "abc123def456"
  ]
}"""
SEED_000_QUERY = """query {
  pickProcessingRequests(filter: { process_reference: { eq: "abc123def456" } }) {
    edges {
      node {
        id
        status
        process_reference
        message
        created_at
        updated_at
      }
    }
  }
}"""

SEED_001_GOODS_OUT = """{
"data": {
"type": "goods_outs",
"attributes": {
"goods_out_type": "sales_order",
"account_id": 1,
"reference": "SO-001",
"expected_date_of_dispatch": "2024-01-20T10:00:00Z",
"warehouse_id": 1,
"priority": 1,
"lines_changes": [
{
"type": "ADD",
"attributes": {
"product_id": 123,
"order_quantity": 10
}
}
]
},
"relationships": {
"address": {
"data": {
"type": "addresses",
"attributes": {
"name": "John Smith",
"address_1": "123 Main Street",
"postcode": "AB1 2CD",
"country_code": "GB",
"email_address": "[email protected]",
"phone_number": "+44 20 7946 0958"
}
}
}
}
}
}"""
SEED_001_CREATED = """{
"data": {
"id": 123,
"type": "goods_outs",
"attributes": {
"account_id": 1,
"expected_date_of_dispatch": "2024-01-20T10:00:00Z",
"goods_out_type": "sales_order",
"reference": "ORD-001",
"actual_date_of_dispatch": "2024-01-20T14:30:00Z",
"boolean1": true,
"boolean2": true,
"boolean3": true,
"boolean4": true,
"boolean5": true,
"carrier_id": 5,
"carrier_service_id": 12,
"customer_id": 42,
"datetime1": "2024-01-20T10:00:00Z",
"datetime2": "2023-11-07T05:31:56Z",
"datetime3": "2023-11-07T05:31:56Z",
"datetime4": "2023-11-07T05:31:56Z",
"datetime5": "2023-11-07T05:31:56Z",
"delivery_notes": "Leave at reception if no answer",
"dispatch_strategy": "auto",
"drop_sequence": 3,
"external_system_reference1": "EXT-001",
"external_system_reference2": "<string>",
"external_system_reference3": "<string>",
"goods_out_status_id": 2,
"integer1": 123,
"integer2": 123,
"integer3": 123,
"integer4": 123,
"integer5": 123,
"integration_id": 7,
"lines_changes": [
{
"attributes": {
"alt_line_note": "<string>",
"alt_line_number": "<string>",
"alt_line_reference": "<string>",
"alt_product_code": "<string>",
"boolean1": true,
"boolean2": true,
"boolean3": true,
"boolean4": true,
"boolean5": true,
"carrier_id": 5,
"carrier_service_id": 12,
"datetime1": "2023-11-07T05:31:56Z",
"datetime1_from": "2023-11-07T05:31:56Z",
"datetime1_to": "2023-11-07T05:31:56Z",
"datetime2": "2023-11-07T05:31:56Z",
"datetime2_from": "2023-11-07T05:31:56Z",
"datetime2_to": "2023-11-07T05:31:56Z",
"datetime3": "2023-11-07T05:31:56Z",
"datetime3_from": "2023-11-07T05:31:56Z",
"datetime3_to": "2023-11-07T05:31:56Z",
"datetime4": "2023-11-07T05:31:56Z",
"datetime4_from": "2023-11-07T05:31:56Z",
"datetime4_to": "2023-11-07T05:31:56Z",
"datetime5": "2023-11-07T05:31:56Z",
"datetime5_from": "2023-11-07T05:31:56Z",
"datetime5_to": "2023-11-07T05:31:56Z",
"external_system_reference1": "<string>",
"external_system_reference2": "<string>",
"external_system_reference3": "<string>",
"goods_in_receipt_line_id": 123,
"integer1": 123,
"integer2": 123,
"integer3": 123,
"integer4": 123,
"integer5": 123,
"order_quantity": 1,
"ordered_configurations_quantity": 1,
"product_id": 123,
"stock_description": "<string>",
"stock_to_pick_id": 123,
"storage_unit_reference": "<string>",
"string1": "<string>",
"string2": "<string>",
"string3": "<string>",
"string4": "<string>",
"string5": "<string>"
},
"id": 123
}
],
"load_reference": "LOAD-2024-001",
"location_id": 100,
"order_notes": "Priority customer - handle with care",
"order_type_id": 1,
"original_delivery_address_id": 123,
"pack_strategy": "pack_by_line",
"packing_notes": "Use fragile stickers",
"pick_notes": "Check expiry dates",
"pick_reference": "PICK-BATCH-001",
"pick_type": "standard",
"priority": 1,
"short_order_lines_description": "<string>",
"short_order_lines_reason_code_id": 123,
"string1": "<string>",
"string2": "<string>",
"string3": "<string>",
"string4": "<string>",
"string5": "<string>",
"warehouse_id": 1
}
}
}"""

SEED_003_TRIGGER = """{
  "jobType": "MANUAL",
  "orderIds": [
    "03DV9N3R",
    "5XS34VOB",
    "JGPZWWLA",
    "JGPZWWLA",
    "09FFWHA2",
    "1B70WHY7"
  ]
}"""
SEED_003_JOB_ID = """{
  "jobId": "text"
}"""
SEED_003_JOB = """{
  "id": "123",
  "jobType": "MANUAL",
  "orders": [
    {
      "orderId": "123",
      "message": "Order recalculated successfully",
      "jobOrderStatus": "SUCCESS"
    }
  ],
  "jobStatus": "SUCCESS",
  "startedAt": "2021-03-04T13:45:00.883Z",
  "finishedAt": "2021-03-04T13:45:00.883Z"
}"""

CONSOLIDATE_REQUEST = """{
  "ids": [101, 102, 103],
  "goods_out_pick_list_attributes": {
    "goods_out_pick_list_reference": "BATCH-2024-001",
    "expected_date_of_dispatch": "2024-01-20T14:00:00Z",
    "goods_out_bay_id": 42
  }
}"""
CONSOLIDATE_QUERY = """query {
  pickProcessingRequests(filter: { process_reference: { eq: "abc123def456" } }) {
    edges {
      node {
        id
        status
        process_reference
        message
      }
    }
  }
}"""

LIST_CURL_BODY = """{
  "query": "query($filter: PickProcessingRequestFilterType) { pick_processing_requests { all(filter: $filter) { edges { node { status process_reference message goods_out { id reference } created_at } } } } }"
}"""  # noqa: E501 (the vendor prints the query as one line)
LIST_QUERY = """query($filter: PickProcessingRequestFilterType) {
  pick_processing_requests {
    all(filter: $filter) {
      edges {
        node {
          status
          process_reference
          message
          goods_out { id reference }
          created_at
        }
      }
    }
  }
}"""
LIST_FILTER = """{
  "filter": {
    "goods_out_id": {
      "eq": "value"
    }
  }
}"""
LIST_ANSWER = """{
  "data": {
    "pick_processing_requests": {
      "all": {
        "edges": [
          {
            "node": {
              "status": "completed",
              "process_reference": "PPR-2026-004417",
              "message": "Pick processing completed successfully",
              "goods_out": {
                "id": "3301",
                "reference": "SO-2026-008812"
              },
              "created_at": "2026-06-15T09:14:02Z"
            }
          }
        ]
      }
    }
  }
}"""
# Composed: the cursor connection the "API polling updates" page prints for sites
# (`all(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id code name } } }`),
# applied to the two pick processing request shapes.
PAGED_ALL_QUERY = """query($filter: PickProcessingRequestFilterType, $first: Int, $after: String) {
  pick_processing_requests {
    all(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          status
          process_reference
          goods_out { id reference }
        }
      }
    }
  }
}"""
PAGED_SEED_QUERY = """query($first: Int, $after: String) {
  pickProcessingRequests(filter: { process_reference: { eq: "abc123def456" } }, first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        status
      }
    }
  }
}"""
PAGED_VARIABLES = """{"filter": {"status": {"eq": "pending"}}, "first": 50, "after": "MjExOA=="}"""

PRODUCT_REQUEST = """{
    "data": {
      "type": "products",
      "attributes": {
        "code": "SKU-001",
        "description": "Widget A - Standard Size",
        "stock_unit_type_id": 1,
        "barcode": "5012345678901"
      }
    }
  }"""
PRODUCT_CREATED = """{
  "data": {
    "id": 123,
    "type": "products",
    "attributes": {
      "description": "<string>",
      "stock_unit_type_id": 123,
      "code": "<string>",
      "long_description": "<string>",
      "barcode": "<string>",
      "case_barcode": "<string>",
      "inner_barcode": "<string>",
      "outer_barcode": "<string>",
      "commodity_code": "<string>",
      "country_of_manufacture": "<string>",
      "customs_description": "<string>",
      "shelf_life_min": 2,
      "shelf_life_max": 2,
      "stop": true,
      "obsolete": 123,
      "specific_gravity": 123,
      "output_quantity": 1,
      "assemble_on_pick": true,
      "require_dimensions_on_receipt": true,
      "non_hazardous_for_transport": true,
      "external_system_reference1": "<string>",
      "external_system_reference2": "<string>",
      "external_system_reference3": "<string>",
      "string1": "<string>",
      "string2": "<string>",
      "string3": "<string>",
      "string4": "<string>",
      "string5": "<string>",
      "integer1": 123,
      "integer2": 123,
      "integer3": 123,
      "integer4": 123,
      "integer5": 123,
      "datetime1": "2023-11-07T05:31:56Z",
      "datetime2": "2023-11-07T05:31:56Z",
      "datetime3": "2023-11-07T05:31:56Z",
      "datetime4": "2023-11-07T05:31:56Z",
      "datetime5": "2023-11-07T05:31:56Z",
      "boolean1": true,
      "boolean2": true,
      "boolean3": true,
      "boolean4": true,
      "boolean5": true
    }
  }
}"""
RECEIPT_REQUEST = """{
  "data": {
    "type": "goods_in_receipts",
    "attributes": {
      "account_id": 1,
      "warehouse_id": 1,
      "reference": "PO-001",
      "expected_date_of_arrival": "2024-01-15T10:00:00Z",
      "lines_changes": [
        {
          "type": "ADD",
          "attributes": {
            "product_id": 123,
            "expected_quantity": 100
          }
        }
      ]
    },
    "relationships": {
      "address": {
        "data": {
          "type": "addresses",
          "attributes": {
            "name": "Warehouse Receiving",
            "address_1": "100 Industrial Park Way",
            "address_3": "Manchester",
            "postcode": "M1 1AA",
            "country_code": "GB",
            "email_address": "[email protected]",
            "phone_number": "+44 20 7946 0958"
          }
        }
      }
    }
  }
}"""
RECEIPT_RECEIVED = """{
  "data": {
    "id": 1,
    "type": "goods_in_receipts",
    "attributes": {
      "account_id": 1,
      "warehouse_id": 1,
      "reference": "PO-2024-001",
      "status": "received"
    }
  }
}"""
CLARUS_ERROR = """{
  "error": "<string>"
}"""

# api.yml prints YAML: the examples are its text, re-indented to the left margin.
API_YML_TRIGGER = """jobType: MANUAL
orderIds:
  - 03DV9N3R
  - 5XS34VOB
  - JGPZWWLA
  - JGPZWWLA
  - 09FFWHA2
  - 1B70WHY7"""
API_YML_EVENT = """eventId: '123'
orderNumber: '123'
productId: '123'
deliveryCycle: 2023-10-13-11-test
pickedAmount: 1
packedAmount: 1
canceledAmount: 0
supplierId: '123'
unit: H87
timestamp: '2020-09-14T13:35:18.333Z'
site: main
bookProduct: true"""
API_YML_SUCCESS = """message: Success
code: 200"""
API_YML_INVALID_TOKEN = """fault:
  faultstring: Invalid access token
  detail:
    errorcode: oauth.v2.InvalidAccessToken"""
API_YML_TOKEN_EXPIRED = """fault:
  faultstring: Access Token expired
  detail:
    errorcode: keymanagement.service.access_token_expired"""
API_YML_FORBIDDEN = """code: 403
status: Forbidden
message: Scope validation failed
details:
  - 'Missing required scopes ''[pickpack.pickpack_view, saasag.pickpack_view]'''"""
API_YML_500 = """code: 500
message: A server-side exception occurred that prevented the system from correctly returning the result."""
API_YML_409 = """code: 409
message: Conflict"""
API_YML_400 = """code: 400
message: Bad Request"""
API_YML_404 = """code: 404
message: Not Found"""

PROCESS = "clarus POST /goods_out_processes/process_picks_async"
CONSOLIDATE = "clarus POST /goods_out_processes/process_and_consolidate_picks"
TRIGGER = "emporix POST /pick-pack/{tenant}/jobs/recalculations"
JOB = "emporix GET /pick-pack/{tenant}/jobs/recalculations/{jobId}"
EVENTS = "emporix POST /pick-pack/{tenant}/events"
API_YML = "vendor emporix/api-references orders/pick-pack/api-reference/api.yml"
CLARUS_PAGE = "vendor documentation.claruswms.com"

EXAMPLES = [
    # Clarus WMS
    Example(
        "process_picks_async request (cURL)",
        "seed 000 §Process picks asynchronously, cURL --data (also the vendor page of that name)",
        SEED_000_IDS,
        (PROCESS,),
    ),
    Example(
        "process_picks_async request",
        "seed 000 §Request Structure (also the vendor page)",
        """{\n  "ids": [101, 102, 103]\n}""",
        (PROCESS,),
    ),
    Example(
        "process_picks_async response",
        "seed 000, the response printed after the cURL: 'Pick processing queued successfully'",
        SEED_000_REFERENCES,
        (f"{PROCESS} 200",),
    ),
    Example(
        "pickProcessingRequests polling query",
        "seed 000 §Tracking Status: 'Poll for completion via GraphQL' (also the vendor page)",
        SEED_000_QUERY,
        language="graphql",
    ),
    Example(
        "goods out creation request",
        "seed 001 §cURL -d (printed twice) and §Request Structure (the same text)",
        SEED_001_GOODS_OUT,
        ("clarus POST /goods_outs",),
    ),
    Example(
        "goods out creation response, as 200 and as 201",
        "seed 001, the response printed after the cURL (twice): 'Goods out created successfully' (no status given)",
        SEED_001_CREATED,
        ("clarus POST /goods_outs 200", "clarus POST /goods_outs 201"),
    ),
    Example(
        "process_and_consolidate_picks request (cURL)",
        f"{CLARUS_PAGE} 'Process and consolidate picks', cURL --data",
        SEED_000_IDS,
        (CONSOLIDATE,),
    ),
    Example(
        "process_and_consolidate_picks request with pick list attributes",
        f"{CLARUS_PAGE} 'Process and consolidate picks' §Request Structure",
        CONSOLIDATE_REQUEST,
        (CONSOLIDATE,),
    ),
    Example(
        "process_and_consolidate_picks response",
        f"{CLARUS_PAGE} 'Process and consolidate picks': 'Pick processing queued successfully'",
        SEED_000_REFERENCES,
        (f"{CONSOLIDATE} 200",),
    ),
    Example(
        "pickProcessingRequests polling query (without created_at, updated_at)",
        f"{CLARUS_PAGE} 'Process and consolidate picks' §Tracking Status",
        CONSOLIDATE_QUERY,
        language="graphql",
    ),
    Example(
        "List pick processing requests: the query of the cURL body",
        f"{CLARUS_PAGE} 'List pick processing requests', cURL --data (the query as one line), with the page's "
        "§Filter Argument example as its variables and the page's response as its answer",
        LIST_CURL_BODY,
        language="graphql",
        variables=LIST_FILTER,
        answer=LIST_ANSWER,
    ),
    Example(
        "List pick processing requests: the query",
        f"{CLARUS_PAGE} 'List pick processing requests' §Query Structure, §Filter Argument",
        LIST_QUERY,
        language="graphql",
        variables=LIST_FILTER,
        answer=LIST_ANSWER,
    ),
    Example(
        "pick_processing_requests { all } paged",
        f"composed: {CLARUS_PAGE} knowledge base 'API polling updates' prints first/after, pageInfo "
        "{ hasNextPage endCursor } and edges { cursor node } (for sites); applied to the vendor's shape",
        PAGED_ALL_QUERY,
        language="graphql",
        variables=PAGED_VARIABLES,
        printed=False,
    ),
    Example(
        "pickProcessingRequests paged",
        f"composed: {CLARUS_PAGE} 'API polling updates' pagination, applied to the seed 000 shape",
        PAGED_SEED_QUERY,
        language="graphql",
        variables="""{"first": 50}""",
        printed=False,
    ),
    Example(
        "product creation request (cURL)",
        f"{CLARUS_PAGE} 'Create a product', cURL -d: code, description, stock_unit_type_id, barcode",
        PRODUCT_REQUEST,
        ("clarus POST /products",),
    ),
    Example(
        "product creation response, as 200 and as 201",
        f"{CLARUS_PAGE} 'Create a product': 'Product created successfully'",
        PRODUCT_CREATED,
        ("clarus POST /products 200", "clarus POST /products 201"),
    ),
    Example(
        "goods in receipt creation request (cURL)",
        f"{CLARUS_PAGE} 'Create a goods in receipt', cURL --data (its response is cut short in the stored copy)",
        RECEIPT_REQUEST,
        ("clarus POST /goods_in_receipts",),
    ),
    Example(
        "goods in receipt received",
        f"{CLARUS_PAGE} 'Receive a goods in receipt': 'Receipt received successfully' ('status': 'received')",
        RECEIPT_RECEIVED,
        ("clarus POST /goods_in_receipts/{id}/receive 200",),
    ),
    Example(
        "an error body of the goods-out processing endpoints",
        f"{CLARUS_PAGE} 'Short order lines' (error codes 36, 37) and 'Receive stock against a receive task' print "
        "this response; no page gives an error status: our 4XX responses take any body",
        CLARUS_ERROR,
        (f"{PROCESS} 4XX", f"{CONSOLIDATE} 4XX", "clarus POST /goods_outs 4XX"),
    ),
    # Emporix pick-pack
    Example(
        "recalculation trigger (with a repeated order id)",
        "seed 003 §Triggering an order recalculation, the request example",
        SEED_003_TRIGGER,
        (TRIGGER,),
    ),
    Example(
        "recalculation trigger",
        f"{API_YML}: POST-pick-pack-start-order-recalculations requestBody example",
        API_YML_TRIGGER,
        (TRIGGER,),
        language="yaml",
    ),
    Example(
        "job created", "seed 003 §Triggering an order recalculation, 200 example", SEED_003_JOB_ID, (f"{TRIGGER} 200",)
    ),
    Example("a finished job", "seed 003 §Retrieving a job, 200 example", SEED_003_JOB, (f"{JOB} 200",)),
    Example(
        "packing event creation",
        f"{API_YML}: OrderEntryEventCreate x-examples 'Event creation example'",
        API_YML_EVENT,
        (EVENTS,),
        language="yaml",
    ),
    Example(
        "packing event created",
        f"{API_YML}: responses.successResponse example",
        API_YML_SUCCESS,
        (f"{EVENTS} 200",),
        language="yaml",
    ),
    Example(
        "401 invalid token",
        f"{API_YML}: Unauthorized_401 examples.UnauthorizedExample",
        API_YML_INVALID_TOKEN,
        every("emporix", "401"),
        language="yaml",
    ),
    Example(
        "401 expired token",
        f"{API_YML}: Unauthorized_401 examples.AccessTokenExpiredExample",
        API_YML_TOKEN_EXPIRED,
        every("emporix", "401"),
        language="yaml",
    ),
    Example(
        "403 missing scope",
        f"{API_YML}: Forbidden_403 examples.ForbiddenExample",
        API_YML_FORBIDDEN,
        every("emporix", "403"),
        language="yaml",
    ),
    Example(
        "400 errorMessage",
        f"{API_YML}: BadRequest_400 examples.BadRequestExample",
        API_YML_400,
        every("emporix", "400"),
        language="yaml",
    ),
    Example(
        "404 errorMessage",
        f"{API_YML}: NotFound_404 examples.NotFoundExample",
        API_YML_404,
        every("emporix", "404"),
        language="yaml",
    ),
    Example(
        "409 errorMessage",
        f"{API_YML}: Conflict_409 examples.ConflictExample",
        API_YML_409,
        every("emporix", "409"),
        language="yaml",
    ),
    Example(
        "500 errorMessage",
        f"{API_YML}: InternalServiceError_500 examples.InternalServiceErrorExample",
        API_YML_500,
        every("emporix", "500"),
        language="yaml",
    ),
]
# GreyOrange Butler: the 22 examples of seed 004 live in specs/butler/examples (index.toml) and are validated by
# tests/selftest/test_butler_examples.py; test_butler_examples_are_validated_elsewhere keeps that link honest.
BUTLER_EXAMPLES = SPECS / "butler" / "examples" / "index.toml"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_validates_against_our_specs(example: Example) -> None:
    if example.language == "graphql":
        query = json.loads(example.text)["query"] if example.text.startswith("{") else example.text
        variables = json.loads(example.variables) if example.variables else None
        answer = json.loads(example.answer) if example.answer else None
        assert graphql_errors(query, variables, answer) == []
        return
    assert example.against, "a REST example names what it validates against"
    document = example.document()
    for target in example.against:
        assert schema_errors(target, document) == [], target


SEED_FILES = {"000": "000_78da6abb65c554e1.txt", "001": "001_5e6df1b2040cdb8b.txt", "003": "003_f2544d0650e6f247.txt"}
FROM_SEEDS = [e for e in EXAMPLES if e.seed]


@pytest.mark.skipif(not SEEDS.exists(), reason="the shared seeds are not beside this checkout")
@pytest.mark.parametrize("example", FROM_SEEDS, ids=[e.name for e in FROM_SEEDS])
def test_seed_example_is_copied_verbatim(example: Example) -> None:
    seed = (SEEDS / SEED_FILES[example.seed]).read_text()
    assert example.text in seed


def test_every_printed_source_is_named_and_composed_ones_say_so() -> None:
    assert all(e.source and e.what for e in EXAMPLES)
    assert all(e.source.startswith("composed:") for e in EXAMPLES if not e.printed)
    assert all(e.source.startswith(("seed ", "vendor ")) for e in EXAMPLES if e.printed)


def test_butler_examples_are_validated_elsewhere() -> None:
    index = tomllib.loads(BUTLER_EXAMPLES.read_text())["example"]
    assert len(index) == 22 and all((BUTLER_EXAMPLES.parent / e["file"]).exists() for e in index)
    assert (Path(__file__).parent / "test_butler_examples.py").exists()


# The harness can fail: a broken copy of an example is refused by the same checks.
BROKEN: list[tuple[str, str, str, Callable[[Any], Any]]] = [
    ("a product without description", "clarus POST /products", PRODUCT_REQUEST,
     lambda d: d["data"]["attributes"].pop("description")),
    ("a goods out without reference", "clarus POST /goods_outs", SEED_001_GOODS_OUT,
     lambda d: d["data"]["attributes"].pop("reference")),
    ("process_picks_async without ids", PROCESS, SEED_000_IDS, lambda d: d.pop("ids")),
    ("a job with an unknown jobStatus", f"{JOB} 200", SEED_003_JOB, lambda d: d.update(jobStatus="DONE")),
    ("a job started on 30 February", f"{JOB} 200", SEED_003_JOB, lambda d: d.update(startedAt="2021-02-30T13:45:00Z")),
    ("a fault whose faultstring is a number", f"{JOB} 401", API_YML_INVALID_TOKEN,
     lambda d: d["fault"].update(faultstring=401)),
    ("an errorMessage whose code is not an HTTP status", f"{TRIGGER} 400", API_YML_400, lambda d: d.update(code=4000)),
]  # fmt: skip


@pytest.mark.parametrize(("what", "target", "text", "breaks"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_example_is_refused(what: str, target: str, text: str, breaks: Callable[[Any], Any]) -> None:
    document = yaml.safe_load(text)
    breaks(document)
    assert schema_errors(target, document), what


@pytest.mark.parametrize(
    "query",
    [
        LIST_QUERY.replace("goods_out { id reference }", "goods_out { id code }"),
        LIST_QUERY.replace("PickProcessingRequestFilterType", "PickProcessingRequestFilter"),
        SEED_000_QUERY.replace("process_reference: { eq:", "process_reference: { equals:"),
    ],
    ids=["unknown field", "unknown filter type", "unknown operator"],
)
def test_a_broken_query_is_refused(query: str) -> None:
    assert graphql_errors(query)


def test_a_broken_answer_is_refused() -> None:
    answer = json.loads(LIST_ANSWER)
    answer["data"]["pick_processing_requests"]["all"]["edges"][0]["node"]["process_reference"] = None
    assert graphql_errors(LIST_QUERY, json.loads(LIST_FILTER), answer)


# --- vendor facts, read back from our specs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    name: str
    source: str  # where the vendor (or a seed) says it, in its words
    check: Callable[[], None]


FACTS: list[Fact] = []


def fact(source: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(check: Callable[[], None]) -> Callable[[], None]:
        FACTS.append(Fact(check.__name__, source, check))
        return check

    return register


def operation(family: str, method: str, path: str) -> dict[str, Any]:
    return SPEC[family]["paths"][path][method]


def operations(family: str) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, methods in SPEC[family]["paths"].items()
        for method, op in methods.items()
        if method in METHODS
    }


def schema(family: str, name: str) -> dict[str, Any]:
    return SPEC[family]["components"]["schemas"][name]


def response_schema(family: str, target: str, status: str) -> dict[str, Any]:
    spec, pointer = body_schema(f"{family} {target} {status}")
    assert pointer is not None, f"{target} {status} has no body schema"
    return deref(family, _resolve(spec, pointer))


def keywords(node: Any) -> set[str]:
    """Every key of a schema and of the schemas inside it (`properties` names included)."""
    if isinstance(node, dict):
        return set(node).union(*(keywords(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(keywords(value) for value in node))
    return set()


def deref(family: str, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _resolve(SPEC[family], node["$ref"])
    return node


# Clarus WMS

CLARUS_ERROR_CODES = {
    "36": "empty_ids_provided",
    "37": "invalid_ids_provided",
    "39": "not_enough_stocks_for_picking",
    "59": "goods_out_already_allocated",
    "318": "goods_outs_with_different_pick_types_cannot_be_consolidated",
}


@fact(
    "seed 000 §Error Codes (36 empty_ids_provided, 37 invalid_ids_provided, 39 not_enough_stocks_for_picking, "
    "59 goods_out_already_allocated); vendor 'Process and consolidate picks' §Error Codes: "
    "'318 goods_outs_with_different_pick_types_cannot_be_consolidated Mixed pick types in batch'"
)
def clarus_error_codes_and_symbols_in_spec_checks_and_requirements() -> None:
    in_spec = {code["const"]: code["title"] for code in schema("clarus", "PickProcessingErrorCode")["oneOf"]}
    assert in_spec == CLARUS_ERROR_CODES
    assert {str(code): symbol for code, (symbol, _) in ERRORS.items()} == CLARUS_ERROR_CODES
    for code, symbol in CLARUS_ERROR_CODES.items():
        requirement = catalogue()[f"CLARUS-ERR-{code}"]
        assert symbol in requirement.statement and symbol in requirement.source


@fact(
    "vendor 'Create a product' §Key Fields (code No, description Yes, stock_unit_type_id Yes) and Core Resources "
    "'Product' (description 'Maximum string length: 150', stock_unit_type_id integer required, code 'string | null' "
    "'Maximum string length: 50'); no product_code anywhere"
)
def clarus_product_fields() -> None:
    attributes = schema("clarus", "ProductCreate")["properties"]["data"]["properties"]["attributes"]
    assert set(attributes["required"]) == {"description", "stock_unit_type_id"}
    properties = attributes["properties"]
    assert "product_code" not in properties and "code" in properties
    assert properties["description"]["maxLength"] == 150 and properties["description"]["type"] == "string"
    assert properties["stock_unit_type_id"]["type"] == "integer"
    assert properties["code"]["type"] == ["string", "null"] and properties["code"]["maxLength"] == 50


@fact(
    "vendor 'Receive a goods in receipt': 'Receipt must be in PENDING status', 'Changes receipt status from PENDING "
    "to RCV', its example answers 'status': 'received'"
)
def clarus_receipt_statuses_include_the_vendors() -> None:
    document = response_schema("clarus", "POST /goods_in_receipts/{id}/receive", "200")
    status = document["properties"]["data"]["properties"]["attributes"]["properties"]["status"]
    assert {"PENDING", "RCV", "received"} <= set(status["enum"])
    assert "RCV" in operation("clarus", "post", "/goods_in_receipts/{id}/receive")["x-source"]


@fact(
    "vendor Core Resources 'Goods in receipt': account_id 'integer required', warehouse_id 'integer required', "
    "reference 'string | null', expected_date_of_arrival 'string<date-time> | null'"
)
def clarus_receipt_requires_only_account_and_warehouse() -> None:
    attributes = schema("clarus", "GoodsInReceiptCreate")["properties"]["data"]["properties"]["attributes"]
    assert set(attributes["required"]) == {"account_id", "warehouse_id"}
    assert "null" in attributes["properties"]["reference"]["type"]
    assert "null" in attributes["properties"]["expected_date_of_arrival"]["type"]
    assert "Core Resources / Goods in receipt" in schema("clarus", "GoodsInReceiptCreate")["x-source"]


@fact(
    "seed 000 §Error Codes and the vendor's pages give error codes and symbols, never an HTTP status or body (its "
    '\'Short order lines\' page prints {"error": "<string>"}): every refusal is any 4XX with any body, not only 422'
)
def clarus_errors_are_any_4xx_with_any_body() -> None:
    for label, op in operations("clarus").items():
        statuses = set(op["responses"])
        assert "4XX" in statuses, label
        assert not {s for s in statuses if s.startswith("4") and s != "4XX"}, f"{label}: a single 4xx status"
        assert "content" not in deref("clarus", op["responses"]["4XX"]), f"{label}: a 4XX body schema"


@fact("seed 001 §Response: 'Goods out created successfully' (no status code given): 200 or 201, the same document")
def clarus_goods_out_creation_accepts_200_or_201() -> None:
    responses = operation("clarus", "post", "/goods_outs")["responses"]
    assert responses["200"] == responses["201"] == {"$ref": "#/components/responses/GoodsOutCreated"}
    for path in ("/products", "/goods_in_receipts"):
        created = operation("clarus", "post", path)["responses"]
        assert created["200"] == created["201"], path


@fact(
    "vendor Core Resources 'Goods Out': account_id, expected_date_of_dispatch, goods_out_type (sales_order, "
    "work_order, crossdock) and reference ('Maximum string length: 50') required; seed 001 §Key Fields; "
    "§Address: 'must be provided in data.relationships.address, not in data.attributes'"
)
def clarus_goods_out_fields() -> None:
    attributes = schema("clarus", "GoodsOutAttributes")
    assert set(attributes["required"]) == {"goods_out_type", "account_id", "reference", "expected_date_of_dispatch"}
    assert attributes["properties"]["goods_out_type"]["enum"] == ["sales_order", "work_order", "crossdock"]
    assert attributes["properties"]["reference"]["maxLength"] == 50
    assert attributes["properties"]["address"]["not"] == {}
    create = schema("clarus", "GoodsOutCreate")["properties"]["data"]["properties"]
    assert create["relationships"]["properties"]["address"]["properties"]["data"] == {
        "$ref": "#/components/schemas/Address"
    }
    assert set(schema("clarus", "LineChange")["properties"]["type"]["enum"]) == {"ADD", "UPDATE", "DESTROY"}


@fact(
    "vendor Core Resources 'Goods Out': 'Default statuses: 1=DRAFT, 2=PENDING, 3=PICK, 4=PART, 5=ALLOCATED, "
    "6=COMPLETED, 7=PART_ALLOCATED, 8=CANCELLED'"
)
def clarus_goods_out_status_ids() -> None:
    status = schema("clarus", "GoodsOutAttributes")["properties"]["goods_out_status_id"]
    assert (status["minimum"], status["maximum"]) == (1, 8)
    names = ["DRAFT", "PENDING", "PICK", "PART", "ALLOCATED", "COMPLETED", "PART_ALLOCATED", "CANCELLED"]
    assert all(f"{number} {name}" in status["description"] for number, name in enumerate(names, start=1))


@fact(
    "seed 000 §Body: 'ids integer[] required … Minimum array length: 1'; vendor 'Process and consolidate picks' "
    "§Key Fields: ids Yes, goods_out_pick_list_attributes No (goods_out_pick_list_reference, "
    "expected_date_of_dispatch, goods_out_bay_id)"
)
def clarus_process_request_bodies() -> None:
    for name in ("ProcessPicksRequest", "ConsolidatePicksRequest"):
        body = schema("clarus", name)
        assert body["required"] == ["ids"], name
        assert body["properties"]["ids"]["minItems"] == 1 and body["properties"]["ids"]["items"]["type"] == "integer"
    attributes = schema("clarus", "ConsolidatePicksRequest")["properties"]["goods_out_pick_list_attributes"]
    assert set(attributes["properties"]) == {
        "goods_out_pick_list_reference",
        "expected_date_of_dispatch",
        "goods_out_bay_id",
    }
    assert "required" not in attributes


@fact(
    "no seed and no vendor page defines GET /goods_outs/{id} (the vendor reads goods outs through GraphQL); "
    "products, goods-in receipts and receiving are the vendor's but no seed's: all are set-up, never judged"
)
def clarus_operations_no_document_defines_are_setup() -> None:
    setup = {label for label, op in operations("clarus").items() if op.get("x-pickconform-setup") is True}
    assert setup == {
        "GET /goods_outs/{id}",
        "POST /products",
        "POST /goods_in_receipts",
        "POST /goods_in_receipts/{id}/receive",
    }
    assert "no seed defines" in operation("clarus", "get", "/goods_outs/{id}")["x-source"]


@fact(
    "seed 000 §Authorizations: 'Authorization string header required' (OAuth 2.0 bearer) and 'X-Clarus-Subdomain "
    "string header required'; the REST prefix is /api (seed 000) or /api/v1 (seed 001)"
)
def clarus_authorizations_and_prefixes() -> None:
    spec = SPEC["clarus"]
    assert spec["security"] == [{"bearerAuth": [], "subdomain": []}]
    schemes = spec["components"]["securitySchemes"]
    assert (schemes["bearerAuth"]["type"], schemes["bearerAuth"]["scheme"]) == ("http", "bearer")
    assert (schemes["subdomain"]["in"], schemes["subdomain"]["name"]) == ("header", "X-Clarus-Subdomain")
    assert [server["url"] for server in spec["servers"]] == [
        "https://clarus-api.com/api",
        "https://clarus-api.com/api/v1",
    ]


def _input_fields(name: str) -> dict[str, str]:
    found = clarus_graphql().type_map[name]
    assert isinstance(found, graphql.GraphQLInputObjectType), name
    return {field: str(value.type) for field, value in found.fields.items()}


@fact(
    "vendor 'List pick processing requests' §Available Filters: goods_out_id IdInputType (eq, in, gt, gteq, lt, "
    "lteq, filled); goods_out_reference and process_reference StringInputType (eq, ilike, like, in, between); status "
    "StatusInputType (eq, in; 'enum input — pending, completed, failed'); created_at DatetimeInputType (from, to)"
)
def clarus_graphql_filter_inputs() -> None:
    assert _input_fields("PickProcessingRequestFilterType") == {
        "goods_out_id": "IdInputType",
        "goods_out_reference": "StringInputType",
        "process_reference": "StringInputType",
        "status": "StatusInputType",
        "created_at": "DatetimeInputType",
    }
    assert set(_input_fields("IdInputType")) == {"eq", "in", "gt", "gteq", "lt", "lteq", "filled"}
    assert set(_input_fields("StringInputType")) == {"eq", "ilike", "like", "in", "between"}
    assert set(_input_fields("DatetimeInputType")) == {"from", "to"}
    status = _input_fields("StatusInputType")
    assert set(status) == {"eq", "in"}
    enum = clarus_graphql().type_map[status["eq"]]
    assert isinstance(enum, graphql.GraphQLEnumType) and set(enum.values) == {"pending", "completed", "failed"}


@fact(
    'vendor \'List pick processing requests\': the node has goods_out { id reference } (its answer: "id": "3301"); '
    "the two shapes: seed 000 pickProcessingRequests(filter:) and the vendor's "
    "pick_processing_requests { all(filter:) }; "
    "vendor 'API polling updates': first/after, edges { cursor node }, pageInfo { hasNextPage endCursor }"
)
def clarus_graphql_shapes_node_and_pagination() -> None:
    schema_ = clarus_graphql()
    query = schema_.query_type
    assert query is not None
    shapes = [query.fields["pickProcessingRequests"], schema_.type_map["PickProcessingRequestsNamespace"].fields["all"]]
    for shape in shapes:
        assert {name: str(arg.type) for name, arg in shape.args.items()} == {
            "filter": "PickProcessingRequestFilterType",
            "first": "Int",
            "after": "String",
        }
        assert str(shape.type) == "PickProcessingRequestConnection!"
    node = schema_.type_map["PickProcessingRequest"].fields
    assert {"id", "status", "process_reference", "message", "created_at", "updated_at", "goods_out"} <= set(node)
    goods_out = schema_.type_map["GoodsOutReference"].fields
    assert str(goods_out["id"].type) == "ID!" and "reference" in goods_out
    assert set(schema_.type_map["PickProcessingRequestEdge"].fields) == {"cursor", "node"}
    assert {"hasNextPage", "endCursor"} <= set(schema_.type_map["PageInfo"].fields)


# Emporix pick-pack (vendor api.yml = emporix/api-references orders/pick-pack/api-reference/api.yml)


@fact(
    "vendor api.yml errorMessage: code (integer, minimum 100, maximum 599, 'original HTTP error code'), message "
    "(string), detailInfo (string), no `required`; BadRequest_400, NotFound_404, Conflict_409 and "
    "InternalServiceError_500 all use it"
)
def emporix_error_message() -> None:
    error = schema("emporix", "ErrorMessage")
    assert "required" not in keywords(error)
    properties = error["properties"]
    assert properties["code"] == {"type": "integer", "minimum": 100, "maximum": 599}
    assert properties["message"] == {"type": "string"} and properties["detailInfo"] == {"type": "string"}
    for status in ("400", "404", "409", "500"):
        for target in every("emporix", status):
            _, method, path, _ = target.split()
            assert response_schema("emporix", f"{method} {path}", status) == error, target


@fact("vendor api.yml Unauthorized_401: {fault: {faultstring: string, detail: {errorcode: string}}}, nothing required")
def emporix_fault_401() -> None:
    fault = schema("emporix", "Fault")
    assert "required" not in keywords(fault)
    inner = fault["properties"]["fault"]["properties"]
    assert inner["faultstring"] == {"type": "string"}
    assert inner["detail"]["properties"]["errorcode"] == {"type": "string"}
    for target in every("emporix", "401"):
        _, method, path, _ = target.split()
        assert response_schema("emporix", f"{method} {path}", "401") == fault, target


@fact("vendor api.yml Forbidden_403: {status: string, code: integer, message: string, details: string[]}, no required")
def emporix_forbidden_403() -> None:
    forbidden = schema("emporix", "ForbiddenMessage")
    assert "required" not in keywords(forbidden)
    assert {name: p["type"] for name, p in forbidden["properties"].items()} == {
        "status": "string",
        "code": "integer",
        "message": "string",
        "details": "array",
    }
    assert forbidden["properties"]["details"]["items"] == {"type": "string"}
    for target in every("emporix", "403"):
        _, method, path, _ = target.split()
        assert response_schema("emporix", f"{method} {path}", "403") == forbidden, target


@fact(
    "vendor api.yml POST-pick-pack-create-packing-event: responses 200, 400, 401, 403, 409, 500; saas-token header "
    "required; GET-pick-pack-retrieve-packing-event: 200, 400, 401, 403, 500, pageNumber 'minimum: 0', pageSize "
    "'minimum: 0, maximum: 20000'"
)
def emporix_packing_events() -> None:
    post = operation("emporix", "post", "/pick-pack/{tenant}/events")
    assert set(post["responses"]) == {"200", "400", "401", "403", "409", "500"}
    saas = next(p for p in post["parameters"] if p.get("name") == "saas-token")
    assert saas["in"] == "header" and saas["required"] is True
    get = operation("emporix", "get", "/pick-pack/{tenant}/events")
    assert set(get["responses"]) == {"200", "400", "401", "403", "500"}
    query = {p["name"]: p["schema"] for p in get["parameters"] if p.get("in") == "query"}
    assert query["pageNumber"] == {"type": "integer", "minimum": 0}
    assert query["pageSize"] == {"type": "integer", "minimum": 0, "maximum": 20000}


@fact(
    "vendor api.yml OrderEntryEventCreate: required eventId, orderNumber, productId, unit, timestamp, site; "
    "pickedAmount/packedAmount/canceledAmount integers, bookProduct boolean, timestamp date-time; no lengths or ranges"
)
def emporix_packing_event_body() -> None:
    body = schema("emporix", "PackingEventCreate")
    assert set(body["required"]) == {"eventId", "orderNumber", "productId", "unit", "timestamp", "site"}
    properties = body["properties"]
    for name in ("pickedAmount", "packedAmount", "canceledAmount"):
        assert properties[name] == {"type": "integer"}, name
    assert properties["bookProduct"] == {"type": "boolean"}
    assert properties["timestamp"] == {"type": "string", "format": "date-time"}
    assert all(set(p) <= {"type", "format"} for p in properties.values())


EMPORIX_DEPRECATION = (
    "emporix/api-references orders/pick-pack/README.md: 'The Pick-Pack Service is deprecated as of 26 May 2026 and "
    "will be removed from the Emporix platform on 24 August 2026.'"
)


@fact(EMPORIX_DEPRECATION + ": every operation deprecated, the dates and their source in x-deprecation")
def emporix_operations_deprecated() -> None:
    assert all(op.get("deprecated") is True for op in operations("emporix").values())
    deprecation = SPEC["emporix"]["x-deprecation"]
    assert (deprecation["announced"], deprecation["removal"]) == ("2026-05-26", "2026-08-24")
    assert "deprecated as of 26 May 2026" in deprecation["x-source"] and "24 August 2026" in deprecation["x-source"]
    assert "pick-pack/README.md" in deprecation["x-source"]


@fact(
    "vendor api.yml trait_tenant: pattern '^[a-z][a-z0-9]+$', minLength 3, maxLength 16; jobId: pattern "
    "'[a-zA-Z0-9_-]+' (unanchored; pickconform anchors it, DECISIONS.md#malformed-paths), minLength 3, maxLength 16"
)
def emporix_tenant_and_job_id() -> None:
    tenant = SPEC["emporix"]["components"]["parameters"]["tenant"]["schema"]
    assert tenant == {"type": "string", "minLength": 3, "maxLength": 16, "pattern": "^[a-z][a-z0-9]+$"}
    job = operation("emporix", "get", "/pick-pack/{tenant}/jobs/recalculations/{jobId}")
    job_id = next(p for p in job["parameters"] if p.get("name") == "jobId")
    assert job_id["schema"] == {"type": "string", "minLength": 3, "maxLength": 16, "pattern": "^[a-zA-Z0-9_-]+$"}
    assert "[a-zA-Z0-9_-]+" in job_id["x-source"] and "unanchored" in job_id["x-source"]
    assert "pickconform anchors it" in (SPECS / "emporix" / "DECISIONS.md").read_text()


@fact(
    "seed 003 and vendor api.yml: POST recalculations answers 200, 400, 401, 403, 409, 500 (scope "
    "pickpack.pickpack_manage); GET a job answers 200, 401, 403, 404, 500 (scope pickpack.pickpack_view); "
    "GET-pick-pack-retrieve-order answers 200, 401, 403, 404, 500"
)
def emporix_recalculation_and_order_responses_and_scopes() -> None:
    trigger = operation("emporix", "post", "/pick-pack/{tenant}/jobs/recalculations")
    job = operation("emporix", "get", "/pick-pack/{tenant}/jobs/recalculations/{jobId}")
    order = operation("emporix", "get", "/pick-pack/{tenant}/orders/{orderId}")
    assert set(trigger["responses"]) == {"200", "400", "401", "403", "409", "500"}
    assert set(job["responses"]) == set(order["responses"]) == {"200", "401", "403", "404", "500"}
    assert trigger["security"] == [{"OAuth2": ["pickpack.pickpack_manage"]}]
    assert job["security"] == order["security"] == [{"OAuth2": ["pickpack.pickpack_view"]}]
    flow = SPEC["emporix"]["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "https://api.emporix.io/oauth/token"
    assert set(flow["scopes"]) == {"pickpack.pickpack_view", "pickpack.pickpack_manage"}


@fact(
    "vendor api.yml RecalculationJobCreation: required [jobType], jobType enum AUTOMATIC, MANUAL, orderIds string[] "
    "('This attribute is optional'), no limits; RecalculationJob: jobStatus SUCCESS, FAILURE, IN_PROGRESS; "
    "RecalculationJobOrder: jobOrderStatus SUCCESS, FAILURE, PENDING"
)
def emporix_recalculation_bodies() -> None:
    request = schema("emporix", "RecalculationRequest")
    assert request["required"] == ["jobType"]
    assert set(request["properties"]["jobType"]["enum"]) == {"MANUAL", "AUTOMATIC"}
    order_ids = request["properties"]["orderIds"]
    assert order_ids["type"] == "array" and order_ids["items"]["type"] == "string"
    assert set(order_ids["x-pickconform-inferred"]) == {"maxItems"}, "the vendor states no limit: ours are inferred"
    assert set(order_ids["items"]["x-pickconform-inferred"]) == {"minLength", "maxLength"}
    job = schema("emporix", "RecalculationJob")["properties"]
    assert set(job["jobStatus"]["enum"]) == {"SUCCESS", "FAILURE", "IN_PROGRESS"}
    assert set(job["jobType"]["enum"]) == {"MANUAL", "AUTOMATIC"}
    order_status = schema("emporix", "JobOrder")["properties"]["jobOrderStatus"]
    assert set(order_status["enum"]) == {"SUCCESS", "FAILURE", "PENDING"}


@fact("vendor api.yml: the orders and events operations exist, but seed 003 defines only the recalculation jobs")
def emporix_operations_no_seed_defines_are_setup() -> None:
    setup = {label for label, op in operations("emporix").items() if op.get("x-pickconform-setup") is True}
    assert setup == {
        "GET /pick-pack/{tenant}/orders/{orderId}",
        "GET /pick-pack/{tenant}/events",
        "POST /pick-pack/{tenant}/events",
    }


# GreyOrange Butler


@fact(
    "vendor GreyMatter pick.rst (v9.0.0, v9.0.1, v9.0.2; the current pick_pack.rst alike), Create a Pick Request: "
    "':statuscode 200: No error', ':statuscode 400: Bad data' (seed 004, v10.1.0, drops the list)"
)
def butler_create_documents_200_and_400() -> None:
    create = BUTLER["paths"]["/api-gateway/sr-service/platform-srms/service-request"]["post"]
    assert {"200", "400"} <= set(create["responses"])
    bad_data = BUTLER["components"]["responses"]["BadData"]
    assert ":statuscode 400: Bad data" in bad_data["x-source"]
    requirement = catalogue()["BUTLER-REJECTS-INVALID"]
    assert requirement.basis == "documented" and ":statuscode 400: Bad data" in requirement.source


# Issue 18: optional means optional, required only where a document says so, formats as documented, vendor facts.

BUTLER_OBJECT_PAGE = (
    "GreyOrange Service Request Object (docs.butler.greyorange.com/greymatter/v9.0.0 and v9.0.1, "
    "api/srms/service_request_object): 'externalServiceRequestId optional string. This is an external service "
    "request id that can be used to track this service request. Even if this is not provided, there is an internal "
    "unique id of each service request.'"
)


def _inferred(node: dict[str, Any], keyword: str) -> bool:
    return keyword in node.get("x-pickconform-inferred", ())


def _required(node: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(documented, inferred) required properties of a schema object, allOf members included."""
    documented, inferred = set(), set()
    for part in [node, *node.get("allOf", ())]:
        (inferred if _inferred(part, "required") else documented).update(part.get("required", ()))
    return documented, inferred


@fact(BUTLER_OBJECT_PAGE + ": a create without it, on the request or a line, is valid; the response need not echo it")
def butler_external_id_optional() -> None:
    for name in ("PickServiceRequest", "PickLine"):
        node = schema("butler", name)
        assert "externalServiceRequestId" not in _required(node)[0] | _required(node)[1], name
        assert "Even if this is not provided" in node["properties"]["externalServiceRequestId"]["x-source"], name
    for name in ("CreatedPickServiceRequest", "CreatedPickLine"):
        assert "externalServiceRequestId" not in _required(schema("butler", name))[0], name
    requirement = catalogue()["BUTLER-CREATE"]
    assert "Even if this is not provided" in requirement.source and "without externalServiceRequestId" in (
        requirement.statement
    )


@fact(
    "vendor api.yml jobCreationResponse {jobId: string}, RecalculationJob and RecalculationJobOrder: no `required`, "
    "no pattern or length on the job's id; seed 003 shows them in its 200 examples only, and states the jobId "
    "pattern (min 3, max 16, [a-zA-Z0-9_-]+) on the path parameter"
)
def emporix_response_requirements_inferred() -> None:
    for name in ("JobCreated", "RecalculationJob", "JobOrder"):
        node = schema("emporix", name)
        assert _required(node)[0] == set(), f"{name}: a documented required the vendor does not state"
    for node in (
        schema("emporix", "JobCreated")["properties"]["jobId"],
        schema("emporix", "RecalculationJob")["properties"]["id"],
    ):
        assert all(_inferred(node, k) for k in ("pattern", "minLength", "maxLength")), node
    job = operation("emporix", "get", "/pick-pack/{tenant}/jobs/recalculations/{jobId}")
    path_id = next(p for p in job["parameters"] if p.get("name") == "jobId")
    assert "x-pickconform-inferred" not in path_id["schema"], "the path parameter's rules are documented (seed 003)"


ISO_8601_FORMS = (
    "2018-04-09T18:00:00Z",  # the seed's
    "2018-04-24T10:56:23.551",  # the seed's, local time
    "2018-04-09T18:00:00+05:30",
    "2018-04-09T18:00:00,5+05",
    "2018-04-09T18:00",
    "20180409T180000+0530",  # the basic format
    "20180409T1800Z",
)
NOT_ISO_8601 = (
    "09/04/2018 18:00",
    "2018-04-09 18:00:00Z",
    "2018-04-09T18:00:00+0530",
    "20180409T18:00:00",
    "2018-04-09",
)


@fact(
    "seed 004 §attributes: pick_before_time and pick_after_time 'This is a string in ISO 8601 datetime format' "
    "(RFC 3339's date-time is narrower: ISO 8601's basic format, reduced precision, a comma, local times)"
)
def butler_times_iso_8601() -> None:
    attributes = schema("butler", "PickAttributes")["properties"]
    for name in ("pick_before_time", "pick_after_time"):
        node = deref("butler", attributes[name])
        assert "format" not in node, f"{name}: format date-time is RFC 3339, narrower than ISO 8601"
        pattern = re.compile(node["pattern"])
        assert all(pattern.search(value) for value in ISO_8601_FORMS), name
        assert not any(pattern.search(value) for value in NOT_ISO_8601), name
    created = deref("butler", schema("butler", "CreatedPickServiceRequest")["properties"]["createdOn"])
    assert all(re.search(created["pattern"], value) for value in ISO_8601_FORMS)


@fact(
    "vendor api.yml GET-pick-pack-retrieve-packing-event, timestamp: \"pattern: 'yyyy-MM-dd''T''HH:mm:ssZ'\" (a Java "
    "date pattern: Z is an RFC 822 offset such as +0000)"
)
def emporix_events_timestamp_java_form() -> None:
    events = operation("emporix", "get", "/pick-pack/{tenant}/events")
    timestamp = next(p for p in events["parameters"] if p.get("name") == "timestamp")["schema"]
    assert "format" not in timestamp, "format date-time (RFC 3339) refuses +0000"
    assert re.search(timestamp["pattern"], "2020-09-14T13:35:18+0000")
    assert not re.search(timestamp["pattern"], "2020-09-14 13:35:18")
    assert "yyyy-MM-dd''T''HH:mm:ssZ" in " ".join(events["parameters"][1]["x-source"].split())


@fact(
    "vendor knowledge base, API authentication (documentation.claruswms.com/knowledgebase/integrations/"
    "api-authentication): 'Token https://clarus-api.com/oauth/token'"
)
def clarus_token_url() -> None:
    oauth = SPEC["clarus-oauth"]
    urls = {server["url"] + path for server in oauth.get("servers", ()) for path in oauth["paths"]}
    assert urls == {"https://clarus-api.com/oauth/token"}
    assert "https://clarus-api.com/oauth/token" in oauth["x-source"]
    assert oauth["x-token-url"] == "https://clarus-api.com/oauth/token"


@fact(
    "vendor api.yml Unauthorized_401 examples: UnauthorizedExample errorcode oauth.v2.InvalidAccessToken, "
    "AccessTokenExpiredExample errorcode keymanagement.service.access_token_expired: the spec accepts both"
)
def emporix_401_bodies() -> None:
    for text in (API_YML_INVALID_TOKEN, API_YML_TOKEN_EXPIRED):
        assert schema_errors(f"{JOB} 401", yaml.safe_load(text)) == []
    errorcode = schema("emporix", "Fault")["properties"]["fault"]["properties"]["detail"]["properties"]["errorcode"]
    assert set(errorcode) == {"type"}, "no enum or pattern may single out one of the vendor's two errorcodes"


# Each old reading, put back into a copy of the spec, fails the fact that replaced it.
OLD_READINGS: list[tuple[Callable[[], None], str, Callable[[dict[str, Any]], Any]]] = [
    (butler_external_id_optional, "butler",
     lambda s: s["components"]["schemas"]["PickServiceRequest"]["required"].append("externalServiceRequestId")),
    (butler_external_id_optional, "butler",
     lambda s: s["components"]["schemas"]["PickLine"]["required"].append("externalServiceRequestId")),
    (emporix_response_requirements_inferred, "emporix",
     lambda s: s["components"]["schemas"]["RecalculationJob"].pop("x-pickconform-inferred")),
    (emporix_response_requirements_inferred, "emporix",
     lambda s: s["components"]["schemas"]["JobOrder"].pop("x-pickconform-inferred")),
    (emporix_response_requirements_inferred, "emporix",
     lambda s: s["components"]["schemas"]["JobCreated"]["properties"]["jobId"].pop("x-pickconform-inferred")),
    (butler_times_iso_8601, "butler",
     lambda s: s["components"]["schemas"]["PickAttributes"]["properties"].update(
         pick_before_time={"type": "string", "format": "date-time"})),
    (butler_times_iso_8601, "butler",
     lambda s: s["components"]["schemas"]["Iso8601DateTime"].update(
         pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")),
    (emporix_events_timestamp_java_form, "emporix",
     lambda s: next(p for p in s["paths"]["/pick-pack/{tenant}/events"]["get"]["parameters"]
                    if p.get("name") == "timestamp").update(schema={"type": "string", "format": "date-time"})),
    (clarus_token_url, "clarus-oauth", lambda s: s.pop("servers")),
    (emporix_401_bodies, "emporix",
     lambda s: s["components"]["schemas"]["Fault"]["properties"]["fault"]["properties"]["detail"]["properties"][
         "errorcode"].update(enum=["oauth.v2.InvalidAccessToken"])),
    (emporix_operations_deprecated, "emporix",
     lambda s: s["x-deprecation"].update({"x-source": "DESIGN.md (vendor announcement)"})),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vendor_fact", "family", "old_reading"),
    OLD_READINGS,
    ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(OLD_READINGS)],
)
def test_an_old_reading_put_back_fails_its_fact(
    vendor_fact: Callable[[], None],
    family: str,
    old_reading: Callable[[dict[str, Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vendor_fact()  # holds on the spec as it is
    old = copy.deepcopy(SPEC[family])
    old_reading(old)
    monkeypatch.setitem(SPEC, family, old)
    with pytest.raises(AssertionError):
        vendor_fact()


@pytest.mark.parametrize("vendor_fact", FACTS, ids=[f.name for f in FACTS])
def test_vendor_fact_holds_in_our_specs(vendor_fact: Fact) -> None:
    assert vendor_fact.source
    vendor_fact.check()
