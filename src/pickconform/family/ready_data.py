"""Ready data: what a profile's `test_data` tables name (products with stock, orders, SKUs), handed out so that each
item is used by one test per run.

A vendor sandbox offers the documented API and its own master data, none of our control endpoints: a scenario takes
its data from set-up where the target allows it, else from the profile's `test_data`. A test that changes shared
data with an item (processes orders against a product's stock, recalculates an order, blocks a SKU's inventory)
claims it first; a claimed item is never handed out again in the same run, and a test that cannot get what it needs
is skipped with the reason, never run on an item another test has already changed.

Under pytest-xdist the workers claim from one ledger: a JSON file the controller creates and names to each worker
(`workerinput`), read and rewritten under an exclusive `flock`. The pool is the run's, not a worker's: a test is
skipped only when the whole run has used the items up, whichever worker runs it, and no item goes to two tests.

Each test says which data it used (`ReadyData.note`): its lines travel as the test report's `data` user property into
`report.json` (`tests[].data`) and the HTML report.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

try:
    import fcntl
except ImportError:  # not POSIX: one process only (no xdist), the thread lock alone
    fcntl = None  # type: ignore[assignment]

NOTED = pytest.StashKey[list[str]]()  # a test's data lines (they travel with its report: `pytest_plugin.codec`)
WORKER_KEY = "pickconform_ready_data"  # where the controller names the ledger to its workers


class Ledger:
    """Which ready items this run has handed out, and to which test; shared by every process of the run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _claims(self) -> Iterator[dict[str, dict[str, str]]]:
        """The claims so far, under the run-wide lock; what the block leaves in them is written back."""
        with self._lock, open(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            text = handle.read()
            claims: dict[str, dict[str, str]] = json.loads(text) if text.strip() else {}
            yield claims
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(claims))
            handle.flush()

    def claim(self, pool: str, candidates: Sequence[str], count: int, test: str) -> list[str] | None:
        """Take `count` of `candidates` (in their order) that no test of this run has taken, for `test`; None, and
        nothing taken, when fewer are left."""
        with self._claims() as claims:
            taken = claims.setdefault(pool, {})
            free = [key for key in dict.fromkeys(candidates) if key not in taken]
            if len(free) < count:
                return None
            for key in free[:count]:
                taken[key] = test
            return free[:count]


@dataclass
class ReadyData:
    """One test's side of the ledger: what it claims, and the lines that say which data it used."""

    ledger: Ledger
    item: pytest.Item

    def claim(self, pool: str, candidates: Sequence[str], count: int = 1) -> list[str] | None:
        return self.ledger.claim(pool, candidates, count, self.item.nodeid)

    def note(self, line: str) -> None:
        """Say in the report which data the test used (set-up or test_data), in one line."""
        self.item.stash.setdefault(NOTED, []).append(line)


class ReadyDataPlugin:
    """Registered by the pickconform plugin: one ledger per run (the controller's, under xdist), made when a test
    first asks for it (a pytest session that runs no conformance test makes none). The suite's `ready_data` fixture
    (tests/conformance/conftest.py) hands it out."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            named = getattr(self.config, "workerinput", {}).get(WORKER_KEY)
            if named:
                path = Path(named)
            else:
                directory = Path(tempfile.mkdtemp(prefix="pickconform-ready-"))
                self.config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))
                path = directory / "claims.json"
            self._ledger = Ledger(path)
        return self._ledger

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist, on the controller: each worker claims from the controller's ledger."""
        node.workerinput[WORKER_KEY] = str(self.ledger.path)

    def for_test(self, request: pytest.FixtureRequest) -> ReadyData:
        return ReadyData(self.ledger, request.node)
