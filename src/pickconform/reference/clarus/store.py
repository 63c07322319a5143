"""Clarus WMS domain state and rules: tenants, tokens, products, stock, goods outs and pick processing requests."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pickconform.reference.clarus import mutants as m
from pickconform.reference.mutants import Faults
from pickconform.reference.storage import Database

SCHEMA = """
CREATE TABLE clients (client_id TEXT PRIMARY KEY, secret TEXT NOT NULL, tenant TEXT NOT NULL);
CREATE TABLE tokens (token TEXT PRIMARY KEY, tenant TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, warehouse_id INTEGER NOT NULL, status TEXT NOT NULL,
    attributes TEXT NOT NULL, lines TEXT NOT NULL);
CREATE TABLE stock (
    tenant TEXT NOT NULL, product_id INTEGER NOT NULL, warehouse_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0, allocated INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, product_id, warehouse_id));
CREATE TABLE goods_outs (
    id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, reference TEXT NOT NULL, warehouse_id INTEGER NOT NULL,
    status_id INTEGER NOT NULL, pick_type TEXT NOT NULL, processed INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL, lines TEXT NOT NULL, address TEXT);
CREATE TABLE pick_processing_requests (
    id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, process_reference TEXT NOT NULL, goods_out_id INTEGER NOT NULL,
    goods_out_reference TEXT NOT NULL, status TEXT NOT NULL, message TEXT, due_at REAL NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX ppr_pending ON pick_processing_requests (status, due_at);
"""

PENDING, ALLOCATED, DRAFT = 2, 5, 1
PROCESSABLE = (PENDING, ALLOCATED)
TOKEN_LIFETIME = 3600
PICK_LIST_DELAY = 0.1  # how long a pick processing request stays pending: long enough to be observed
SLOW_PICK_LIST_DELAY = 1.0  # a slower target, still well within the suite's polling deadline
IN_FLIGHT_HOLD = 0.1  # how long a request holds its orders and stock in the 409 variant: a simultaneous one meets it


@dataclass
class ClarusError(Exception):
    """A refusal, rendered as a JSON:API error document."""

    status: int
    code: str
    title: str
    detail: str
    pointer: str | None = None


def error_36() -> ClarusError:
    return ClarusError(422, "36", "empty_ids_provided", "No order IDs provided", "/ids")


def error_37(detail: str) -> ClarusError:
    return ClarusError(422, "37", "invalid_ids_provided", detail, "/ids")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stock_unit_type_ids(faults: Faults) -> tuple[int, ...]:
    """The stock unit types every tenant has (master data a sandbox user is told): any id is taken by the faithful
    reference, whose suite default is 1; the variant knows only its own."""
    return (4, 7) if faults.active(m.TENANT_STOCK_UNIT_TYPES) else (1,)


class ClarusStore:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.faults = faults
        self.db = Database(SCHEMA)
        self._in_flight: set[tuple[str, str, int]] = set()  # orders and products a request holds (409 variant)
        self._in_flight_lock = threading.Lock()
        with self.db.write() as db:
            db.executemany(
                "INSERT INTO clients VALUES (?, ?, ?)",
                [(client_id, secret, tenant) for tenant, (client_id, secret) in clients.items()],
            )

    # --- authentication ---------------------------------------------------------------------------------------

    def issue_token(self, client_id: str, secret: str) -> str | None:
        with self.db.write() as db:
            row = db.execute("SELECT secret, tenant FROM clients WHERE client_id = ?", (client_id,)).fetchone()
            if row is None or not secrets.compare_digest(row["secret"], secret):
                return None
            token = secrets.token_urlsafe(24)
            db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, row["tenant"], time.time() + TOKEN_LIFETIME))
            return token

    def tenant_of(self, token: str) -> str | None:
        with self.db.read() as db:
            row = db.execute("SELECT tenant, expires_at FROM tokens WHERE token = ?", (token,)).fetchone()
        return row["tenant"] if row and row["expires_at"] > time.time() else None

    # --- records ----------------------------------------------------------------------------------------------

    def _scope(self, tenant: str) -> tuple[str, tuple[str, ...]]:
        """The WHERE clause that keeps a tenant to its own records."""
        if self.faults.active(m.SUBDOMAIN_IGNORED):
            return "1 = 1", ()
        return "tenant = ?", (tenant,)

    def _require_products(self, db: sqlite3.Connection, tenant: str, lines: list[dict[str, Any]], at: str) -> None:
        for index, line in enumerate(lines):
            product_id = line.get("product_id")
            if product_id is None:
                continue
            row = db.execute("SELECT 1 FROM products WHERE id = ? AND tenant = ?", (product_id, tenant)).fetchone()
            if row is None:
                raise ClarusError(
                    422, "validation_error", "invalid_product", f"product {product_id} does not exist",
                    f"{at}/{index}/attributes/product_id",
                )  # fmt: skip

    def create_product(self, tenant: str, attributes: dict[str, Any]) -> dict[str, Any]:
        if self.faults.active(m.TENANT_STOCK_UNIT_TYPES) and attributes["stock_unit_type_id"] not in (
            known := stock_unit_type_ids(self.faults)
        ):
            raise ClarusError(
                422, "validation_error", "invalid_stock_unit_type",
                f"stock_unit_type_id {attributes['stock_unit_type_id']} is not one of the tenant's: {list(known)}",
                "/data/attributes/stock_unit_type_id",
            )  # fmt: skip
        with self.db.write() as db:
            cursor = db.execute(
                "INSERT INTO products (tenant, attributes) VALUES (?, ?)", (tenant, json.dumps(attributes))
            )
            return {"id": cursor.lastrowid, "type": "products", "attributes": attributes}

    def create_receipt(self, tenant: str, attributes: dict[str, Any]) -> dict[str, Any]:
        lines = [change["attributes"] for change in attributes.pop("lines_changes", [])]
        with self.db.write() as db:
            self._require_products(db, tenant, lines, "/data/attributes/lines_changes")
            cursor = db.execute(
                "INSERT INTO receipts (tenant, warehouse_id, status, attributes, lines) VALUES (?, ?, 'pending', ?, ?)",
                (tenant, attributes["warehouse_id"], json.dumps(attributes), json.dumps(lines)),
            )
            return _receipt_resource(cursor.lastrowid, attributes, "pending")

    def receive_receipt(self, tenant: str, receipt_id: int) -> dict[str, Any]:
        with self.db.write() as db:
            row = db.execute("SELECT * FROM receipts WHERE id = ? AND tenant = ?", (receipt_id, tenant)).fetchone()
            if row is None:
                raise ClarusError(404, "not_found", "not_found", f"goods in receipt {receipt_id} not found")
            if row["status"] != "pending":
                raise ClarusError(422, "validation_error", "receipt_not_pending", "the receipt is not PENDING")
            lines = json.loads(row["lines"])
            if not lines:
                raise ClarusError(422, "validation_error", "receipt_without_lines", "the receipt has no lines")
            for line in lines:
                db.execute(
                    "INSERT INTO stock (tenant, product_id, warehouse_id, quantity) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET quantity = quantity + excluded.quantity",
                    (tenant, line["product_id"], row["warehouse_id"], line["expected_quantity"]),
                )
            db.execute("UPDATE receipts SET status = 'received' WHERE id = ?", (receipt_id,))
            return _receipt_resource(receipt_id, json.loads(row["attributes"]), "received")

    def create_goods_out(self, tenant: str, attributes: dict[str, Any], address: Any) -> dict[str, Any]:
        changes = attributes.pop("lines_changes", [])
        lines = [c["attributes"] for c in changes if c.get("type") == "ADD"]
        if not lines and self.faults.active(m.LINES_REQUIRED):
            raise ClarusError(422, "validation_error", "lines_required", "a goods out needs lines", "/data/attributes")
        if "goods_out_status_id" in attributes and self.faults.active(m.STATUS_ON_CREATE_REFUSED):
            raise ClarusError(
                422, "validation_error", "read_only", "goods_out_status_id is read-only",
                "/data/attributes/goods_out_status_id",
            )  # fmt: skip
        if self.faults.active(m.ALWAYS_PENDING):
            attributes["goods_out_status_id"] = PENDING
        default_status = DRAFT if self.faults.active(m.CREATED_DRAFT) else PENDING
        status_id = attributes.setdefault("goods_out_status_id", default_status)
        if status_id not in (DRAFT, PENDING):
            raise ClarusError(
                422, "validation_error", "invalid_status", "a goods out is created DRAFT (1) or PENDING (2)",
                "/data/attributes/goods_out_status_id",
            )  # fmt: skip
        if self.faults.active(m.COUNTRY_CASE_INSENSITIVE) and isinstance(address, dict):
            country = address.get("attributes", {}).get("country_code")
            if isinstance(country, str):
                address["attributes"]["country_code"] = country.upper()
        attributes.setdefault("pick_type", "standard")
        attributes.setdefault("warehouse_id", 1)
        with self.db.write() as db:
            self._require_products(db, tenant, lines, "/data/attributes/lines_changes")
            cursor = db.execute(
                "INSERT INTO goods_outs (tenant, reference, warehouse_id, status_id, pick_type, attributes, lines,"
                " address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    tenant, attributes["reference"], attributes["warehouse_id"], status_id, attributes["pick_type"],
                    json.dumps(attributes), json.dumps(lines), json.dumps(address),
                ),
            )  # fmt: skip
            return self._goods_out_resource(db, cursor.lastrowid)

    def goods_out(self, tenant: str, goods_out_id: int) -> dict[str, Any]:
        where, args = self._scope(tenant)
        with self.db.read() as db:
            row = db.execute(f"SELECT id FROM goods_outs WHERE id = ? AND {where}", (goods_out_id, *args)).fetchone()
            if row is None:
                raise ClarusError(404, "not_found", "not_found", f"goods out {goods_out_id} not found")
            return self._goods_out_resource(db, goods_out_id)

    def _goods_out_resource(self, db: sqlite3.Connection, goods_out_id: int) -> dict[str, Any]:
        row = db.execute("SELECT * FROM goods_outs WHERE id = ?", (goods_out_id,)).fetchone()
        attributes = json.loads(row["attributes"]) | {"goods_out_status_id": row["status_id"]}
        attributes["lines_changes"] = [
            {"id": index + 1, "attributes": line} for index, line in enumerate(json.loads(row["lines"]))
        ]
        return {"id": row["id"], "type": "goods_outs", "attributes": attributes}

    # --- pick processing --------------------------------------------------------------------------------------

    def process(self, tenant: str, ids: list[int], *, consolidate: bool) -> list[str]:
        """Allocate the orders and queue their pick lists; all or nothing."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise error_37("No order IDs provided") if self.faults.active(m.EMPTY_IDS_WRONG_CODE) else error_36()
        if self.faults.active(m.CONCURRENT_CONFLICT):
            return self._process_holding(tenant, ids, consolidate)
        if self.faults.active(m.RACY_ALLOCATION):
            with self.db.read() as db:
                orders, demand = self._check(db, tenant, ids, consolidate)
            time.sleep(0.05)  # the window in which a concurrent request passes the same checks
            with self.db.write() as db:
                return self._allocate(db, tenant, orders, demand, consolidate)
        with self.db.write() as db:
            orders, demand = self._check(db, tenant, ids, consolidate)
            return self._allocate(db, tenant, orders, demand, consolidate)

    def _process_holding(self, tenant: str, ids: list[int], consolidate: bool) -> list[str]:
        """The 409 variant: a request holds its orders and their products while it runs; one that meets a held
        order or product is refused with 409 conflict instead of waiting its turn."""
        with self.db.read() as db:
            rows = db.execute(
                "SELECT id, lines FROM goods_outs WHERE id IN (SELECT value FROM json_each(?)) AND tenant = ?",
                (json.dumps(ids), tenant),
            ).fetchall()
        held = {(tenant, "order", row["id"]) for row in rows}
        held |= {(tenant, "product", line["product_id"]) for row in rows for line in json.loads(row["lines"])}
        with self._in_flight_lock:
            if held & self._in_flight:
                raise ClarusError(409, "conflict", "conflict", "another request is processing these orders or stock")
            self._in_flight |= held
        try:
            time.sleep(IN_FLIGHT_HOLD)
            with self.db.write() as db:
                orders, demand = self._check(db, tenant, ids, consolidate)
                return self._allocate(db, tenant, orders, demand, consolidate)
        finally:
            with self._in_flight_lock:
                self._in_flight -= held

    def _check(
        self, db: sqlite3.Connection, tenant: str, ids: list[int], consolidate: bool
    ) -> tuple[list[sqlite3.Row], dict[tuple[int, int], int]]:
        where, args = self._scope(tenant)
        rows = db.execute(
            f"SELECT * FROM goods_outs WHERE id IN (SELECT value FROM json_each(?)) AND {where}",
            (json.dumps(ids), *args),
        ).fetchall()
        found = {row["id"]: row for row in rows}
        missing = [i for i in ids if i not in found]
        if missing and self.faults.active(m.OTHER_TENANT_NOT_FOUND):
            elsewhere = db.execute(
                "SELECT id FROM goods_outs WHERE id IN (SELECT value FROM json_each(?)) AND tenant != ?",
                (json.dumps(missing), tenant),
            ).fetchall()
            if elsewhere:
                raise ClarusError(404, "not_found", "not_found", f"goods out {elsewhere[0]['id']} not found")
        if missing and not self.faults.active(m.UNKNOWN_IDS_IGNORED):
            raise error_37(f"goods outs not found: {', '.join(map(str, missing[:20]))}")
        orders = [found[i] for i in ids if i in found]
        if not orders and not self.faults.active(m.UNKNOWN_IDS_IGNORED):
            raise error_37("none of the IDs exists")
        processed = [row["id"] for row in orders if row["processed"]]
        if processed and not self.faults.active(m.PROCESS_TWICE):
            raise ClarusError(
                422, "59", "goods_out_already_allocated", f"already processed: {', '.join(map(str, processed))}", "/ids"
            )
        empty = [row["id"] for row in orders if not json.loads(row["lines"])]
        if empty and self.faults.active(m.EMPTY_ORDER_NOT_PROCESSABLE):
            raise ClarusError(422, "62", "goods_out_without_lines", f"no lines to pick: {empty[0]}", "/ids")
        if not self.faults.active(m.STATUS_PREREQ_IGNORED):
            ineligible = [row["id"] for row in orders if row["status_id"] not in PROCESSABLE]
            if ineligible and self.faults.active(m.DRAFT_OWN_CODE):
                raise ClarusError(422, "61", "goods_out_not_processable", "not PENDING or ALLOCATED", "/ids")
            if ineligible:
                raise error_37(f"not PENDING or ALLOCATED: {', '.join(map(str, ineligible))}")
        if (
            consolidate
            and len({row["pick_type"] for row in orders}) > 1
            and not self.faults.active(m.CONSOLIDATE_MIXED)
        ):
            raise ClarusError(
                422, "318", "goods_outs_with_different_pick_types_cannot_be_consolidated",
                "orders with different pick types cannot be consolidated", "/ids",
            )  # fmt: skip
        demand: dict[tuple[int, int], int] = defaultdict(int)
        for row in orders:
            if row["status_id"] == ALLOCATED:
                continue  # already holds its stock
            for line in json.loads(row["lines"]):
                demand[(line["product_id"], row["warehouse_id"])] += line["order_quantity"]
        if not self.faults.active(m.INSUFFICIENT_STOCK_ACCEPTED):
            for (product_id, warehouse_id), quantity in demand.items():
                stock = db.execute(
                    "SELECT quantity - allocated AS free FROM stock"
                    " WHERE tenant = ? AND product_id = ? AND warehouse_id = ?",
                    (orders[0]["tenant"], product_id, warehouse_id),
                ).fetchone()
                if stock is None or stock["free"] < quantity:
                    raise ClarusError(
                        422, "39", "not_enough_stocks_for_picking",
                        f"product {product_id} in warehouse {warehouse_id}: {quantity} needed, "
                        f"{stock['free'] if stock else 0} available", "/ids",
                    )  # fmt: skip
        return orders, demand

    def _allocate(
        self,
        db: sqlite3.Connection,
        tenant: str,
        orders: list[sqlite3.Row],
        demand: dict[tuple[int, int], int],
        consolidate: bool,
    ) -> list[str]:
        for (product_id, warehouse_id), quantity in demand.items():
            db.execute(
                "INSERT INTO stock (tenant, product_id, warehouse_id, allocated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO UPDATE SET allocated = allocated + excluded.allocated",
                (tenant, product_id, warehouse_id, quantity),
            )
        per_order = not consolidate or self.faults.active(m.CONSOLIDATE_REFERENCE_PER_ORDER)
        shared = not per_order or self.faults.active(m.ONE_REFERENCE_PER_REQUEST)
        references: list[str] = []
        delay = SLOW_PICK_LIST_DELAY if self.faults.active(m.SLOW_PICK_LISTS) else PICK_LIST_DELAY
        now, due = _now(), time.monotonic() + delay
        for row in orders:
            db.execute("UPDATE goods_outs SET status_id = ?, processed = 1 WHERE id = ?", (ALLOCATED, row["id"]))
            if not references or not shared:
                references.append(secrets.token_hex(6))
            db.execute(
                "INSERT INTO pick_processing_requests (tenant, process_reference, goods_out_id, goods_out_reference,"
                " status, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                (tenant, references[-1], row["id"], row["reference"], due, now, now),
            )
        return references

    def finish_due_requests(self) -> float | None:
        """Generate the pick lists that are due; returns when the next one is due (monotonic), if any."""
        if self.faults.active(m.STUCK_PENDING):
            return None
        now = time.monotonic()
        with self.db.write() as db:
            due = db.execute(
                "SELECT p.id, g.lines FROM pick_processing_requests p JOIN goods_outs g ON g.id = p.goods_out_id"
                " WHERE p.status = 'pending' AND p.due_at <= ?",
                (now,),
            ).fetchall()
            for row in due:
                if json.loads(row["lines"]) or self.faults.active(m.EMPTY_ORDER_COMPLETES):
                    status, message = "completed", "Pick list generated"
                else:
                    status, message = "failed", "The goods out has no lines to pick"
                db.execute(
                    "UPDATE pick_processing_requests SET status = ?, message = ?, updated_at = ? WHERE id = ?",
                    (status, message, _now(), row["id"]),
                )
            upcoming = db.execute(
                "SELECT min(due_at) FROM pick_processing_requests WHERE status = 'pending'"
            ).fetchone()
        return upcoming[0]

    def pick_processing_requests(self, tenant: str) -> list[dict[str, Any]]:
        where, args = self._scope(tenant)
        with self.db.read() as db:
            rows = db.execute(f"SELECT * FROM pick_processing_requests WHERE {where} ORDER BY id", args).fetchall()
        return [
            {key: row[key] for key in row.keys() if key not in ("tenant", "due_at")}  # noqa: SIM118 (a Row iterates values)
            | {
                "id": str(row["id"]),
                "goods_out": {"id": str(row["goods_out_id"]), "reference": row["goods_out_reference"]},
            }
            for row in rows
        ]


def _receipt_resource(receipt_id: int | None, attributes: dict[str, Any], status: str) -> dict[str, Any]:
    return {"id": receipt_id, "type": "goods_in_receipts", "attributes": attributes | {"status": status}}
