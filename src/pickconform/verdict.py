"""How a check judges a target.

- `check` stops the test on a `Violation` (a later step cannot run without this one);
- `expect` records a `Violation` and lets the test go on, so a test that exercises several requirements (fuzzing,
  robustness, the cross-cutting checks of a scenario) judges each of them on its own;
- `SetupError` is the suite failing to do its part (the target refused a set-up call): an *error*, never a *fail*;
- `not_offered` skips a test when the target does not offer an operation the seeds do not define;
- `judged` says a check of a requirement applied to an exchange (`check` and `expect` say it themselves): a
  requirement passes only where some check of it applied, else it is a skip, "not judged" (README, "Five outcomes").
"""

from __future__ import annotations

import re
import threading
from typing import Any

import httpx
import pytest

from pickconform.http import redaction
from pickconform.http.client import Exchange

# A test keeps at most this many findings of one requirement (a fuzz run can find the same fault hundreds of times).
_PER_REQUIREMENT = 3


class Violation(AssertionError):
    """The target broke a requirement. Rendered without a traceback: requirement, message, request and response."""

    def __init__(
        self,
        requirement: str,
        message: str,
        exchange: Exchange | httpx.Response | None = None,
        *,
        soft: bool = False,
    ) -> None:
        if isinstance(exchange, httpx.Response):
            exchange = Exchange.from_response(exchange)
        # soft: found against a part of the spec no document states (a constraint we inferred, a set-up operation),
        # so it is a warning even under a documented requirement.
        message = redaction.scrub(message)  # a message may quote what the target echoed of the personal data sent
        self.requirement, self.message, self.exchange, self.soft = requirement, message, exchange, soft
        text = f"[{requirement}]{' (interpretation)' if soft else ''} {message}"
        if exchange is not None:
            text += "\n" + exchange.describe()
        super().__init__(text)


class Violations(AssertionError):
    """Everything one test found, each violation on its own requirement; `stopped_by` is the error that ended the
    test early, if any (a hard `check`, a set-up error), so the requirements it had not reached yet are not judged."""

    def __init__(self, found: list[Violation], counts: dict[str, int], stopped_by: BaseException | None) -> None:
        self.found, self.counts, self.stopped_by = found, counts, stopped_by
        parts = []
        for violation in found:
            more = counts.get(violation.requirement, 1) - sum(v.requirement == violation.requirement for v in found)
            parts.append(str(violation) + (f"\n(and {more} more violations of it)" if more > 0 else ""))
        if stopped_by is not None and not isinstance(stopped_by, Violation):
            parts.append(f"then: {stopped_by}")
        super().__init__("\n\n".join(parts))


class SetupError(Exception):
    """The target refused the data a scenario needs, so the scenario judges nothing: its requirements end as
    `error` (the suite could not do its part), with the refused call as evidence."""

    def __init__(self, what: str, response: httpx.Response | None = None) -> None:
        self.what = what = redaction.scrub(what)
        self.exchange = Exchange.from_response(response) if response is not None else None
        text = f"set-up failed: {what}"
        if self.exchange is not None:
            text += "\n" + self.exchange.describe()
        super().__init__(text)


SetupFailed = SetupError  # the name the scenarios' set-up helpers know

# How targets say a create names something they already hold: Butler's "externalServiceRequestId ... already
# exists", Rails-style "reference has already been taken" (Clarus), "already used", "already registered".
_ALREADY_HELD = re.compile(r"already (?:exists?|been (?:taken|used|registered)|taken|used|registered|in use)", re.I)


class RunIdReused(SetupError):
    """A create the suite sends for the first time in this run was refused because the target already holds what it
    names: an earlier run sent it, with the same run id. The run stops with one line (exit 2), not a wall of
    failures: every reference the suite sends derives from the run id."""

    def __init__(self, run_id: str, what: str, response: httpx.Response) -> None:
        super().__init__(what, response)
        self.run_id = run_id
        self.line = (
            f"run id {run_id!r} was already used against this target: it refused {what} as already existing; "
            "start the run with a new run id (--run-id, the profile's [target] run_id, or neither for a fresh one); "
            "a reproduce line re-sends its run's own references, so on a target that keeps its data give it a new "
            "--run-id too"
        )


def refused_as_existing(response: httpx.Response) -> bool:
    """A create refused (4xx) because the target already holds what it names."""
    if not response.is_client_error:
        return False
    try:
        text = response.text[:4096]
    except (UnicodeDecodeError, LookupError):
        return False
    return bool(_ALREADY_HELD.search(text))


class FirstSends:
    """The identifiers a target was sent in creates by this process, so that an "already exists" for one sent for the
    first time is known to be an earlier run's, not this run's (a scenario that re-sends a create on purpose)."""

    def __init__(self) -> None:
        self._sent: set[str] = set()
        self._lock = threading.Lock()

    def first(self, identifier: str) -> bool:
        """True the first time `identifier` is sent."""
        with self._lock:
            new = identifier not in self._sent
            self._sent.add(identifier)
            return new

    def refused(self, identifier: str, first: bool, run_id: str, what: str, response: httpx.Response) -> None:
        """Raise `RunIdReused` when a create of `identifier`, sent for the first time, was refused as existing."""
        if first and run_id in identifier and refused_as_existing(response):
            raise RunIdReused(run_id, what, response)


