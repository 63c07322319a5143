"""Emporix pick-pack domain state and rules: clients and tokens, orders, packing events and recalculation jobs."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pickconform.reference.emporix import mutants as m
from pickconform.reference.mutants import Faults
from pickconform.reference.storage import Database

SCHEMA = """
CREATE TABLE clients (client_id TEXT PRIMARY KEY, secret TEXT NOT NULL, tenant TEXT NOT NULL, scopes TEXT NOT NULL);
CREATE TABLE tokens (token TEXT PRIMARY KEY, tenant TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE orders (
    tenant TEXT NOT NULL, order_id TEXT NOT NULL, site_code TEXT NOT NULL, packing_status TEXT NOT NULL,
    recalculated_seq INTEGER NOT NULL DEFAULT 0, recalculations INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, order_id));
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, order_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX events_by_order ON events (tenant, order_id);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, job_type TEXT NOT NULL, job_status TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, due_at REAL NOT NULL);
CREATE INDEX jobs_running ON jobs (job_status, due_at);
CREATE TABLE job_orders (
    job_id TEXT NOT NULL, position INTEGER NOT NULL, order_id TEXT NOT NULL, status TEXT NOT NULL, message TEXT,
    PRIMARY KEY (job_id, position));
"""

VIEW, MANAGE = "pickpack.pickpack_view", "pickpack.pickpack_manage"
SCOPES = (VIEW, MANAGE)
TOKEN_LIFETIME = 3600
JOB_DURATION = 0.1  # how long a job stays IN_PROGRESS: long enough to be observed, short enough for a fast suite
# ... when served (`pickconform serve`) as a sandbox across a network: longer than a round trip to it (~100 ms to a
# hosted sandbox), so a second job requested right after the first still meets it running (EMPORIX-CONFLICT-409).
SERVED_JOB_DURATION = 1.0
LONG_JOB_DURATION = 1.0  # variant emporix-long-running-jobs
IN_PROGRESS, SUCCESS, FAILURE, PENDING = "IN_PROGRESS", "SUCCESS", "FAILURE", "PENDING"


@dataclass
class EmporixError(Exception):
    """A refusal; the HTTP layer renders it as the body the spec documents for its status."""

    status: int
    type: str
    message: str


@dataclass(frozen=True)
class Grant:
    """What a valid bearer token allows: one tenant, some scopes."""

    tenant: str
    scopes: frozenset[str]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class EmporixStore:
    def __init__(self, faults: Faults, clients: dict[str, tuple[str, str]]) -> None:
        self.faults = faults
        self.job_duration = JOB_DURATION
        self.db = Database(SCHEMA)
        with self.db.write() as db:
            db.executemany(
                "INSERT INTO clients VALUES (?, ?, ?, ?)",
                [(client_id, secret, tenant, " ".join(SCOPES)) for tenant, (client_id, secret) in clients.items()],
            )

    # --- authentication ---------------------------------------------------------------------------------------

    def issue_token(self, client_id: str, secret: str, scope: str | None, lifetime: int) -> tuple[str, str]:
        """A token for the client's tenant with the requested scopes (default: all the client has)."""
        with self.db.write() as db:
            row = db.execute("SELECT * FROM clients WHERE client_id = ?", (client_id,)).fetchone()
            if row is None or not secrets.compare_digest(row["secret"], secret):
                raise EmporixError(401, "invalid_client", "client authentication failed")
            allowed = row["scopes"].split()
            requested = scope.split() if scope else allowed
            if not requested or any(s not in allowed for s in requested):
                raise EmporixError(400, "invalid_scope", f"the client may request: {' '.join(allowed)}")
            token = secrets.token_urlsafe(24)
            scopes = " ".join(dict.fromkeys(requested))
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (token, row["tenant"], scopes, time.time() + lifetime))
            return token, scopes

    def expired(self, token: str) -> bool:
        """A token this service issued whose lifetime is over (the vendor answers it with its own 401 errorcode)."""
        with self.db.read() as db:
            row = db.execute("SELECT expires_at FROM tokens WHERE token = ?", (token,)).fetchone()
        return row is not None and row["expires_at"] <= time.time()

    def grant(self, token: str) -> Grant | None:
        with self.db.read() as db:
            row = db.execute("SELECT * FROM tokens WHERE token = ?", (token,)).fetchone()
        if row is None:
            return None
        if row["expires_at"] <= time.time() and not self.faults.active(m.EXPIRED_ACCEPTED):
            return None
        return Grant(row["tenant"], frozenset(row["scopes"].split()))

    # --- orders and packing events ----------------------------------------------------------------------------

    def seed_order(self, tenant: str, order_id: str, site_code: str, packing_status: str) -> dict[str, Any]:
        with self.db.write() as db:
            db.execute(
                "INSERT INTO orders (tenant, order_id, site_code, packing_status) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET site_code = excluded.site_code, packing_status = excluded.packing_status",
                (tenant, order_id, site_code, packing_status),
            )
        return self.order(tenant, order_id)  # type: ignore[return-value]

    def order(self, tenant: str, order_id: str) -> dict[str, Any] | None:
        with self.db.read() as db:
            row = db.execute("SELECT * FROM orders WHERE tenant = ? AND order_id = ?", (tenant, order_id)).fetchone()
        if row is None:
            return None
        return {
            "id": row["order_id"],
            "siteCode": row["site_code"],
            "currency": "EUR",
            "packingStatus": row["packing_status"],
            "recalculations": row["recalculations"],
        }

    def add_event(self, tenant: str, event: dict[str, Any]) -> None:
        with self.db.write() as db:
            order = db.execute(
                "SELECT packing_status FROM orders WHERE tenant = ? AND order_id = ?", (tenant, event["orderNumber"])
            ).fetchone()
            if order is None:
                raise EmporixError(400, "validation_failure", f"order {event['orderNumber'][:64]} does not exist")
            if order["packing_status"] == "CANCELLED":
                raise EmporixError(400, "validation_failure", "the order is CANCELLED: it takes no packing events")
            db.execute(
                "INSERT INTO events (tenant, order_id, body) VALUES (?, ?, ?)",
                (tenant, event["orderNumber"], json.dumps(event)),
            )

    def events(self, tenant: str, after: datetime | None, page: int, size: int) -> list[dict[str, Any]]:
        with self.db.read() as db:
            rows = db.execute("SELECT body FROM events WHERE tenant = ? ORDER BY seq", (tenant,)).fetchall()
        events = [json.loads(row["body"]) for row in rows]
        if after is not None:
            events = [e for e in events if "timestamp" in e and _parse(e["timestamp"]) > after]
        return events[page * size : (page + 1) * size]

    # --- recalculation jobs -----------------------------------------------------------------------------------

    def create_job(self, tenant: str, job_type: str, order_ids: list[str]) -> str:
        """Select the job's orders and queue it; refused with 409 when an order is already in a running job."""
        with self.db.write() as db:
            if job_type == "AUTOMATIC" or self.faults.active(m.MANUAL_IGNORES_IDS):
                selected = self._automatic_selection(db, tenant)
            elif self.faults.active(m.DUPLICATES_LISTED):
                selected = list(order_ids)
            else:
                selected = list(dict.fromkeys(order_ids))  # a repeated id is recalculated once, where it first appears
            if job_type == "MANUAL" and self.faults.active(m.UNKNOWN_ORDER_REFUSED):
                known = {
                    row["order_id"]
                    for row in db.execute(
                        "SELECT order_id FROM orders WHERE tenant = ? AND order_id IN (SELECT value FROM json_each(?))",
                        (tenant, json.dumps(selected)),
                    )
                }
                unknown = [order_id for order_id in selected if order_id not in known]
                if unknown:
                    raise EmporixError(400, "validation_failure", f"unknown orders: {', '.join(unknown[:20])[:300]}")
            if not self.faults.active(m.NO_CONFLICT):
                busy = [
                    row["order_id"]
                    for row in db.execute(
                        "SELECT DISTINCT o.order_id FROM job_orders o JOIN jobs j ON j.id = o.job_id"
                        " WHERE j.tenant = ? AND j.job_status = ? AND o.order_id IN (SELECT value FROM json_each(?))",
                        (tenant, IN_PROGRESS, json.dumps(selected)),
                    )
                ]
                if busy:
                    raise EmporixError(
                        409, "conflict", f"orders already in a running recalculation job: {', '.join(busy[:20])}"
                    )
            job_id = secrets.token_hex(16) if self.faults.active(m.LONG_JOB_ID) else secrets.token_hex(6)
            db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (job_id, tenant, job_type, IN_PROGRESS, _now(), time.monotonic() + self._duration()),
            )
            db.executemany(
                "INSERT INTO job_orders VALUES (?, ?, ?, ?, NULL)",
                [(job_id, position, order_id, PENDING) for position, order_id in enumerate(selected)],
            )
            return job_id

    def _duration(self) -> float:
        return LONG_JOB_DURATION if self.faults.active(m.LONG_JOBS) else self.job_duration

    def _automatic_selection(self, db: sqlite3.Connection, tenant: str) -> list[str]:
        """The orders with a packing event newer than their last recalculation, in the order of those events."""
        if self.faults.active(m.AUTOMATIC_SELECTS_NONE):
            return []
        if self.faults.active(m.AUTOMATIC_IGNORES_EVENTS):
            rows = db.execute("SELECT order_id FROM orders WHERE tenant = ? ORDER BY rowid", (tenant,))
        elif self.faults.active(m.AUTOMATIC_ANY_EVENT):
            rows = db.execute(
                "SELECT e.order_id FROM events e JOIN orders o ON o.tenant = e.tenant AND o.order_id = e.order_id"
                " WHERE e.tenant = ? AND o.packing_status != 'CANCELLED' GROUP BY e.order_id ORDER BY min(e.seq)",
                (tenant,),
            )
        else:
            rows = db.execute(
                "SELECT e.order_id FROM events e JOIN orders o ON o.tenant = e.tenant AND o.order_id = e.order_id"
                " WHERE e.tenant = ? AND o.packing_status != 'CANCELLED'"
                " GROUP BY e.order_id HAVING max(e.seq) > max(o.recalculated_seq) ORDER BY min(e.seq)",
                (tenant,),
            )
        return [row["order_id"] for row in rows]

    def finish_due_jobs(self) -> float | None:
        """Recalculate the orders of the jobs that are due; returns when the next job is due (monotonic), if any."""
        if self.faults.active(m.STUCK_IN_PROGRESS):
            return None
        with self.db.write() as db:
            due = db.execute(
                "SELECT id, tenant FROM jobs WHERE job_status = ? AND due_at <= ?", (IN_PROGRESS, time.monotonic())
            ).fetchall()
            for job in due:
                self._run(db, job["id"], job["tenant"])
            upcoming = db.execute("SELECT min(due_at) FROM jobs WHERE job_status = ?", (IN_PROGRESS,)).fetchone()
        return upcoming[0]

    def _run(self, db: sqlite3.Connection, job_id: str, tenant: str) -> None:
        latest_event = db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        failed = False
        for entry in db.execute("SELECT * FROM job_orders WHERE job_id = ? ORDER BY position", (job_id,)).fetchall():
            order = db.execute(
                "SELECT packing_status FROM orders WHERE tenant = ? AND order_id = ?", (tenant, entry["order_id"])
            ).fetchone()
            if order is None and not self.faults.active(m.UNKNOWN_ORDER_SUCCEEDS):
                status, message = FAILURE, "Order not found"
            elif order is not None and order["packing_status"] == "CANCELLED":
                status, message = FAILURE, "Order is cancelled"
            else:
                status, message = SUCCESS, "Order recalculated successfully"
                if self.faults.active(m.MESSAGE_ON_FAILURE_ONLY):
                    message = None
                db.execute(
                    "UPDATE orders SET recalculated_seq = ?, recalculations = recalculations + 1"
                    " WHERE tenant = ? AND order_id = ?",
                    (latest_event, tenant, entry["order_id"]),
                )
            failed = failed or status == FAILURE
            db.execute(
                "UPDATE job_orders SET status = ?, message = ? WHERE job_id = ? AND position = ?",
                (status, message, job_id, entry["position"]),
            )
        job_status = FAILURE if failed and not self.faults.active(m.SUCCESS_DESPITE_FAILURE) else SUCCESS
        if self.faults.active(m.FAILURE_DESPITE_SUCCESS):
            job_status = FAILURE
        db.execute("UPDATE jobs SET job_status = ?, finished_at = ? WHERE id = ?", (job_status, _now(), job_id))

    def job(self, tenant: str, job_id: str) -> dict[str, Any] | None:
        with self.db.read() as db:
            if self.faults.active(m.CROSS_TENANT_JOBS):
                row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            else:
                row = db.execute("SELECT * FROM jobs WHERE id = ? AND tenant = ?", (job_id, tenant)).fetchone()
            if row is None:
                return None
            entries = db.execute("SELECT * FROM job_orders WHERE job_id = ? ORDER BY position", (job_id,)).fetchall()
        lowercase = self.faults.active(m.LOWERCASE_STATUS)
        job: dict[str, Any] = {
            "id": row["id"],
            "jobType": row["job_type"],
            "orders": [
                {"orderId": e["order_id"], "jobOrderStatus": e["status"]}
                | ({"message": e["message"]} if e["message"] else {})
                for e in entries
            ],
            "jobStatus": row["job_status"].lower() if lowercase else row["job_status"],
            "startedAt": row["started_at"],
        }
        if row["finished_at"] is not None:
            job["finishedAt"] = row["finished_at"]
        elif self.faults.active(m.FINISHED_AT_WHILE_RUNNING):
            job["finishedAt"] = row["started_at"]
        elif self.faults.active(m.FINISHED_AT_NULL):
            job["finishedAt"] = None
        return job


def _parse(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
