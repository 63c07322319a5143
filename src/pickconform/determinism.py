"""Every value a test sends derives from a seed, a run id and a frozen clock.

That is what lets a cassette replay exactly and lets recorded requests be re-sent to another implementation:
nothing comes from `uuid4()` or `now()`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

DEFAULT_SEED = 20261122
DEFAULT_RUN_ID = "r0"
DEFAULT_CLOCK = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

# A run id goes into every reference the suite sends (`Values.reference`: `SO-<run id>-<8 characters>`), and the
# strictest limit on those is Clarus's goods-out and product `reference`/`code` (at most 50 characters): 32 leaves room
# for the longest prefix. Letters, digits, `-` and `_` go into every id field of the three APIs.
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def check_run_id(run_id: str) -> str:
    """The run id if it can go into every reference the suite sends; ValueError (one line) if not."""
    if not RUN_ID.fullmatch(run_id):
        raise ValueError(
            f"run id {run_id[:40]!r} must be 1-32 letters, digits, '-' or '_' (it goes into every reference sent)"
        )
    return run_id


def fresh_run_id(started: datetime) -> str:
    """The run id of a run against a profile that names none: its start time in UTC to the second, e.g.
    `20261207t223145` (15 characters; two runs started in the same minute differ). The one value taken from the
    clock, on purpose: a persistent target must see new references every run. It is recorded in the report and the
    cassettes, so `--run-id` reproduces the run."""
    return started.astimezone(UTC).strftime("%Y%m%dt%H%M%S")


@dataclass(frozen=True)
class RunContext:
    """What makes one run reproducible; recorded with every cassette and report."""

    seed: int = DEFAULT_SEED
    run_id: str = DEFAULT_RUN_ID
    clock: datetime = DEFAULT_CLOCK

    def values(self, scope: str) -> Values:
        return Values(self, scope)

    def as_dict(self) -> dict[str, object]:
        return {"seed": self.seed, "run_id": self.run_id, "clock": self.clock.isoformat()}


@dataclass
class Values:
    """Deterministic values for one scope (a test): the same label always gives the same value."""

    run: RunContext
    scope: str
    _counter: dict[str, int] = field(default_factory=dict)

    def _digest(self, label: str) -> bytes:
        # A repeated label gets a fresh value each time, still in a fixed order.
        n = self._counter.get(label, 0)
        self._counter[label] = n + 1
        key = f"{self.run.seed}\x1f{self.run.run_id}\x1f{self.scope}\x1f{label}\x1f{n}"
        return hashlib.sha256(key.encode()).digest()

    def token(self, label: str, length: int = 8) -> str:
        """Lower-case alphanumeric token."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        digest = self._digest(label)
        return "".join(alphabet[b % len(alphabet)] for b in digest[:length])

    def reference(self, prefix: str) -> str:
        """A business reference unique to this run and test, e.g. `SO-r0-k3v9x2aa`."""
        return f"{prefix}-{self.run.run_id}-{self.token(prefix)}"

    def integer(self, label: str, low: int, high: int) -> int:
        return low + int.from_bytes(self._digest(label)[:8], "big") % (high - low + 1)

    def timestamp(self, days: float = 0) -> str:
        """An ISO 8601 UTC timestamp relative to the frozen clock."""
        return (self.run.clock + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