class Findings:
    """The violations recorded by the running test (thread-safe: races judge from several threads)."""

    def __init__(self) -> None:
        self.found: list[Violation] = []
        self.counts: dict[str, int] = {}
        self._kept: dict[tuple[str, bool], int] = {}
        self._lock = threading.Lock()
        # How many exchanges each requirement's checks applied to (whatever they found), and the last one counted.
        self.judged: dict[str, int] = {}
        self._last_judged: dict[str, object] = {}
        # The exchange the target broke, if it broke one (no answer within the deadline, a body over the limit, a
        # dropped connection): the test's judging ends there (see `pickconform.fuzzing.send`).
        self.broken: Exception | None = None

    def add(self, violation: Violation) -> None:
        with self._lock:
            self.counts[violation.requirement] = self.counts.get(violation.requirement, 0) + 1
            key = (violation.requirement, violation.soft)  # a warning never crowds out a fail of the same requirement
            if self._kept.get(key, 0) < _PER_REQUIREMENT:
                self._kept[key] = self._kept.get(key, 0) + 1
                self.found.append(violation)

    def judge(self, requirement: str, exchange: object = None) -> None:
        with self._lock:  # the same exchange judged again (several checks of one response) counts once
            if exchange is None or self._last_judged.get(requirement) is not exchange:
                self.judged[requirement] = self.judged.get(requirement, 0) + 1
                if exchange is not None:
                    self._last_judged[requirement] = exchange

    def outcome(self, stopped_by: BaseException | None) -> BaseException | None:
        """The error the test ends with: None when it found nothing and was not stopped."""
        found = list(self.found)
        counts = dict(self.counts)
        if isinstance(stopped_by, Violation):
            found.append(stopped_by)
            counts[stopped_by.requirement] = counts.get(stopped_by.requirement, 0) + 1
        elif isinstance(stopped_by, Violations):
            return stopped_by
        if not found:
            return stopped_by
        return Violations(found, counts, stopped_by)


# The running conformance test's findings, set by the plugin around each test's call. A module global and not a
# context variable on purpose: a test's checks also run in the threads it starts (concurrent requests of a race),
# which a context variable would not reach; a process runs one test at a time (xdist workers are processes).
_current: Findings | None = None


def current() -> Findings | None:
    """The running conformance test's findings (None outside one)."""
    return _current


def begin() -> Findings:
    global _current
    _current = Findings()
    return _current


def end() -> None:
    global _current
    _current = None


def record(violation: Violation) -> None:
    """Record a violation and go on; outside a conformance test (a helper used on its own) it is raised."""
    if _current is None:
        raise violation
    if violation.requirement not in _current.judged:  # a finding is a judgement (counted once with its check's)
        _current.judge(violation.requirement, violation.exchange)
    _current.add(violation)


def judged(requirement: str, exchange: object = None) -> None:
    """A check of `requirement` applied to `exchange` (a response, or None for what is no single exchange, such as a
    notification stream), whatever it found. A check that applies only to some exchanges (an error body to an error
    response, a refusal to an answered malformed request) calls this where it applies, so a requirement nothing
    judged ends as a skip, never a pass."""
    if _current is not None:
        _current.judge(requirement, exchange)


def check(condition: object, requirement: str, message: str, exchange: Exchange | httpx.Response | None = None) -> None:
    """Stop the test on a violation: for a check the rest of the scenario depends on."""
    judged(requirement, exchange)
    if not condition:
        raise Violation(requirement, message, exchange)


def expect(
    condition: object, requirement: str, message: str, exchange: Exchange | httpx.Response | None = None
) -> bool:
    """Record a violation and go on: for a check nothing later depends on. Returns the condition."""
    judged(requirement, exchange)
    if not condition:
        record(Violation(requirement, message, exchange))
    return bool(condition)


def not_offered(response: httpx.Response, operation: str) -> None:
    """Skip when the target answers an operation the seeds do not define as a whole with 404, 405 or 501: it does not
    offer it, which is no conformance fault."""
    if response.status_code in (404, 405, 501):
        pytest.skip(
            f"the target does not offer {operation} (answered {response.status_code}); the seeds do not define it"
        )


def json_body(response: httpx.Response, requirement: str) -> Any:
    """The response's JSON, or a violation of `requirement` saying it was not JSON."""
    try:
        return response.json()
    except ValueError:
        raise Violation(requirement, "expected a JSON body", response) from None


def pointer(document: Any, path: str) -> Any:
    """Resolve a JSON pointer (RFC 6901); None when any step is missing."""
    current = document
    for raw in path.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current
