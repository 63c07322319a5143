"""How a conformance test's report becomes a verdict: the findings its checks recorded, a target that broke the
exchange, a set-up the suite could not do, a cassette miss; and what travels with the report to where the conformance
report is written (under xdist, the controller)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pickconform import cassettes, verdict
from pickconform.catalogue import catalogue
from pickconform.http.client import TargetMisbehaved
from pickconform.pytest_plugin import codec
from pickconform.pytest_plugin.items import family_of, requirements_of
from pickconform.pytest_plugin.settings import run_settings
from pickconform.report import Finding, evidence
from pickconform.verdict import SetupError, Violation, Violations

__all__ = ["FindingsCollector", "judge_report", "notifications_so_far"]

# What the test's checks applied to: requirement → how many exchanges (`verdict.judged`), kept for its report.
_JUDGED = pytest.StashKey[dict[str, int]]()


def judge_report(
    item: pytest.Item,
    call: pytest.CallInfo[None],
    test_report: pytest.TestReport,
    target: Any,
    recorder: cassettes.Recorder | None,
    exchanges_before: int,
    notified_before: int = 0,
) -> pytest.TestReport:
    """A conformance test's report, judged: its outcome (a warning passes), its evidence, and its properties."""
    error = _unwrap(call.excinfo.value) if call.excinfo is not None else None
    findings, stopped = _findings(error)
    misbehaved = _misbehaviour(error, item)
    setup_error = "" if misbehaved is not None else _setup_error(error)
    if misbehaved is not None:
        findings, stopped = [*findings, misbehaved], misbehaved.requirement
    findings, outside = _selected(findings, item)
    miss = cassettes.find_miss(error) if error is not None else None
    if miss is not None:  # vcrpy's own message would show the unredacted request: never str(error) here
        setup_error = cassettes.describe_miss(miss, item.nodeid)
        earlier = [str(v) for v in error.found] if isinstance(error, Violations) else []
        test_report.longrepr = "\n\n".join([*earlier, setup_error])
    elif findings or setup_error:
        test_report.longrepr = str(error)  # the requirement, request and response say it all
    if outside and not findings and not setup_error and miss is None:
        _outside_selection(item, test_report, outside, stopped)
    strict = run_settings(item.config).strict
    soft = {r.id for r in catalogue().values() if r.soft}
    if findings and not setup_error and not strict and all(f.soft or f.requirement in soft for f in findings):
        # Only departures from an interpretation or a SHOULD: a warning in the report, not a failed test.
        test_report.outcome, test_report.longrepr = "passed", None
        test_report.sections.append(("pickconform: warnings", str(error)))
    if test_report.failed and not findings and target is not None:
        exchanges = "\n\n".join(exchange.describe() for exchange in target.log.latest(3))
        if exchanges:
            test_report.sections.append(("pickconform: last exchanges with the target", exchanges))
    if test_report.when == "call" or test_report.outcome != "passed" or findings:
        # What the report needs travels with the test report, so it also reaches the controller under xdist.
        stale = recorder.stale.get(item.nodeid, []) if recorder is not None else []
        shown = findings or outside or setup_error or test_report.failed
        log = _log(target, [*findings, *outside], exchanges_before, notified_before) if shown and target else None
        codec.encode(
            test_report,
            item,
            requirements=requirements_of(item),
            scenario=_scenario(test_report, item),
            exchanges=target.log.count - exchanges_before if target else 0,
            findings=findings,
            outside=[f"{f.requirement}: {f.message.splitlines()[0][:300]}" for f in outside],
            stopped=stopped,
            precondition=_precondition(error),
            error=setup_error,
            stale_cassette=stale,
            unexpected_inbound=target.take_unexpected_inbound() if target else {},
            log=log,
            judged=item.stash.get(_JUDGED, {}),
        )
    return test_report


def _log(target: Any, findings: list[Finding], exchanges_before: int, notified_before: int) -> dict[str, Any]:
    """The test's evidence log: its exchanges (bounded, redacted) and the notifications its Butler target received
    meanwhile, in order (`pickconform.report.evidence`)."""
    received: list[Any] = []
    butler = target.families.get("butler")
    receiver = getattr(butler, "started_receiver", None) if butler is not None else None
    if receiver is not None:
        with receiver.condition:
            received = list(receiver.received[notified_before:])
    exchanges = target.log.timed(evidence.HEAD, evidence.TAIL)
    return evidence.test_log(exchanges, target.log.count - exchanges_before, received, findings)


def notifications_so_far(target: Any) -> int:
    """How many notifications the target's Butler receiver has taken (0 before it started): a test's start."""
    butler = target.families.get("butler")
    receiver = getattr(butler, "started_receiver", None) if butler is not None else None
    if receiver is None:
        return 0
    with receiver.condition:
        return len(receiver.received)


def _selected(findings: list[Finding], item: pytest.Item) -> tuple[list[Finding], list[Finding]]:
    """Under --requirement, the findings of the selected requirements, and those of the others: a test that also
    exercises a requirement the run did not ask for does not fail on it (its finding is listed, not counted)."""
    wanted = set(run_settings(item.config).requirement)
    if not wanted:
        return findings, []
    return [f for f in findings if f.requirement in wanted], [f for f in findings if f.requirement not in wanted]


