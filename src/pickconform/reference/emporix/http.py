"""The Emporix pick-pack HTTP surface: token endpoint, recalculation jobs, orders, packing events, control protocol.

Every request passes the same gate, in this order: a valid token (401), a well-formed path (400 where the operation
documents 400, else 404), the token's tenant (403), the operation's scope (403). Then the handler runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from pickconform.paths import SPECS
from pickconform.reference import validation
from pickconform.reference.emporix import mutants as m
from pickconform.reference.emporix.store import MANAGE, TOKEN_LIFETIME, VIEW, EmporixError, EmporixStore, Grant
from pickconform.reference.mutants import Faults

SPEC = SPECS / "emporix" / "openapi.yaml"
TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")  # ^[a-z][a-z0-9]+$, 3-16 characters
ACCESS_TOKEN_EXPIRED = "keymanagement.service.access_token_expired"
JOB_ID = re.compile(r"[a-zA-Z0-9_-]{3,16}")
CONTROL_ORDER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
Handler = Callable[[Request, str, Any], Awaitable[Response]]


class EmporixHTTP:
    def __init__(self, store: EmporixStore, faults: Faults) -> None:
        self.store, self.faults = store, faults
        self.validators = {
            "RecalculationRequest": validation.validator(
                SPEC,
                "RecalculationRequest",
                validation.without_inferred if faults.active(m.BEYOND_INFERRED_LIMITS) else None,
            ),
            # A sandbox may take events with fewer fields than the vendor requires: events only set up AUTOMATIC jobs.
            "PackingEventCreate": validation.validator(SPEC, "PackingEventCreate", _event_needs_ids_only),
        }
        # One route per path, each parameter one path segment: a wrong method on a known path is 405 with every
        # method the path takes in `Allow` (Starlette answers it before the gate), and no parameter swallows a
        # sub-path (`/orders/0/assignees` is no order).
        jobs = "/pick-pack/{tenant}/jobs/recalculations"
        self.app = Starlette(
            routes=[
                Route("/oauth/token", self.token, methods=["POST"]),
                Route(jobs, self._gate(self.trigger_job, MANAGE, malformed=400), methods=["POST"]),
                Route(jobs + "/{jobId}", self._gate(self.get_job, VIEW, malformed=404), methods=["GET"]),
                Route(
                    "/pick-pack/{tenant}/orders/{orderId}",
                    self._gate(self.get_order, VIEW, malformed=404),
                    methods=["GET"],
                ),
                _route(
                    "/pick-pack/{tenant}/events",
                    GET=self._gate(self.list_events, VIEW),
                    POST=self._gate(self.create_event, MANAGE),
                ),
                Route(
                    "/_control/pick-pack/{tenant}/orders/{orderId}",
                    self._gate(self.seed_order, MANAGE),
                    methods=["PUT"],
                ),
            ],
            # Paths no route matches (an empty tenant, a tenant or id with a `/` in it, a line break) are malformed
            # requests of the pick-pack API, answered as such (401 first, then 400 for POST, 404 otherwise).
            exception_handlers={404: self._unrouted},
        )

    # --- plumbing ---------------------------------------------------------------------------------------------

    def error(self, error: EmporixError) -> Response:
        if error.status == 401:  # api.yml Unauthorized_401: its UnauthorizedExample, or its AccessTokenExpiredExample
            if error.type == "expired" and self.faults.active(m.EXPIRED_TOKEN_ERRORCODE):
                fault = {"faultstring": "Access Token expired", "detail": {"errorcode": ACCESS_TOKEN_EXPIRED}}
            else:
                fault = {"faultstring": "Invalid access token", "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}
            body: dict[str, Any] = {"fault": fault}
        elif error.status == 403:
            body = {"status": "FORBIDDEN", "code": 403, "message": error.message, "details": [error.type]}
        elif self.faults.active(m.PLAIN_TEXT_ERRORS) and error.status in (400, 404, 409):
            return PlainTextResponse(error.message, status_code=error.status)
        else:
            status = error.status + 1 if self.faults.active(m.ERROR_CODE_MISMATCH) else error.status
            if self.faults.active(m.ERROR_BODY_CURRENT):  # the vendor's current errorMessage
                body = {"code": status, "message": error.type, "detailInfo": error.message}
            else:  # the vendor's v1 errorMessage
                body = {"status": status, "type": error.type, "message": error.message}
        return JSONResponse(body, status_code=error.status)

    def _authenticate(self, request: Request, tenant: str) -> Grant:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.store.grant(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if grant is None and self.faults.active(m.AUTH_NOT_ENFORCED):
            return Grant(tenant, frozenset((VIEW, MANAGE)))
        if grant is None and self.store.expired(token.strip()):
            raise EmporixError(401, "expired", "Access Token expired")
        if grant is None:
            raise EmporixError(401, "unauthorized", "Invalid access token")
        return grant

    def _tenant(self, raw: str, malformed: int) -> str:
        if self.faults.active(m.TENANT_PATTERN_IGNORED):
            return raw.lower()
        if not TENANT.fullmatch(raw):
            status = 400 if self.faults.active(m.MALFORMED_PATH_400) else malformed
            raise EmporixError(status, "validation_failure", "tenant must match ^[a-z][a-z0-9]+$, 3-16 characters")
        return raw

    def _authorize(self, grant: Grant, tenant: str, scope: str) -> None:
        if grant.tenant != tenant:
            raise EmporixError(403, "tenant_mismatch", "the token belongs to another tenant")
        ignored = (scope == MANAGE and self.faults.active(m.MANAGE_SCOPE_IGNORED)) or (
            scope == VIEW and self.faults.active(m.VIEW_SCOPE_IGNORED)
        )
        if scope not in grant.scopes and not ignored:
            raise EmporixError(403, "insufficient_scope", f"the endpoint requires the scope {scope}")

    def _gate(self, handler: Handler, scope: str, malformed: int = 400) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                raw_tenant = request.path_params["tenant"]
                if handler == self.trigger_job and self.faults.active(m.BODY_FIRST):
                    self._validated("RecalculationRequest", _json(await request.body()))
                grant = self._authenticate(request, raw_tenant)
                if self.faults.active(m.TENANT_FIRST) and grant.tenant != raw_tenant:
                    raise EmporixError(403, "tenant_mismatch", "the token belongs to another tenant")
                tenant = self._tenant(raw_tenant, malformed)
                self._authorize(grant, tenant, scope)
                body: Any = None
                if request.method in ("POST", "PUT"):
                    body = _json(await request.body())
                return await handler(request, tenant, body)
            except EmporixError as error:
                return self.error(error)

        return endpoint

    def _validated(self, schema: str, body: Any) -> Any:
        error = validation.first_error(self.validators[schema], body)
        if error is not None:
            raise EmporixError(400, "validation_failure", f"{validation.pointer(error)}: {error.message[:300]}")
        return body

    # --- endpoints --------------------------------------------------------------------------------------------

    async def _unrouted(self, request: Request, exc: Exception) -> Response:
        return await self.malformed(request)

    async def malformed(self, request: Request) -> Response:
        try:
            self._authenticate(request, "")
        except EmporixError as error:
            return self.error(error)
        status = 400 if request.method == "POST" or self.faults.active(m.MALFORMED_PATH_400) else 404
        return self.error(EmporixError(status, "validation_failure", "no pick-pack operation at this path"))

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        lifetime = form.get("expires_in", str(TOKEN_LIFETIME))
        if not lifetime.isdigit() or int(lifetime) > TOKEN_LIFETIME:
            return JSONResponse({"error": "invalid_request", "error_description": "expires_in: 0-3600"}, 400)
        try:
            token, scopes = self.store.issue_token(
                form.get("client_id", ""), form.get("client_secret", ""), form.get("scope"), int(lifetime)
            )
        except EmporixError as error:
            return JSONResponse({"error": error.type, "error_description": error.message}, status_code=error.status)
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": int(lifetime), "scope": scopes}
        )

    async def trigger_job(self, request: Request, tenant: str, body: Any) -> Response:
        if self.faults.active(m.INVALID_ACCEPTED):
            body = body if isinstance(body, dict) else {}
            job_type = "AUTOMATIC" if body.get("jobType") == "AUTOMATIC" else "MANUAL"
            order_ids = [str(i) for i in body.get("orderIds") or [] if isinstance(body.get("orderIds"), list)]
        else:
            self._validated("RecalculationRequest", body)
            job_type, order_ids = body["jobType"], body.get("orderIds") or []
        if job_type == "MANUAL" and not order_ids and not self.faults.active(m.MANUAL_WITHOUT_IDS):
            raise EmporixError(400, "validation_failure", "a MANUAL job needs at least one order in orderIds")
        if job_type == "AUTOMATIC" and order_ids and self.faults.active(m.CRASH_ON_AUTOMATIC_IDS):
            raise TypeError("AUTOMATIC jobs take no orderIds")  # unhandled: Starlette answers 500
        job_id = self.store.create_job(tenant, job_type, order_ids)
        return JSONResponse({"jobId": job_id}, status_code=201 if self.faults.active(m.UNDOCUMENTED_STATUS) else 200)

    async def get_job(self, request: Request, tenant: str, body: Any) -> Response:
        job_id = request.path_params["jobId"]
        if self.faults.active(m.JOB_ID_NORMALISED):
            job_id = re.sub(r"[^a-zA-Z0-9_-]", "", job_id)
        elif not JOB_ID.fullmatch(job_id):
            status = 400 if self.faults.active(m.MALFORMED_PATH_400) else 404
            raise EmporixError(status, "not_found", "jobId must match [a-zA-Z0-9_-]+, 3-16 characters")
        job = self.store.job(tenant, job_id)
        if job is None:
            if self.faults.active(m.UNKNOWN_JOB_EMPTY_200):
                return Response(b"", status_code=200, media_type="application/json")
            raise EmporixError(404, "not_found", "Recalculation job not found")
        return JSONResponse(job)

    async def get_order(self, request: Request, tenant: str, body: Any) -> Response:
        order = self.store.order(tenant, request.path_params["orderId"])
        if order is None:
            raise EmporixError(404, "not_found", "Order not found")
        return JSONResponse(order)

    async def list_events(self, request: Request, tenant: str, body: Any) -> Response:
        query = request.query_params
        after = None
        if "timestamp" in query:
            after = _event_time(query["timestamp"])
        page = _integer(query.get("pageNumber", "0"), "pageNumber", 0, 10**9)  # 0-based, as the vendor's minimum 0
        size = _integer(query.get("pageSize", "20000"), "pageSize", 0, 20000)
        return JSONResponse(self.store.events(tenant, after, page, size))

    async def create_event(self, request: Request, tenant: str, body: Any) -> Response:
        if not request.headers.get("saas-token", "").strip():
            raise EmporixError(400, "validation_failure", "the saas-token header is required")
        self.store.add_event(tenant, self._validated("PackingEventCreate", body))
        return JSONResponse({"message": "Event created", "code": 200})

    async def seed_order(self, request: Request, tenant: str, body: Any) -> Response:
        order_id = request.path_params["orderId"]
        body = body if body is not None else {}
        if not CONTROL_ORDER_ID.fullmatch(order_id) or not isinstance(body, dict):
            raise EmporixError(400, "validation_failure", "orderId must match ^[A-Za-z0-9_-]+$; the body an object")
        site_code, status = body.get("siteCode", "main"), body.get("packingStatus", "INITIAL")
        if not isinstance(site_code, str) or status not in ("INITIAL", "CANCELLED"):
            raise EmporixError(400, "validation_failure", "siteCode is a string, packingStatus INITIAL or CANCELLED")
        return JSONResponse(self.store.seed_order(tenant, order_id, site_code, status))


def _route(path: str, **by_method: Callable[[Request], Awaitable[Response]]) -> Route:
    """One route for the methods of a path (HEAD answers as GET), so a 405 lists them all in `Allow`."""

    async def endpoint(request: Request) -> Response:
        return await by_method["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, endpoint, methods=list(by_method))


# The vendor's timestamp parameter: "pattern: 'yyyy-MM-dd''T''HH:mm:ssZ'", a Java date pattern whose `Z` is an RFC 822
# offset (+0000). RFC 3339 date-times (2020-09-14T13:35:18Z, the form of the vendor's event examples) are accepted too.
JAVA_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}")


def _event_time(raw: str) -> datetime:
    if JAVA_TIMESTAMP.fullmatch(raw):
        try:
            return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            pass
    elif validation.FORMATS.conforms(raw, "date-time"):
        return datetime.fromisoformat(raw.upper())
    message = "timestamp must be yyyy-MM-dd'T'HH:mm:ssZ (e.g. 2020-09-14T13:35:18+0000)"
    raise EmporixError(400, "validation_failure", message)


def _json(raw: bytes) -> Any:
    """The request body as JSON; None when it is empty."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise EmporixError(400, "invalid_json", "the body is not JSON") from None


def _integer(raw: str, name: str, low: int, high: int) -> int:
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise EmporixError(400, "validation_failure", f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _event_needs_ids_only(schemas: dict[str, Any]) -> None:
    schemas["PackingEventCreate"]["required"] = ["eventId", "orderNumber", "productId"]
