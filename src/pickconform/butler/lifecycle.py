"""The lifecycle checker: judges every observed stream of Butler notifications against specs/butler/lifecycle.json.

Rules, each found on its requirement with the stream that shows it:
- order_information moves only along the documented transitions and never leaves a terminal state (BUTLER-LIFECYCLE);
  one that repeats the current state is a re-notification of it (the payload "contains the complete current state");
- a notification names a request the suite created, an outcome a transaction it started (LIFECYCLE, ASYNC-OUTCOME);
- each cancel/modify outcome is consistent with the state at the moment of the call (CANCEL-*, MODIFY-*, UNKNOWN-*);
- an order_modification precedes the order_information it causes, complete precedes bin_complete (NOTIFY-ORDER).

Findings are not raised here: each is kept with the pick request it is about, and a scenario reports (records) only
the findings about the requests and transactions it started itself, so a late notification caused by one test never
fails another. A finding about the notification itself (not JSON, not of the schema) that no scenario claims is
reported by whichever scenario judges next.

The checker is not thread-safe by itself: the receiver calls it under its lock, and the suite records its calls
(created requests, started transactions) under the same lock, so a notification is never judged before the call
that explains it is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pickconform.butler.spec import Lifecycle, lifecycle
from pickconform.verdict import Violation

_REQUIREMENT = {
    ("cancel", "success"): "BUTLER-CANCEL-LOCKED",
    ("cancel", "failure"): "BUTLER-CANCEL-BEFORE-LOCK",
    ("modify", "success"): "BUTLER-MODIFY-LOCKED",
}
UNKNOWN = "(unknown)"  # the state at the call of a transaction about a request that was never created


@dataclass
class Transaction:
    id: int
    kind: str  # cancel | modify
    external_id: str
    state_at_call: str
    outcome: str | None = None
    matched: bool = False  # an order_modification has been matched to it
    consumed: bool = False  # its order_information has arrived
    overtaken_by: str | None = None  # an order_information that arrived before the outcome


@dataclass
class Stream:
    external_id: str
    state: str
    events: list[str] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)

    def show(self) -> str:
        return "\n".join(f"  {n}. {event}" for n, event in enumerate(self.events, 1)) or "  (nothing observed)"


@dataclass
class Finding:
    violation: Violation
    external_id: str | None  # None: not attributable to one request
    reported: bool = False
    anywhere: bool = False  # about the notification itself (JSON, schema): reported even if no scenario claims it


class LifecycleChecker:
    def __init__(self, rules: Lifecycle | None = None) -> None:
        self.rules = rules or lifecycle()
        self.streams: dict[str, Stream] = {}
        self.transactions: dict[int, Transaction] = {}
        self.findings: list[Finding] = []
        self.claimed: set[str] = set()  # requests a scenario judges; the others' (a fuzz test's) are no one's
        # external id → requirement → how many notifications a check of it applied to, until a scenario takes them
        self.applied: dict[str | None, dict[str, int]] = {}

    # --- what the suite did -----------------------------------------------------------------------------------

    def created(self, external_id: str) -> None:
        stream = self.streams.setdefault(external_id, Stream(external_id, self.rules.initial))
        stream.events.append(f"create call → {self.rules.initial}")

    def started(self, external_id: str, kind: str, transaction_id: int) -> None:
        """A cancel or modify call answered a transaction, also for a request the suite never created."""
        stream = self.streams.get(external_id)
        transaction = Transaction(transaction_id, kind, external_id, stream.state if stream else UNKNOWN)
        self.transactions[transaction_id] = transaction
        if stream is not None:
            stream.transactions.append(transaction)
            stream.events.append(f"{kind} call in {stream.state} → transaction {transaction_id}")

    def outcome_of(self, data: Any) -> Transaction | None:
        """The transaction an order_modification answers: the one its `id` names; without an id (the seed's sample
        carries only the state), the oldest transaction still waiting for its outcome (outcomes come in order)."""
        if not isinstance(data, dict):
            return None
        if "id" in data:
            return self.transactions.get(data["id"]) if isinstance(data["id"], int) else None
        return next((t for t in self.transactions.values() if not t.matched), None)

    # --- what the target sent ---------------------------------------------------------------------------------

    def apply(self, requirement: str, external_id: str | None) -> None:
        """A check of `requirement` applied to a notification about this request (whatever it found)."""
        counts = self.applied.setdefault(external_id, {})
        counts[requirement] = counts.get(requirement, 0) + 1

    def take_applied(self, external_ids: set[str]) -> dict[str, int]:
        """How many notifications about these requests each requirement's checks applied to, since last taken."""
        total: dict[str, int] = {}
        for external_id in external_ids:
            for requirement, count in self.applied.pop(external_id, {}).items():
                total[requirement] = total.get(requirement, 0) + count
        return total

    def violation(
        self, requirement: str, external_id: str | None, message: str, *, anywhere: bool = False, soft: bool = False
    ) -> None:
        """`soft`: found against only what no document states (a keyword pickconform inferred): a warning."""
        stream = self.streams.get(external_id) if external_id else None
        if stream is not None:
            message += f"\nstream of pick request {external_id}:\n{stream.show()}"
        self.findings.append(Finding(Violation(requirement, message, soft=soft), external_id, anywhere=anywhere))

    def observe(self, notification: dict[str, Any], transaction: Transaction | None = None) -> None:
        """Judge one schema-valid notification in arrival order (`transaction`: the one an order_modification
        answers, as `outcome_of` found it)."""
        kind, data = notification["notification_type"], notification["notification_data"]
        label = f"{kind} ({notification['notification_id']})"
        if kind == "order_information":
            self._information(data, label)
        elif kind == "order_modification":
            self._modification(data, label, transaction or self.outcome_of(data))
        else:
            for request in data["serviceRequests"]:
                self._bin_complete(request, label)

    def _stream(self, external_id: str, label: str) -> Stream | None:
        stream = self.streams.get(external_id)
        if stream is None:  # kept with the id it names: only a scenario that used that id reports it
            message = f"{label} names pick request {external_id!r}, never created"
            self.violation("BUTLER-LIFECYCLE", external_id, message)
        return stream

    def _information(self, data: dict[str, Any], label: str) -> None:
        stream = self._stream(data["externalServiceRequestId"], label)
        if stream is None:
            return
        before, after = stream.state, data["state"]
        stream.events.append(f"{label}: {after}/{data['status']}")
        ext = stream.external_id
        self.apply("BUTLER-LIFECYCLE", ext)
        if before in self.rules.terminal:
            self.violation("BUTLER-LIFECYCLE", ext, f"{before} is terminal, yet {after} followed")
            return
        trigger = self.rules.trigger(before, after)
        if trigger in ("cancel", "modify"):
            succeeded = [t for t in stream.transactions if t.kind == trigger and t.outcome == "success"]
            fresh = [t for t in succeeded if not t.consumed]
            pending = [t for t in stream.transactions if t.kind == trigger and t.outcome is None]
            if fresh:
                fresh[0].consumed = True
            elif pending and before != after:  # the same state again may be a re-notification: not its effect
                pending[0].overtaken_by, pending[0].consumed = after, True  # judged when (if) its outcome arrives
            elif before != after:  # the same state again without a modify is a re-notification of it
                self.violation("BUTLER-LIFECYCLE", ext, f"{before} → {after} without a successful {trigger} call")
        elif trigger is None and before != after:
            self.violation("BUTLER-LIFECYCLE", ext, f"{before} → {after} is not a transition of the lifecycle")
        stream.state = after

    def _modification(self, data: dict[str, Any], label: str, transaction: Transaction | None) -> None:
        if transaction is None:  # belongs to no call the suite made: never held against a scenario's outcomes
            what = "no transaction id" if "id" not in data else f"transaction {data['id']!r}, never started"
            self.violation("BUTLER-ASYNC-OUTCOME", None, f"{label} {data['state']} with {what}")
            return
        ext = transaction.external_id
        self.apply("BUTLER-ASYNC-OUTCOME", ext)
        self.apply("BUTLER-OUTCOME-ID", ext)
        if "id" not in data:
            self.violation(
                "BUTLER-OUTCOME-ID",
                ext,
                f"{label} carries no transaction id; matched to the oldest transaction awaiting its outcome, "
                f"{transaction.kind} transaction {transaction.id}",
            )
        stream = self.streams.get(ext)
        if stream is not None:
            stream.events.append(f"{label}: {data['state']} for transaction {transaction.id}")
        if transaction.matched:
            self.violation("BUTLER-ASYNC-OUTCOME", ext, f"a second outcome for transaction {transaction.id}")
            return
        transaction.matched, transaction.outcome = True, data["state"]
        self.apply("BUTLER-NOTIFY-ORDER", ext)
        if transaction.overtaken_by is not None:
            self.violation(
                "BUTLER-NOTIFY-ORDER",
                ext,
                f"order_information {transaction.overtaken_by} arrived before the order_modification of "
                f"{transaction.kind} transaction {transaction.id} that causes it",
            )
            return
        if transaction.state_at_call == UNKNOWN:
            self.apply("BUTLER-UNKNOWN-REQUEST", ext)
            if transaction.outcome == "success":
                self.violation(
                    "BUTLER-UNKNOWN-REQUEST",
                    ext,
                    f"{transaction.kind} transaction {transaction.id} of pick request {ext!r}, which was never "
                    "created, ended in success",
                )
            return
        allowed = self.rules.cancel_allowed if transaction.kind == "cancel" else self.rules.modify_allowed
        consistent = (transaction.outcome == "success") == (transaction.state_at_call in allowed)
        requirement = _REQUIREMENT.get((transaction.kind, transaction.outcome))
        if requirement is not None:
            self.apply(requirement, ext)
        if not consistent and requirement is not None:
            self.violation(
                requirement,
                ext,
                f"{transaction.kind} in {transaction.state_at_call} ended in {transaction.outcome}; "
                f"{transaction.kind} succeeds only in {', '.join(sorted(allowed))}",
            )

    def _bin_complete(self, data: dict[str, Any], label: str) -> None:
        stream = self._stream(data["externalServiceRequestId"], label)
        if stream is None:
            return
        stream.events.append(f"{label}: {data['state']}")
        self.apply("BUTLER-NOTIFY-ORDER", stream.external_id)
        if stream.state != data["state"]:
            self.violation(
                "BUTLER-NOTIFY-ORDER",
                stream.external_id,
                f"bin_complete reports {data['state']} while the stream is at {stream.state}",
            )

    # --- verdicts ---------------------------------------------------------------------------------------------

    def report(self, external_ids: set[str]) -> list[Violation]:
        """The unreported findings about these requests, and those about a notification no scenario claims;
        each is reported once."""
        found = []
        for finding in self.findings:
            unclaimed = finding.anywhere and finding.external_id not in self.claimed
            if not finding.reported and (finding.external_id in external_ids or unclaimed):
                finding.reported = True
                found.append(finding.violation)
        return found

    def raise_findings(self, external_ids: set[str]) -> None:
        """Report these findings, raising the first (for a caller that stops on it)."""
        found = self.report(external_ids)
        if found:
            raise found[0]

    def show(self, external_id: str) -> str:
        stream = self.streams.get(external_id)
        return stream.show() if stream else "  (unknown request)"
