"""Butler domain state and rules: pick requests, inventory blocking, the lifecycle, cancel and modify transactions.

Every change of a pick request and the notifications it causes are written in one transaction (the outbox), so a
notification is never lost or sent for a change that did not happen; `delivery.Delivery` sends them afterwards.
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pickconform.butler.spec import lifecycle
from pickconform.reference.butler import mutants as m
from pickconform.reference.mutants import Faults
from pickconform.reference.storage import Database

SCHEMA = """
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ids (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL);
CREATE TABLE inventory (sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL, blocked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE pick_requests (
    external_id TEXT PRIMARY KEY, id INTEGER NOT NULL, state TEXT NOT NULL, document TEXT NOT NULL,
    seq INTEGER NOT NULL);
CREATE TABLE transactions (id INTEGER PRIMARY KEY AUTOINCREMENT, external_id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id INTEGER NOT NULL, notification_type TEXT NOT NULL,
    data TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL DEFAULT 0);
CREATE INDEX outbox_pending ON outbox (status, seq);
"""

EXCEPTIONS = ("item_missing", "physically_damaged", "unscannable")
_SKU = re.compile(r"^\s*product_sku\s*=\s*'([^']*)'\s*$")


class ButlerError(Exception):
    """A refusal: 400 bad data, 404 unknown (control), 409 wrong state (control)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Outcome:
    transaction: int
    external_id: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _sku(filters: list[str]) -> str | None:
    for text in filters:
        if found := _SKU.match(text):
            return found.group(1)
    return None


def assigned_id(internal_id: int) -> str:
    """The externalServiceRequestId the reference gives a request or line created without one: the vendor's object page
    calls it optional ("Even if this is not provided, there is an internal unique id of each service request")."""
    return f"sr-{internal_id}"


def _line(raw: dict[str, Any], new_id: int) -> dict[str, Any]:
    product = raw["expectations"]["containers"][0]["products"][0]
    filters = product["productAttributes"]["filter_parameters"]
    return {
        "id": new_id,
        "externalServiceRequestId": raw.get("externalServiceRequestId") or assigned_id(new_id),
        "filters": filters,
        "sku": _sku(filters),
        "quantity": int(product["productQuantity"]),
        "picked": 0,
        "missing": 0,
        "containers": [],
    }


class ButlerStore:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.lifecycle = lifecycle()
        self.db = Database(SCHEMA)

    # --- plumbing -------------------------------------------------------------------------------------------

    @staticmethod
    def _new_id(conn: sqlite3.Connection, kind: str) -> int:
        return int(conn.execute("INSERT INTO ids (kind) VALUES (?)", (kind,)).lastrowid or 0)

    @staticmethod
    def _load(conn: sqlite3.Connection, external_id: str, status: int = 400) -> dict[str, Any]:
        row = conn.execute("SELECT document FROM pick_requests WHERE external_id = ?", (external_id,)).fetchone()
        if row is None:
            raise ButlerError(status, f"no pick service request with externalServiceRequestId {external_id[:60]!r}")
        return json.loads(row["document"])

    @staticmethod
    def _save(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
        conn.execute(
            "UPDATE pick_requests SET state = ?, document = ? WHERE external_id = ?",
            (doc["state"], json.dumps(doc), doc["externalServiceRequestId"]),
        )

    def _notify(self, conn: sqlite3.Connection, doc: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
        conn.execute(
            "INSERT INTO outbox (request_id, notification_type, data) VALUES (?, ?, ?)",
            (doc["id"], kind, json.dumps(data)),
        )

    def _inform(self, conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
        self._notify(conn, doc, "order_information", self.snapshot(doc))

    def setting(self, key: str) -> str | None:
        with self.db.read() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_setting(self, key: str, value: str) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    # --- what is notified -----------------------------------------------------------------------------------

    def snapshot(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The complete current state of a pick request, as order_information carries it."""
        state = doc["state"]
        lines = []
        for line in doc["lines"]:
            if state == "not_fulfillable":
                line_state, line_status = "undefined", "FAILED"
            elif state == "created":
                line_state, line_status = "created", "CREATED"
            elif line["picked"] >= line["quantity"]:
                line_state, line_status = "complete", "PROCESSED"
            else:
                line_state, line_status = "fulfillable", "PROCESSING"
            lines.append(
                {
                    "state": line_state,
                    "status": line_status,
                    "externalServiceRequestId": line["externalServiceRequestId"],
                    "expectations": {
                        "containers": [
                            {
                                "products": [
                                    {
                                        "productQuantity": line["quantity"],
                                        "productAttributes": {"filter_parameters": line["filters"]},
                                    }
                                ]
                            }
                        ]
                    },
                    "actuals": {"containers": line["containers"]},
                    "type": "PICK_LINE",
                }
            )
        return {
            "type": "PICK",
            "state": state,
            "status": self.lifecycle.status[state],
            "externalServiceRequestId": doc["externalServiceRequestId"],
            "createdOn": doc["createdOn"],
            "expectations": {"containers": []},
            "serviceRequests": lines,
            "actuals": {"containers": doc["exceptions"]},
            "attributes": doc["attributes"] or {},
        }

    def created_object(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The create response: the stored object with ids, as the seed's example response shows it."""
        when = doc["createdOn"]
        lines = []
        for line in doc["lines"]:
            created_line = {
                "id": line["id"],
                "externalServiceRequestId": line["externalServiceRequestId"],
                "serviceRequests": None,
                "type": "PICK_LINE",
                "actuals": None,
                "expectations": {
                    "containers": [
                        {
                            "id": line["container_id"],
                            "state": None,
                            "type": "VIRTUAL",
                            "barcode": None,
                            "products": [
                                {
                                    "id": line["product_id"],
                                    "productQuantity": line["quantity"],
                                    "productAttributes": {"filter_parameters": line["filters"]},
                                    "createdOn": when,
                                    "updatedOn": when,
                                }
                            ],
                            "createdOn": when,
                            "updatedOn": when,
                        }
                    ]
                },
                "receivedOn": when,
                "status": "CREATED",
                "state": "CREATED",
                "attributes": None,
                "createdOn": when,
                "updatedOn": when,
            }
            if self.faults.active(m.CREATE_LINES_WITHOUT_IDS):
                del created_line["id"]
            lines.append(created_line)
        return {
            "id": doc["id"],
            "externalServiceRequestId": doc["externalServiceRequestId"],
            "serviceRequests": lines,
            "type": "PICK",
            "actuals": None,
            "expectations": None,
            "receivedOn": when,
            "status": "CREATED",
            "state": "CREATED",
            "attributes": doc["attributes"],
            "createdOn": when,
            "updatedOn": when,
        }

    # --- inventory --------------------------------------------------------------------------------------------

    def put_inventory(self, sku: str, quantity: int) -> dict[str, Any]:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO inventory (sku, on_hand) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET on_hand = ?",
                (sku, quantity, quantity),
            )
            row = conn.execute("SELECT on_hand, blocked FROM inventory WHERE sku = ?", (sku,)).fetchone()
        return {"sku": sku, "quantity": row["on_hand"], "blocked": row["blocked"]}

    def _block(self, conn: sqlite3.Connection, lines: list[dict[str, Any]]) -> bool:
        """Block the inventory of all lines, or none of it (the caller's transaction is the unit)."""
        needed: dict[str, int] = {}
        for line in lines:
            if line["sku"] is None:
                return False
            needed[line["sku"]] = needed.get(line["sku"], 0) + line["quantity"]
        for sku, quantity in needed.items():
            row = conn.execute("SELECT on_hand, blocked FROM inventory WHERE sku = ?", (sku,)).fetchone()
            if self.faults.active(m.INVENTORY_NOT_BLOCKED):
                if row is None or row["on_hand"] < quantity:
                    return False
                continue
            if row is None or row["on_hand"] - row["blocked"] < quantity:
                return False
        if not self.faults.active(m.INVENTORY_NOT_BLOCKED):
            for sku, quantity in needed.items():
                conn.execute("UPDATE inventory SET blocked = blocked + ? WHERE sku = ?", (quantity, sku))
        return True

    @staticmethod
    def _release(conn: sqlite3.Connection, lines: list[dict[str, Any]]) -> None:
        for line in lines:
            outstanding = line["quantity"] - line["picked"] - line["missing"]
            if line["sku"] is not None and outstanding > 0:
                conn.execute(
                    "UPDATE inventory SET blocked = MAX(0, blocked - ?) WHERE sku = ?", (outstanding, line["sku"])
                )

    def _allocate(self, conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
        """created → fulfillable when all inventory can be blocked, else created → not_fulfillable."""
        if self._block(conn, doc["lines"]) or self.faults.active(m.UNFULFILLABLE_AS_FULFILLABLE):
            doc["state"] = "fulfillable"
        else:
            doc["state"] = "not_fulfillable"
        self._save(conn, doc)
        self._inform(conn, doc)

    # --- the API ----------------------------------------------------------------------------------------------

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as conn:
            internal_id = self._new_id(conn, "request")
            external_id = body.get("externalServiceRequestId") or assigned_id(internal_id)
            if conn.execute("SELECT 1 FROM pick_requests WHERE external_id = ?", (external_id,)).fetchone():
                raise ButlerError(400, f"externalServiceRequestId {external_id[:60]!r} already exists")
            given = body["serviceRequests"]
            line_ids = [raw["externalServiceRequestId"] for raw in given if "externalServiceRequestId" in raw]
            if len(set(line_ids)) != len(line_ids):
                raise ButlerError(400, "pick lines must have distinct externalServiceRequestIds")
            doc: dict[str, Any] = {
                "id": internal_id,
                "externalServiceRequestId": external_id,
                "state": "created",
                "createdOn": _now(),
                "attributes": copy.deepcopy(body.get("attributes")),
                "lines": [],
                "exceptions": [],
            }
            for raw in body["serviceRequests"]:
                line = _line(raw, self._new_id(conn, "line"))
                line["container_id"] = self._new_id(conn, "container")
                line["product_id"] = self._new_id(conn, "product")
                doc["lines"].append(line)
            seq = conn.execute("SELECT COUNT(*) AS n FROM pick_requests").fetchone()["n"]
            conn.execute(
                "INSERT INTO pick_requests (external_id, id, state, document, seq) VALUES (?, ?, ?, ?, ?)",
                (external_id, doc["id"], doc["state"], json.dumps(doc), seq),
            )
            created = self.created_object(doc)
            if self.faults.active(m.CREATED_NOTIFIED):
                self._inform(conn, doc)
            if self._setting(conn, "hold") != "1":
                self._allocate(conn, doc)
        return created

    @staticmethod
    def _setting(conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def _transaction(self, conn: sqlite3.Connection, external_id: str, kind: str) -> int:
        cur = conn.execute("INSERT INTO transactions (external_id, kind) VALUES (?, ?)", (external_id, kind))
        return int(cur.lastrowid or 0)

    def _outcome(self, conn: sqlite3.Connection, doc: dict[str, Any], transaction: int, success: bool) -> None:
        """order_modification, then (on success) order_information: in this order, in the caller's transaction."""
        outcome: dict[str, Any] = {"id": transaction, "state": "success" if success else "failure"}
        if self.faults.active(m.OUTCOME_WITHOUT_ID):
            del outcome["id"]  # the seed's sample: only the state
        if not success:
            self._notify(conn, doc, "order_modification", outcome)
            return
        if self.faults.active(m.INFORMATION_BEFORE_OUTCOME):
            self._inform(conn, doc)
            self._notify(conn, doc, "order_modification", outcome)
            return
        if not self.faults.active(m.NO_ORDER_MODIFICATION):
            self._notify(conn, doc, "order_modification", outcome)
        self._inform(conn, doc)

    def _unknown(self, conn: sqlite3.Connection, external_id: str, kind: str) -> Outcome | None:
        """A cancel or modify of a request that does not exist: refused with 400 here; in a variant accepted, and its
        outcome notified (a failure; a success in a mutant)."""
        if conn.execute("SELECT 1 FROM pick_requests WHERE external_id = ?", (external_id,)).fetchone():
            return None
        if not self.faults.active(m.UNKNOWN_REQUEST_ACCEPTED, m.UNKNOWN_CANCEL_SUCCEEDS):
            self._load(conn, external_id)  # raises the 400
        transaction = self._transaction(conn, external_id, kind)
        success = self.faults.active(m.UNKNOWN_CANCEL_SUCCEEDS)
        outcome: dict[str, Any] = {"id": transaction, "state": "success" if success else "failure"}
        self._notify(conn, {"id": 0}, "order_modification", outcome)
        return Outcome(transaction, external_id)

    def cancel(self, external_id: str) -> Outcome:
        with self.db.write() as conn:
            if unknown := self._unknown(conn, external_id, "cancel"):
                return unknown
            doc = self._load(conn, external_id)
            transaction = self._transaction(conn, external_id, "cancel")
            allowed = set(self.lifecycle.cancel_allowed)
            if self.faults.active(m.CANCEL_REFUSED_WHEN_FULFILLABLE):
                allowed.discard("fulfillable")
            if self.faults.active(m.CANCEL_AFTER_LOCK):
                allowed |= {"cancellation_locked", "pick_started"}
            success = doc["state"] in allowed
            if success:
                if doc["state"] != "created":
                    self._release(conn, doc["lines"])
                doc["state"] = "cancelled"
                self._save(conn, doc)
            self._outcome(conn, doc, transaction, success)
        return Outcome(transaction, external_id)

    def modify(self, body: dict[str, Any]) -> Outcome:
        external_id = body["externalServiceRequestId"]
        with self.db.write() as conn:
            if unknown := self._unknown(conn, external_id, "modify"):
                return unknown
            doc = self._load(conn, external_id)
            transaction = self._transaction(conn, external_id, "modify")
            allowed = set(self.lifecycle.modify_allowed)
            if self.faults.active(m.MODIFY_AFTER_LOCK):
                allowed |= {"cancellation_locked", "pick_started"}
            was = doc["state"]
            success = was in allowed and self._apply_modification(conn, doc, body)
            if success and was == "created" and self.faults.active(m.MODIFY_REALLOCATES):
                self._notify(conn, doc, "order_modification", {"id": transaction, "state": "success"})
                self._allocate(conn, doc)  # the modified request is allocated at once, its state notified
            else:
                self._outcome(conn, doc, transaction, success)
        return Outcome(transaction, external_id)

    def _apply_modification(self, conn: sqlite3.Connection, doc: dict[str, Any], body: dict[str, Any]) -> bool:
        """Merge attributes and replace or add lines; a fulfillable request must block the new lines' inventory."""
        if self.faults.active(m.MODIFY_NOT_APPLIED):
            return True
        modified = copy.deepcopy(doc)
        if "attributes" in body and self.faults.active(m.MODIFY_REPLACES_ATTRIBUTES):
            modified["attributes"] = copy.deepcopy(body["attributes"])
        elif "attributes" in body:
            modified["attributes"] = {**(modified["attributes"] or {}), **body["attributes"]}
        by_id = {line["externalServiceRequestId"]: line for line in modified["lines"]}
        for raw in body.get("serviceRequests", []):
            old = by_id.get(raw.get("externalServiceRequestId", ""))
            line = _line(raw, old["id"] if old else self._new_id(conn, "line"))
            line["container_id"] = old["container_id"] if old else self._new_id(conn, "container")
            line["product_id"] = old["product_id"] if old else self._new_id(conn, "product")
            if old:
                modified["lines"][modified["lines"].index(old)] = line
            else:
                modified["lines"].append(line)
            by_id[line["externalServiceRequestId"]] = line
        if doc["state"] == "fulfillable":
            self._release(conn, doc["lines"])
            if not self._block(conn, modified["lines"]):
                self._block(conn, doc["lines"])  # restore what the request held: the modification fails
                return False
        doc.clear()
        doc.update(modified)
        self._save(conn, doc)
        return True

    # --- the control protocol (what a warehouse does physically) ----------------------------------------------

    def hold_allocation(self, hold: bool) -> None:
        """While held, new requests stay created; releasing allocates the waiting ones in creation order."""
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('hold', ?)", ("1" if hold else "0",))
            if not hold:
                rows = conn.execute("SELECT document FROM pick_requests WHERE state = 'created' ORDER BY seq")
                for row in rows.fetchall():
                    self._allocate(conn, json.loads(row["document"]))

    def reach_first_rack(self, external_id: str) -> dict[str, Any]:
        with self.db.write() as conn:
            doc = self._load(conn, external_id, 404)
            self._expect(doc, ("fulfillable",))
            doc["state"] = "cancellation_locked"
            if self.faults.active(m.FULFILLABLE_TO_COMPLETE):
                doc["state"] = "complete"
            self._save(conn, doc)
            self._inform(conn, doc)
        return {"state": doc["state"]}

    @staticmethod
    def _expect(doc: dict[str, Any], states: tuple[str, ...]) -> None:
        if doc["state"] not in states:
            raise ButlerError(409, f"the pick request is {doc['state']}, expected {' or '.join(states)}")

    def pick(self, external_id: str, line_id: str | None, quantity: int, exception: str | None) -> dict[str, Any]:
        """One pick transaction: `quantity` eaches into a container, complete or with an exception state."""
        with self.db.write() as conn:
            doc = self._load(conn, external_id, 404)
            self._expect(doc, ("cancellation_locked", "pick_started"))
            outstanding = [ln for ln in doc["lines"] if ln["quantity"] - ln["picked"] - ln["missing"] > 0]
            line = next((ln for ln in doc["lines"] if ln["externalServiceRequestId"] == line_id), None)
            if line_id is None:
                line = outstanding[0] if outstanding else None
            if line is None or line not in outstanding:
                raise ButlerError(409, "no outstanding pick line" + (f" {line_id!r}" if line_id else ""))
            left = line["quantity"] - line["picked"] - line["missing"]
            if quantity > left:
                raise ButlerError(409, f"only {left} left to pick on line {line['externalServiceRequestId']!r}")
            container: dict[str, Any] = {
                "products": [
                    {
                        "productQuantity": quantity,
                        "productAttributes": {
                            "pdfa_values": {"product_sku": line["sku"] or ""},
                            "package_name": "item",
                            "package_count": quantity,
                        },
                    }
                ],
                "state": exception or "complete",
                "barcode": None,
                "type": "VIRTUAL",
            }
            if exception is None:
                line["picked"] += quantity
                line["containers"].append(container)
            else:
                container["containerAttributes"] = {}
                doc["exceptions"].append(container)
            if exception in (None, "item_missing") and line["sku"] is not None:
                # Picked eaches leave the stock; missing ones were never there. Either way they are no longer blocked.
                conn.execute(
                    "UPDATE inventory SET on_hand = MAX(0, on_hand - ?), blocked = MAX(0, blocked - ?) WHERE sku = ?",
                    (quantity, quantity, line["sku"]),
                )
            if exception == "item_missing":
                line["missing"] += quantity
            doc["state"] = "pick_started"
            self._save(conn, doc)
            self._inform(conn, doc)
        return {"state": doc["state"]}

    def finish(self, external_id: str) -> dict[str, Any]:
        """The operator closes the request: complete when every line is picked, abandoned when items were missing."""
        with self.db.write() as conn:
            doc = self._load(conn, external_id, 404)
            self._expect(doc, ("pick_started",))
            all_picked = all(ln["picked"] >= ln["quantity"] for ln in doc["lines"])
            missing = any(ln["missing"] for ln in doc["lines"])
            if all_picked or (missing and self.faults.active(m.ITEM_MISSING_COMPLETES)):
                doc["state"] = "complete"
                self._save(conn, doc)
                snapshot = self.snapshot(doc)
                if self.faults.active(m.COMPLETE_MISSING_PICKS):
                    last = [ln for ln in snapshot["serviceRequests"] if ln["actuals"]["containers"]][-1]
                    last["actuals"]["containers"].pop()
                self._notify(conn, doc, "order_information", snapshot)
                if not self.faults.active(m.NO_BIN_COMPLETE):
                    bin_data = {"ppsId": 1, "ppsBinId": "1", "serviceRequests": [snapshot]}
                    self._notify(conn, doc, "bin_complete", bin_data)
            elif missing:
                self._release(conn, doc["lines"])
                doc["state"] = "abandoned"
                self._save(conn, doc)
                self._inform(conn, doc)
            else:
                raise ButlerError(409, "picks are outstanding and no item was reported missing")
        return {"state": doc["state"]}
