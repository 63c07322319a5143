"""The Clarus HTTP surface: OAuth2 token endpoint, REST under /api and /api/v1, GraphQL at /graphql."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pickconform.paths import SPECS
from pickconform.reference import validation
from pickconform.reference.clarus import mutants as m
from pickconform.reference.clarus.graphql import ClarusGraphQL
from pickconform.reference.clarus.store import ClarusError, ClarusStore, error_37
from pickconform.reference.mutants import Faults

SPEC = SPECS / "clarus" / "openapi.yaml"
PREFIXES = ("/api", "/api/v1")
Handler = Callable[[Request, str, Any], Response]


def error_response(error: ClarusError, faults: Faults) -> JSONResponse:
    status = error.status
    if status == 422 and faults.active(m.ERRORS_400):
        status = 400
    if status == 401 and error.title == "unauthorized" and faults.active(m.UNAUTHORIZED_403):
        status = 403
    code: str | int = error.code
    if faults.active(m.CODE_AS_NUMBER) and error.code.isdigit():
        code = int(error.code)
    entry: dict[str, Any] = {"status": str(status), "code": code, "title": error.title, "detail": error.detail}
    if error.pointer is not None:
        entry["source"] = {"pointer": error.pointer}
    return JSONResponse({"errors": [entry]}, status_code=status)


def _goods_out_patch(faults: Faults) -> Callable[[dict[str, Any]], None] | None:
    """Mutants that loosen the goods-out rules do it by loosening the schema the reference validates with."""

    def patch(schemas: dict[str, Any]) -> None:
        attributes = schemas["GoodsOutAttributes"]
        if faults.active(m.REQUIRED_NOT_ENFORCED):
            attributes["required"] = ["reference"]
            attributes["properties"]["goods_out_type"] = {"type": "string"}
        if faults.active(m.UNKNOWN_ATTRIBUTES_IGNORED):
            del attributes["properties"]["address"]
        if faults.active(m.LONG_REFERENCE):
            attributes["properties"]["reference"]["maxLength"] = 255
        country = schemas["Address"]["properties"]["attributes"]["properties"]["country_code"]
        if faults.active(m.COUNTRY_NOT_CHECKED):
            del country["pattern"]
        if faults.active(m.ALPHA3_ONLY):
            country["pattern"] = "^[A-Z]{3}$"
        if faults.active(m.COUNTRY_CASE_INSENSITIVE):
            country["pattern"] = "^[A-Za-z]{2}$"

    loosening = (
        m.REQUIRED_NOT_ENFORCED, m.UNKNOWN_ATTRIBUTES_IGNORED, m.LONG_REFERENCE, m.COUNTRY_NOT_CHECKED, m.ALPHA3_ONLY,
        m.COUNTRY_CASE_INSENSITIVE,
    )  # fmt: skip
    return patch if any(faults.active(name) for name in loosening) else None


class ClarusHTTP:
    def __init__(self, store: ClarusStore, graphql: ClarusGraphQL, faults: Faults) -> None:
        self.store, self.graphql, self.faults = store, graphql, faults
        self.validators = {
            name: validation.validator(SPEC, name)
            for name in ("ProductCreate", "GoodsInReceiptCreate", "ProcessPicksRequest", "ConsolidatePicksRequest")
        }
        self.validators["GoodsOutCreate"] = validation.validator(SPEC, "GoodsOutCreate", _goods_out_patch(faults))
        routes = [
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/graphql", self.graphql_endpoint, methods=["POST"]),
        ]
        for prefix in PREFIXES:
            routes += [
                Route(f"{prefix}/products", self._guard(self.create_product), methods=["POST"]),
                Route(f"{prefix}/goods_in_receipts", self._guard(self.create_receipt), methods=["POST"]),
                Route(
                    f"{prefix}/goods_in_receipts/{{id}}/receive", self._guard(self.receive_receipt), methods=["POST"]
                ),
                Route(f"{prefix}/goods_outs", self._guard(self.create_goods_out), methods=["POST"]),
                Route(f"{prefix}/goods_outs/{{id}}", self._guard(self.get_goods_out), methods=["GET"]),
                Route(
                    f"{prefix}/goods_out_processes/process_picks_async",
                    self._guard(self.process_picks),
                    methods=["POST"],
                ),
                Route(
                    f"{prefix}/goods_out_processes/process_and_consolidate_picks",
                    self._guard(self.consolidate_picks),
                    methods=["POST"],
                ),
            ]
        self.app = Starlette(routes=routes)

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _tenant(self, request: Request) -> str:
        subdomain = request.headers.get("x-clarus-subdomain", "")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if self.faults.active(m.AUTH_NOT_ENFORCED):
            return subdomain or "anonymous"
        tenant = self.store.tenant_of(token) if scheme.lower() == "bearer" and token else None
        if tenant is None:
            raise ClarusError(401, "unauthorized", "unauthorized", "missing or invalid bearer token")
        if not subdomain:
            if self.faults.active(m.SUBDOMAIN_OPTIONAL):
                return tenant
            status = 400 if self.faults.active(m.MISSING_SUBDOMAIN_400) else 401
            raise ClarusError(status, "missing_subdomain", "missing_subdomain", "X-Clarus-Subdomain is required")
        if subdomain != tenant:
            raise ClarusError(401, "unauthorized", "unauthorized", "X-Clarus-Subdomain does not match the token")
        return tenant

    def _guard(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authenticate, parse the body, and turn every refusal into a JSON:API error document."""

        async def endpoint(request: Request) -> Response:
            try:
                tenant = self._tenant(request)
                body: Any = None
                if request.method == "POST":
                    raw = await request.body()
                    if raw.strip():
                        try:
                            body = json.loads(raw)
                        except (ValueError, RecursionError):
                            raise ClarusError(422, "validation_error", "invalid_json", "the body is not JSON") from None
                # Handlers run in the thread pool: requests really are concurrent, as on a production server, so
                # the database transactions (not the event loop) are what keep allocation safe.
                return await run_in_threadpool(handler, request, tenant, body)
            except ClarusError as error:
                return error_response(error, self.faults)

        return endpoint

    def _validated(self, schema: str, body: Any) -> dict[str, Any]:
        error = validation.first_error(self.validators[schema], body)
        if error is not None:
            raise ClarusError(
                422, "validation_error", "invalid_request", error.message[:300], validation.pointer(error)
            )
        return body

    @staticmethod
    def _path_id(request: Request) -> int:
        raw = request.path_params["id"]
        if not raw.isdigit() or len(raw) > 18:
            raise ClarusError(404, "not_found", "not_found", f"no record {raw[:40]!r}")
        return int(raw)

    # --- endpoints --------------------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        raw = await request.body()
        form: Any
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                form = json.loads(raw)
            except (ValueError, RecursionError):
                form = {}
        else:
            form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
        if not isinstance(form, dict) or form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = self.store.issue_token(str(form.get("client_id", "")), str(form.get("client_secret", "")))
        if token is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def create_product(self, request: Request, tenant: str, body: Any) -> Response:
        attributes = self._validated("ProductCreate", body)["data"]["attributes"]
        return JSONResponse({"data": self.store.create_product(tenant, attributes)}, status_code=201)

    def create_receipt(self, request: Request, tenant: str, body: Any) -> Response:
        attributes = self._validated("GoodsInReceiptCreate", body)["data"]["attributes"]
        return JSONResponse({"data": self.store.create_receipt(tenant, attributes)}, status_code=201)

    def receive_receipt(self, request: Request, tenant: str, body: Any) -> Response:
        return JSONResponse({"data": self.store.receive_receipt(tenant, self._path_id(request))})

    def create_goods_out(self, request: Request, tenant: str, body: Any) -> Response:
        try:
            data = self._validated("GoodsOutCreate", body)["data"]
        except ClarusError as error:
            if self.faults.active(m.ADDRESS_IN_ERRORS):
                error.detail += _delivery_to(body)
            raise
        address = (data.get("relationships") or {}).get("address", {}).get("data")
        if address is not None and self.faults.active(m.ADDRESS_RELATIONSHIP_REFUSED):
            raise ClarusError(
                422, "validation_error", "invalid_request", "give the address in data.attributes", "/data/relationships"
            )
        data["attributes"].pop("address", None)  # only a variant lets one through validation: it is ignored
        resource = self.store.create_goods_out(tenant, data["attributes"], address)
        status = 200 if self.faults.active(m.CREATED_200) else 201
        if self.faults.active(m.FLAT_RESPONSE):
            return JSONResponse({"id": resource["id"], **resource["attributes"]}, status_code=status)
        return JSONResponse({"data": resource}, status_code=status)

    def get_goods_out(self, request: Request, tenant: str, body: Any) -> Response:
        return JSONResponse({"data": self.store.goods_out(tenant, self._path_id(request))})

    def _ids(self, body: Any, schema: str = "ProcessPicksRequest") -> list[int]:
        """The `ids` of a process request; an empty or missing list is left to the store (error 36)."""
        if self.faults.active(m.CRASH_ON_BAD_IDS) and isinstance(body, dict) and isinstance(body.get("ids"), list):
            return [int(i) for i in body["ids"]]  # ValueError/TypeError on non-integers: an unhandled 500
        if not isinstance(body, dict):
            raise ClarusError(422, "validation_error", "invalid_request", "the body must be a JSON object")
        if body.get("ids") in (None, []):
            return []
        if self.faults.active(m.INVALID_ACCEPTED):
            ids = body["ids"] if isinstance(body["ids"], list) else []
            return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
        error = validation.first_error(self.validators[schema], body)
        if error is not None:
            raise error_37(f"{validation.pointer(error)}: {error.message[:200]}")
        # JSON Schema counts 36.0 as an integer, so a faithful server accepts it too.
        return [int(i) for i in body["ids"]]

    def process_picks(self, request: Request, tenant: str, body: Any) -> Response:
        ids = self._ids(body)
        if self.faults.active(m.INVALID_ACCEPTED) and not ids:
            return JSONResponse({"process_references": []})  # what was not an ID was silently dropped
        references = self.store.process(tenant, ids, consolidate=False)
        if self.faults.active(m.UNDOCUMENTED_STATUS):
            return JSONResponse(references, status_code=202)
        if self.faults.active(m.NO_PROCESS_REFERENCES):
            return JSONResponse({"process_references": []})
        return JSONResponse({"process_references": references})

    def consolidate_picks(self, request: Request, tenant: str, body: Any) -> Response:
        ids = self._ids(body, "ConsolidatePicksRequest")
        return JSONResponse({"process_references": self.store.process(tenant, ids, consolidate=True)})

    async def graphql_endpoint(self, request: Request) -> Response:
        try:
            tenant = self._tenant(request)
        except ClarusError as error:
            return error_response(error, self.faults)
        try:
            payload = json.loads(await request.body())
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return JSONResponse(
                {"errors": [{"message": "expected a JSON object with a 'query' string"}]}, status_code=400
            )
        variables = payload.get("variables")
        operation = payload.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return JSONResponse({"errors": [{"message": "'variables' must be an object"}]}, status_code=400)
        if operation is not None and not isinstance(operation, str):
            return JSONResponse({"errors": [{"message": "'operationName' must be a string"}]}, status_code=400)
        return JSONResponse(self.graphql.execute(tenant, payload["query"], variables, operation))


def _delivery_to(body: Any) -> str:
    """A goods-out body's delivery address, as a refusal's detail may quote it (variant clarus-address-in-errors)."""
    address = _at(body, ("data", "relationships", "address", "data", "attributes"))
    if not isinstance(address, dict):
        return ""
    return f" (delivery to {address.get('name', '')}, {address.get('address_1', '')})"


def _at(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document