def _outside_selection(item: pytest.Item, test_report: pytest.TestReport, outside: list[Finding], stopped: str) -> None:
    """A test whose only findings are outside the --requirement selection: it passes, or, when one of them stopped it
    before it reached the selected requirements, it is skipped (they were not judged); never a failure the exit status
    and the report do not count."""
    listed = "\n".join(f"[{f.requirement}] {f.message}" for f in outside)
    test_report.sections.append(("pickconform: findings outside the --requirement selection (not counted)", listed))
    if stopped and stopped != "-":
        reason = f"not judged: the test stopped on {stopped}, outside the --requirement selection, first"
        test_report.outcome = "skipped"
        test_report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")
    else:
        test_report.outcome, test_report.longrepr = "passed", None


def _scenario(test_report: pytest.TestReport, item: pytest.Item) -> dict[str, Any]:
    """A Gherkin scenario's steps as pytest-bdd serialises them (for cucumber.json, complete under xdist too)."""
    from pytest_bdd.reporting import test_report_context_registry

    context = test_report_context_registry.get(test_report)
    if context is None or test_report.when != "call":
        return {}
    return {**context.scenario, "test": context.name}


class FindingsCollector:
    """Outermost around a conformance test's call: what its checks recorded (`verdict.expect`, fuzzing) is raised at
    the end, together with whatever stopped the test, so each requirement it exercised is judged on its own."""

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Iterator[None]:
        if family_of(pyfuncitem) is None:
            return (yield)
        findings = verdict.begin()
        try:
            result = yield
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:
            ended = findings.outcome(_unwrap(error))
            if ended is error:
                raise
            raise (ended if ended is not None else error) from None
        else:
            ended = findings.outcome(None)
            if ended is not None:
                raise ended
            return result
        finally:
            pyfuncitem.stash[_JUDGED] = dict(findings.judged)
            verdict.end()


def _unwrap(error: BaseException) -> BaseException:
    """Hypothesis reports the distinct failures of one test as an exception group: the first violation of it."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _unwrap(inner)
            if isinstance(found, Violation | Violations | SetupError):
                return found
    return error


def _findings(error: BaseException | None) -> tuple[list[Finding], str]:
    """The findings an error carries, and the requirement whose violation stopped the test ("" if none did: a skip
    (`_precondition`) or an error (`_setup_error`) says why it stopped)."""
    if isinstance(error, Violation):
        return [_finding(error)], error.requirement
    if isinstance(error, Violations):
        stopped = error.stopped_by.requirement if isinstance(error.stopped_by, Violation) else ""
        counts = error.counts
        return [_finding(v, counts.get(v.requirement, 1)) for v in error.found], stopped
    return [], ""


def _precondition(error: BaseException | None) -> str:
    """The reason of a skip that ended a test after it had found something (a precondition the target did not
    reach): the requirements it had not judged yet are skipped with that reason, as when it found nothing."""
    stop = error.stopped_by if isinstance(error, Violations) else None
    if isinstance(stop, pytest.skip.Exception):
        return str(stop.msg or "skipped").removeprefix("Skipped: ")
    return ""


def _finding(violation: Violation, count: int = 1) -> Finding:
    exchange = dataclasses.asdict(violation.exchange) if violation.exchange is not None else None
    return Finding(violation.requirement, violation.message, exchange, count, violation.soft)


def _misbehaviour(error: BaseException | None, item: pytest.Item) -> Finding | None:
    """A target that breaks the exchange itself (closes the connection, answers no HTTP, a body over the limit or past
    the deadline) fails the requirement the test judges first, with what it got as evidence. Under --requirement, the
    first the run asked for: one it does not report would leave those it does as "not judged", and the run passing."""
    stop = error.stopped_by if isinstance(error, Violations) else error
    if not isinstance(stop, httpx.TransportError) or run_settings(item.config).replay:
        return None  # a replay opens no connection: what it cannot answer is the cassette's, not the target's
    wanted = set(run_settings(item.config).requirement)
    requirements = [r for r in requirements_of(item) if r in wanted] or list(requirements_of(item))
    if not requirements:
        return None
    exchange = stop.exchange if isinstance(stop, TargetMisbehaved) else None
    request = getattr(stop, "_request", None)
    where = f" ({request.method} {request.url})" if request is not None else ""
    message = f"the target broke the exchange{where}: {type(stop).__name__}: {stop}"
    return Finding(requirements[0], message, dataclasses.asdict(exchange) if exchange is not None else None)


def _setup_error(error: BaseException | None) -> str:
    """Why the suite could not do its part: a refused set-up call, or the suite itself breaking."""
    if isinstance(error, Violations):
        error = error.stopped_by
    if error is None or isinstance(error, Violation | pytest.skip.Exception | KeyboardInterrupt):
        return ""
    if isinstance(error, SetupError | cassettes.StaleCassette | cassettes.CassetteMiss):
        return str(error)  # says what could not be done, and what to do about a cassette
    miss = cassettes.find_miss(error)
    if miss is not None:
        return ""  # described on its own below
    return f"the suite could not complete the test: {type(error).__name__}: {error}"
