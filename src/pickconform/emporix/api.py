"""The Emporix pick-pack API as the scenarios use it: seed orders, send packing events, trigger and poll jobs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from pickconform import pacing
from pickconform.determinism import Values
from pickconform.emporix.target import MANAGE, VIEW, EmporixTarget, Tenant
from pickconform.verdict import SetupFailed, Violation, not_offered

FINAL = ("SUCCESS", "FAILURE")
POLL_INTERVAL = 0.02


@dataclass
class EmporixApi:
    target: EmporixTarget
    values: Values
    order_ids: dict[str, str] = field(default_factory=dict)

    def order_id(self, label: str) -> str:
        """The order id a scenario calls `label`: deterministic, the same for every use within the scenario."""
        if label not in self.order_ids:
            self.order_ids[label] = f"PC{self.values.token(f'order {label}', 10).upper()}"
        return self.order_ids[label]

    def jobs_path(self, tenant: str | None = None) -> str:
        return f"/pick-pack/{tenant or self.target.tenant.name}/jobs/recalculations"

    # --- data set-up --------------------------------------------------------------------------------------------

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
        deadline = time.monotonic() + self.target.poll_timeout
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
            if len(finished) >= 2 or pacing.deadline_passed(deadline, response):
                return observed
            pacing.pause(0 if finished else POLL_INTERVAL)
