"""The Butler HTTP surface: the pick service request API, and the control protocol (specs/butler/CONTROL.md)."""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from pickconform.butler.spec import CANCEL, MODIFY, OPENAPI, SERVICE_REQUEST
from pickconform.reference import validation
from pickconform.reference.butler import mutants as m
from pickconform.reference.butler.store import EXCEPTIONS, ButlerError, ButlerStore
from pickconform.reference.mutants import Faults

CAPABILITIES = ("callback", "inventory", "hold", "rack", "pick", "finish")
Handler = Callable[[Request, Any], Any]
_REASONS = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity"}


def _schema_patch(faults: Faults) -> Callable[[dict[str, Any]], None] | None:
    """Mutants that loosen or tighten what create accepts do it by editing the schema the reference validates with."""

    def patch(schemas: dict[str, Any]) -> None:
        if faults.active(m.FILTER_UNCHECKED):
            del schemas["FilterParameter"]["pattern"]
        if faults.active(m.CRITICAL_REFUSED):
            schemas["PickAttributes"]["properties"]["simple_priority"] = {"enum": ["normal", "high", "low"]}

    return patch if faults.active(m.FILTER_UNCHECKED) or faults.active(m.CRITICAL_REFUSED) else None


class ButlerHTTP:
    def __init__(self, store: ButlerStore, faults: Faults, token: str, wake: Callable[[], None]) -> None:
        self.store, self.faults, self._token, self._wake = store, faults, token, wake
        patch = validation.compose(
            _schema_patch(faults),
            validation.nullable_optionals if faults.active(m.NULL_OPTIONAL) else None,
            validation.without_inferred if faults.active(m.BEYOND_INFERRED_LIMITS) else None,
        )
        self.validators = {
            name: validation.validator(OPENAPI, name, patch)
            for name in ("PickServiceRequest", "CancelRequest", "ModifyRequest")
        }
        self.app = Starlette(
            routes=[
                Route(SERVICE_REQUEST, self._guard(self.create), methods=["POST"]),
                Route(CANCEL, self._guard(self.cancel), methods=["POST"]),
                Route(MODIFY, self._guard(self.modify), methods=["POST"]),
                Route("/control/capabilities", self._guard(self.capabilities), methods=["GET"]),
                Route("/control/callback", self._guard(self.register_callback), methods=["PUT"]),
                Route("/control/inventory/{sku}", self._guard(self.put_inventory), methods=["PUT"]),
                Route("/control/allocation", self._guard(self.allocation), methods=["PUT"]),
                Route("/control/pick-requests/{external_id}/first-rack", self._guard(self.rack), methods=["POST"]),
                Route("/control/pick-requests/{external_id}/picks", self._guard(self.pick), methods=["POST"]),
                Route("/control/pick-requests/{external_id}/finish", self._guard(self.finish), methods=["POST"]),
            ]
        )

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _error(self, error: ButlerError) -> Response:
        if self.faults.active(m.ERRORS_PLAIN_TEXT):
            return PlainTextResponse(error.message, status_code=error.status)
        body = {"status": error.status, "error": _REASONS.get(error.status, "Error"), "message": error.message}
        return JSONResponse(body, status_code=error.status)

    def _guard(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authenticate, parse the body, turn refusals into error documents, and wake the delivery thread."""

        async def endpoint(request: Request) -> Response:
            try:
                scheme, _, token = request.headers.get("authorization", "").partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), self._token.encode()):
                    raise ButlerError(401, "missing or invalid OAuth token")
                body: Any = None
                if request.method != "GET":
                    raw = await request.body()
                    try:
                        body = json.loads(raw) if raw.strip() else None
                    except (ValueError, RecursionError):
                        raise ButlerError(400, "the body is not JSON") from None
                result = handler(request, body)
            except ButlerError as error:
                return self._error(error)
            finally:
                self._wake()
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    def _validated(self, schema: str, body: Any) -> dict[str, Any]:
        error = validation.first_error(self.validators[schema], body)
        if error is not None:
            raise ButlerError(400, f"{validation.pointer(error)}: {error.message[:300]}")
        return validation.without_nulls(body) if self.faults.active(m.NULL_OPTIONAL) else body

    def _known(self, body: Any) -> None:
        if not self.faults.active(m.CRASH_ON_UNKNOWN_REQUEST) or not isinstance(body, dict):
            return
        external_id = body.get("externalServiceRequestId")
        with self.store.db.read() as conn:
            found = conn.execute("SELECT 1 FROM pick_requests WHERE external_id = ?", (str(external_id),)).fetchone()
        if found is None:
            raise KeyError(external_id)  # an unhandled error: 500

    # --- the API ----------------------------------------------------------------------------------------------

    def create(self, request: Request, body: Any) -> Any:
        if self.faults.active(m.EXTERNAL_ID_REQUIRED) and isinstance(body, dict):
            lines = body.get("serviceRequests") if isinstance(body.get("serviceRequests"), list) else []
            if any(not isinstance(r, dict) or "externalServiceRequestId" not in r for r in [body, *lines]):
                raise ButlerError(400, "externalServiceRequestId is required")
        created = self.store.create(self._validated("PickServiceRequest", body))
        if self.faults.active(m.CREATED_AS_TEXT):
            return PlainTextResponse(json.dumps(created))
        return created

    def cancel(self, request: Request, body: Any) -> Any:
        self._known(body)
        with self._transaction_refusals():
            outcome = self.store.cancel(self._validated("CancelRequest", body)["externalServiceRequestId"])
        return {"id": outcome.transaction, "externalServiceRequestId": outcome.external_id, "type": "PICK"}

    def modify(self, request: Request, body: Any) -> Any:
        self._known(body)
        with self._transaction_refusals():
            outcome = self.store.modify(self._validated("ModifyRequest", body))
        return {"id": outcome.transaction, "externalServiceRequestId": outcome.external_id, "type": "PICK"}

    @contextlib.contextmanager
    def _transaction_refusals(self) -> Iterator[None]:
        """The status of a refused cancel or modify: 400 here, 422 in a variant (the seed gives none)."""
        try:
            yield
        except ButlerError as error:
            if error.status == 400 and self.faults.active(m.TRANSACTION_ERRORS_422):
                raise ButlerError(422, error.message) from None
            raise

    # --- the control protocol -----------------------------------------------------------------------------------

    def capabilities(self, request: Request, body: Any) -> Any:
        return {"capabilities": list(CAPABILITIES)}

    @staticmethod
    def _field(body: Any, name: str, kind: type, required: bool = True) -> Any:
        value = body.get(name) if isinstance(body, dict) else None
        if value is None and not required:
            return None
        if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
            raise ButlerError(400, f"'{name}' must be {kind.__name__}")
        return value

    def register_callback(self, request: Request, body: Any) -> Any:
        url = self._field(body, "url", str)
        if not url.startswith(("http://", "https://")):
            raise ButlerError(400, "'url' must be an http(s) URL")
        self.store.set_setting("callback_url", url)
        return {"url": url}

    def put_inventory(self, request: Request, body: Any) -> Any:
        quantity = self._field(body, "quantity", int)
        if quantity < 0:
            raise ButlerError(400, "'quantity' must not be negative")
        return self.store.put_inventory(request.path_params["sku"], quantity)

    def allocation(self, request: Request, body: Any) -> Any:
        hold = self._field(body, "hold", bool)
        self.store.hold_allocation(hold)
        return {"hold": hold}

    def rack(self, request: Request, body: Any) -> Any:
        return self.store.reach_first_rack(request.path_params["external_id"])

    def pick(self, request: Request, body: Any) -> Any:
        quantity = self._field(body, "quantity", int)
        line = self._field(body, "line", str, required=False)
        exception = self._field(body, "exception", str, required=False)
        if quantity < 1:
            raise ButlerError(400, "'quantity' must be at least 1")
        if exception is not None and exception not in EXCEPTIONS:
            raise ButlerError(400, f"'exception' must be one of {', '.join(EXCEPTIONS)}")
        return self.store.pick(request.path_params["external_id"], line, quantity, exception)

    def finish(self, request: Request, body: Any) -> Any:
        return self.store.finish(request.path_params["external_id"])
