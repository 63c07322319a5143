"""The Emporix pick-pack API as the scenarios use it: seed orders, send packing events, trigger and poll jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import httpx
import pytest

from pickconform.determinism import Values
from pickconform.emporix.target import MANAGE, VIEW, EmporixTarget, Tenant
from pickconform.family.ready_data import ReadyData
from pickconform.http import pacing
from pickconform.http.tap import once_per_session
from pickconform.verdict import SetupFailed, Violation, not_offered

FINAL = ("SUCCESS", "FAILURE")
JOB_STATUSES = (*FINAL, "IN_PROGRESS")  # seed 003: jobStatus SUCCESS | FAILURE | IN_PROGRESS
POLL_INTERVAL = 0.02
SEED_ORDERS = "seed_orders"


def job_id_of(response: httpx.Response) -> str:
    """The jobId of an accepted job request, or "" when it was not accepted with one."""
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        return ""
    return str(body["jobId"]) if isinstance(body, dict) and body.get("jobId") else ""


@dataclass
class EmporixApi:
    target: EmporixTarget
    values: Values
    ready: ReadyData | None = None  # the run's ready data (the profile's [emporix.test_data]) and the test's report
    order_ids: dict[str, str] = field(default_factory=dict)

    def order_id(self, label: str) -> str:
        """The order id a scenario calls `label`: deterministic, the same for every use within the scenario."""
        if label not in self.order_ids:
            self.order_ids[label] = f"PC{self.values.token(f'order {label}', 10).upper()}"
        return self.order_ids[label]

    def jobs_path(self, tenant: str | None = None) -> str:
        return f"/pick-pack/{tenant or self.target.tenant.name}/jobs/recalculations"

    # --- data set-up --------------------------------------------------------------------------------------------

    def orders(self, labels: list[str]) -> None:
        """The orders a scenario calls `labels` exist in the tenant, for this test alone: seeded through the control
        protocol (capability seed_orders), else taken from the profile's ready orders, each recalculated by one test
        per run; neither: skipped with the reason. The report says which."""
        if SEED_ORDERS in self.target.capabilities:
            seeded = [f"{label}={self.seed_order(label)}" for label in labels]
            self._note(f"orders {' '.join(seeded)}: seeded through the control protocol (set-up)")
            return
        ready = self.target.test_data.orders
        claimed = self.ready.claim("emporix.orders", ready, len(labels)) if self.ready is not None else None
        if claimed is None:
            self._short(len(labels), f"{len(labels)} orders of the tenant")
        self.order_ids.update(zip(labels, claimed, strict=True))
        named = " ".join(f"{label}={order}" for label, order in zip(labels, claimed, strict=True))
        self._note(f"orders {named}: [emporix.test_data] orders")

    def job(self) -> str:
        """A recalculation job of the tenant, for a test that only reads it or names it: a MANUAL job of a seeded
        order (and order T, named by the test's own requests, seeded too); without seed_orders, one MANUAL job of a
        ready order, made once per process and shared by those tests (T is then an id the tenant does not have)."""
        if SEED_ORDERS in self.target.capabilities:
            self.seed_order("J")
            self.seed_order("T")  # the order the scenario's own job request names
            response = self.manual(["J"])
            job_id = job_id_of(response)
            if not job_id:
                raise SetupFailed("a MANUAL job of one order", response)
            self._note(f"job {job_id}: a MANUAL job of order {self.order_id('J')}, seeded (set-up)")
            return job_id
        target = self.target
        with target.shared_job_lock:
            if target.shared_job is None:
                if not target.shared_job_order:
                    claimed = self.ready.claim("emporix.orders", target.test_data.orders) if self.ready else None
                    if claimed is None:
                        self._short(1, "a job of the tenant (of one of its orders)")
                    target.shared_job_order = claimed[0]
                with once_per_session():  # made once per process, by whichever test needs it first
                    response = self.trigger({"jobType": "MANUAL", "orderIds": [target.shared_job_order]})
                job_id = job_id_of(response)
                if not job_id:
                    raise SetupFailed(f"a MANUAL job of the ready order {target.shared_job_order}", response)
                target.shared_job = (job_id, target.shared_job_order)
            job_id, order = target.shared_job
        self._note(f"job {job_id}: a MANUAL job of order {order} ([emporix.test_data] orders), shared by tests")
        return job_id

    def _short(self, count: int, needed: str) -> NoReturn:
        ready = self.target.test_data.orders
        if not ready:
            have = "names no orders"
        elif len(ready) < count:
            have = f"names only {len(ready)} orders"
        else:
            have = f"has too few of its {len(ready)} orders left: the others serve other tests (one test each per run)"
        pytest.skip(
            f"emporix: the test needs {needed}: the target lacks capability {SEED_ORDERS}, and [emporix.test_data] "
            f"{have}"
        )

    def _note(self, line: str) -> None:
        if self.ready is not None:
            self.ready.note(line)

    def seed_order(self, label: str) -> str:
        """Create the order through the control protocol (capability seed_orders)."""
        order_id = self.order_id(label)
        path = f"/_control/pick-pack/{self.target.tenant.name}/orders/{order_id}"
        response = self.target.client(MANAGE).put(path, json={"siteCode": "main"})
        not_offered(response, "PUT /_control/pick-pack/{tenant}/orders/{orderId} (capability seed_orders)")
        if response.status_code != 200:
            raise SetupFailed(f"seed the order {order_id}", response)
        return order_id

    def packing_event(self, label: str) -> None:
        """Send a packing event for the order (the vendor's POST /events, with every field it requires)."""
        order_id = self.order_id(label)
        event = {
            "eventId": self.values.reference("EV"),
            "orderNumber": order_id,
            "productId": self.values.reference("SKU"),
            "pickedAmount": self.values.integer("picked", 1, 5),
            "packedAmount": 1,
            "canceledAmount": 0,
            "unit": "H87",
            "site": "main",
            "timestamp": self.values.timestamp(),
        }
        response = self.target.client(MANAGE).post(
            f"/pick-pack/{self.target.tenant.name}/events",
            json=event,
            headers={"saas-token": self.values.token("saas-token", 24)},
        )
        not_offered(response, "POST /pick-pack/{tenant}/events")
        if response.status_code != 200:
            raise SetupFailed(f"a packing event for the order {order_id}", response)

    def orders_with_events(self, orders: list[str], page_size: int = 1000, pages: int = 20) -> set[str] | None:
        """Which of `orders` the tenant has packing events for, read back through the vendor's GET /events (oldest
        first, paged); None when the target does not offer that read or its answer is not a list of events."""
        found: set[str] = set()
        for page in range(pages):
            response = self.target.client(VIEW).get(
                f"/pick-pack/{self.target.tenant.name}/events", params={"pageNumber": page, "pageSize": page_size}
            )
            try:
                events = response.json() if response.status_code == 200 else None
            except ValueError:
                events = None
            if not isinstance(events, list):
                return None
            found |= {e.get("orderNumber") for e in events if isinstance(e, dict)} & set(orders)
            if len(events) < page_size:
                break
        return found

    # --- jobs ---------------------------------------------------------------------------------------------------

    def trigger(
        self, body: dict[str, Any], client: httpx.Client | None = None, tenant: str | None = None
    ) -> httpx.Response:
        return (client or self.target.client(MANAGE)).post(self.jobs_path(tenant), json=body)

    def manual(self, labels: list[str], client: httpx.Client | None = None) -> httpx.Response:
        return self.trigger({"jobType": "MANUAL", "orderIds": [self.order_id(label) for label in labels]}, client)

    def read(
        self, job_id: str, client: httpx.Client | None = None, tenant: Tenant | None = None, path_tenant: str = ""
    ) -> httpx.Response:
        client = client or self.target.client(VIEW, tenant)
        name = path_tenant or (tenant or self.target.tenant).name
        return client.get(f"{self.jobs_path(name)}/{job_id}")

    def observe(self, job_id: str, setup: str = "") -> list[tuple[dict[str, Any], httpx.Response]]:
        """Poll the job until it reports a final status (then once more), or the deadline passes. With `setup` (what
        the job sets up), a job that cannot be read is a set-up error, not a violation."""
        observed: list[tuple[dict[str, Any], httpx.Response]] = []
        deadline = self.target.patience.deadline()
        while True:
            response = self.read(job_id)
            try:
                job = response.json() if response.status_code == 200 else None
            except ValueError:
                job = None
            if not isinstance(job, dict):
                if setup:
                    raise SetupFailed(f"reading {setup} (job {job_id})", response)
                raise Violation("EMPORIX-JOB-SCHEMA", f"reading the job {job_id}: expected 200 and a job", response)
            observed.append((job, response))
            finished = [j for j, _ in observed if j.get("jobStatus") in FINAL]
            # A status no document names cannot be waited out: the scenario judges it now.
            undocumented = job.get("jobStatus") not in JOB_STATUSES
            if len(finished) >= 2 or undocumented:
                return observed
            if pacing.deadline_passed(deadline, response):
                if not finished:
                    self.target.patience.ran_out()
                return observed
            pacing.pause(0 if finished else POLL_INTERVAL, response)
