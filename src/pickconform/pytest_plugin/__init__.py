"""The pytest plugin: its hooks and fixtures, delegating to what they set up (the run's wire and target, the session's
recorder, the fuzz settings) and to `items`, `judging` and `summary`.

Registered through the `pytest11` entry point, so `pytest --profile my.toml` and `pickconform run` share it.
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import gc
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pickconform import cassettes, fuzzing, paths, report
from pickconform.catalogue import catalogue
from pickconform.determinism import DEFAULT_RUN_ID, DEFAULT_SEED, RunContext, check_run_id, fresh_run_id
from pickconform.family import ready_data
from pickconform.family.profile import Profile, ProfileError, load_profile
from pickconform.http.client import Limits, Wire
from pickconform.http.tap import LIVE
from pickconform.options import RUN_OPTIONS, RunSettings
from pickconform.pytest_plugin import codec
from pickconform.pytest_plugin.items import family_at, family_of, is_conformance, primary_requirement, requirements_of
from pickconform.pytest_plugin.judging import FindingsCollector, judge_report, notifications_so_far
from pickconform.pytest_plugin.settings import run_settings, store_settings
from pickconform.pytest_plugin.summary import OutcomeCollector, write_verdicts
from pickconform.report import TestOutcome, compare
from pickconform.targets import Target, connect, embedded_name, replay_target, slots, start_embedded
from pickconform.verdict import RunIdReused, Violations

__all__ = [
    "cassette_for",
    "family_of",
    "family_target",
    "primary_requirement",
    "ready_data_for",
    "require_capabilities",
    "requirements_of",
]

_TARGET = pytest.StashKey[Target | None]()
_OUTCOMES = pytest.StashKey[list[TestOutcome]]()
_DOCUMENT = pytest.StashKey[dict[str, Any]]()
_RECORDER = pytest.StashKey[cassettes.Recorder | None]()
_WIRE = pytest.StashKey[Wire]()  # what every client of the session's target shares: limits, exchange log, tap
_FUZZING = pytest.StashKey[fuzzing.FuzzSettings]()
_REPLAYED_RUN = pytest.StashKey[RunContext]()
_LEFTOVER_INBOUND = pytest.StashKey[list[dict[str, Any]]]()  # unexpected inbound requests after the last test
_RUN = pytest.StashKey[RunContext]()  # the run's seed, run id and clock: resolved once, in the controller
_RUN_ID_REUSED = pytest.StashKey[str]()  # the one line a run stops with when the target has seen its run id
RUN_KEY = "pickconform_run"  # where the controller names the run's seed and run id to its xdist workers
_NAMED = pytest.StashKey[set[str]]()  # the requirements of the tests named by node id: the report's only ones
_PROFILE = pytest.StashKey[dict[str, str]]()  # the profile's name, and its path as the user gave it
_BASELINE = pytest.StashKey[dict[str, Any] | None]()  # --baseline-report, loaded
_STARTED = pytest.StashKey[tuple[datetime, float]]()  # the wall clock and the monotonic one when the session started


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pickconform", "pickconform conformance suite")
    for option in RUN_OPTIONS:  # the same table as `pickconform run`'s
        group.addoption(option.pytest_flag, **{"default": option.pytest_default, **option.arguments()})


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): requirement IDs a conformance test verifies")
    config.addinivalue_line("markers", "capability(name): a target capability the test needs")
    config.stash[_OUTCOMES] = []
    config.stash[_LEFTOVER_INBOUND] = []
    config.pluginmanager.register(OutcomeCollector(config.stash[_OUTCOMES]), "pickconform-outcomes")
    config.pluginmanager.register(FindingsCollector(), "pickconform-findings")
    config.pluginmanager.register(ready_data.ReadyDataPlugin(config), "pickconform-ready-data")
    config.stash[_TARGET] = None
    settings = store_settings(config, RunSettings.from_pytest(config))  # the options, read once
    if (why := paths.missing()) is not None and _asks_for_the_suite(config):
        raise pytest.UsageError(why)  # a broken install; a session that asks nothing of pickconform is left alone
    for option in ("mutant", "variant"):
        if getattr(settings, option) and settings.profile:
            raise pytest.UsageError(f"--{option} runs the embedded reference: it cannot be combined with --profile")
    if settings.mutant and settings.variant:
        raise pytest.UsageError("--mutant and --variant are mutually exclusive: each runs one reading of the reference")
    if settings.mutant or settings.variant:
        from pickconform.reference.mutants import all_mutants, all_variants

        if settings.mutant and settings.mutant not in all_mutants():
            raise pytest.UsageError(f"unknown mutant {settings.mutant!r} (see `pickconform mutants`)")
        if settings.variant and settings.variant not in all_variants():
            raise pytest.UsageError(f"unknown variant {settings.variant!r} (see `pickconform variants`)")
    if settings.replay:
        for option in ("profile", "mutant", "variant"):
            if getattr(settings, option):
                raise pytest.UsageError(f"--replay answers from cassettes: it cannot be combined with --{option}")
    profile = None
    if settings.profile:
        try:
            profile = load_profile(settings.profile)
        except ProfileError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_PROFILE] = {"name": profile.target.name, "path": str(settings.profile)}
    limits = profile.target.limits if profile is not None else Limits()
    recorder = _configure_cassettes(config, limits)
    settings = run_settings(config)  # a replay's: the recording's seed and run id
    config.stash[_RUN] = _resolve_run(config, profile)
    config.stash[_WIRE] = Wire(limits=limits, tap=recorder or LIVE)
    config.stash[_FUZZING] = fuzzing.FuzzSettings(
        examples=settings.fuzz_examples,
        randomised=settings.fuzz_random,
        seed=run_context(config).seed,
        replaying=bool(settings.replay),
        all_operations=settings.fuzz_all,
    )
    config.stash[_BASELINE] = _baseline(config)
    report_dir = settings.report_dir
    if report_dir:
        directory = Path(report_dir)
        directory.mkdir(parents=True, exist_ok=True)
    _start_time_limit(config)
    if profile is not None:
        try:
            run = run_context(config)
            config.stash[_TARGET] = connect(profile, run, selected_families(config), config.stash[_WIRE])
        except ProfileError as exc:
            raise pytest.UsageError(str(exc)) from None


def _asks_for_the_suite(config: pytest.Config) -> bool:
    """Whether the session names the conformance suite or sets any of pickconform's options."""
    named = any(is_conformance(Path(arg.split("::")[0]).resolve()) for arg in config.args)
    return named or run_settings(config) != RunSettings()


def _baseline(config: pytest.Config) -> dict[str, Any] | None:
    """The earlier run's report.json, read before anything runs: a missing or garbled one is a usage error."""
    settings = run_settings(config)
    if settings.fail_on == "new" and not settings.baseline_report:
        raise pytest.UsageError("--fail-on new needs --baseline-report: what is new is judged against a baseline")
    if not settings.baseline_report:
        return None
    try:
        return compare.load(settings.baseline_report)
    except compare.BaselineError as exc:
        raise pytest.UsageError(f"--baseline-report {exc}") from None


_TIME_LIMIT_HIT = pytest.StashKey[threading.Event]()
_WRITTEN = pytest.StashKey[list[Path]]()
STOPPED_AT_TIME_LIMIT = "run stopped at the time limit"


def _start_time_limit(config: pytest.Config) -> None:
    """--max-time: when it passes, the run takes SIGTERM's clean path (pytest stops, the report is written; the CLI
    exits 143), whatever the target is doing meanwhile."""
    hit = config.stash[_TIME_LIMIT_HIT] = threading.Event()
    seconds = run_settings(config).max_time
    if seconds is None or hasattr(config, "workerinput"):
        return
    if seconds <= 0:
        raise pytest.UsageError("--max-time must be positive")
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)  # plain pytest: SIGTERM would kill the process, report unwritten

    def stop() -> None:
        hit.set()
        _thread.interrupt_main(signal.SIGTERM)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    config.add_cleanup(timer.cancel)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _configure_cassettes(config: pytest.Config, limits: Limits) -> cassettes.Recorder | None:
    """The session's recorder (the tap of its wire), if it records or replays."""
    settings = run_settings(config)
    record, replay = settings.record, settings.replay
    config.stash[_RECORDER] = None
    if record and replay:
        raise pytest.UsageError("--record and --replay are mutually exclusive")
    if replay:
        if not Path(replay).is_dir():
            raise pytest.UsageError(f"--replay {replay}: no such directory of cassettes")
        recorded = cassettes.recorded_run(Path(replay))
        if recorded is None:
            raise pytest.UsageError(f"--replay {replay}: no pickconform cassette in it")
        seed, run_id = settings.seed, settings.run_id
        if (seed is not None and seed != recorded.seed) or (run_id is not None and run_id != recorded.run_id):
            raise pytest.UsageError(
                f"--replay {replay}: recorded with seed {recorded.seed} and run id {recorded.run_id}"
            )
        # Replay sends what the recording sent: same seed, run id and clock (the options, too, for xdist's workers).
        config.option.seed, config.option.run_id = recorded.seed, recorded.run_id
        store_settings(config, dataclasses.replace(settings, seed=recorded.seed, run_id=recorded.run_id))
        config.stash[_REPLAYED_RUN] = recorded
        blocker = cassettes.network_blocked()
        blocker.__enter__()
        config.add_cleanup(lambda: blocker.__exit__(None, None, None))
        config.stash[_RECORDER] = cassettes.Recorder(
            Path(replay), "replay", fail_stale=settings.fail_stale, limits=limits
        )
    elif settings.fail_stale:
        raise pytest.UsageError("--fail-stale applies to --replay only")
    elif record:
        # Its metadata (the target's slots) is known once the target is (`pickconform_target`).
        config.stash[_RECORDER] = cassettes.Recorder(Path(record), "record", limits=limits)
    return config.stash[_RECORDER]


def selected_families(config: pytest.Config) -> tuple[str, ...]:
    return run_settings(config).families


def run_context(config: pytest.Config) -> RunContext:
    """The run's seed, run id and clock, as resolved once when the run was configured."""
    if _RUN not in config.stash:  # a caller before pytest_configure (none in a run): what the options say
        config.stash[_RUN] = _resolve_run(config, None)
    return config.stash[_RUN]


def _resolve_run(config: pytest.Config, profile: Profile | None) -> RunContext:
    """A replay's recorded run; an xdist worker's controller's; else the seed and the run id from the command line,
    else from the profile's [target], else the defaults: a run against a profile that names no run id gets a fresh
    one from its start time (a persistent target must never see the same references twice), the embedded reference
    the fixed `r0` (its cassettes stay deterministic)."""
    if _REPLAYED_RUN in config.stash:
        return config.stash[_REPLAYED_RUN]
    given = getattr(config, "workerinput", {}).get(RUN_KEY)
    if given:  # computed once, by the controller: every worker sends the same references
        return RunContext(seed=int(given["seed"]), run_id=str(given["run_id"]))
    settings = profile.target if profile is not None else None
    seed = run_settings(config).seed
    if seed is None:
        seed = settings.seed if settings is not None and settings.seed is not None else DEFAULT_SEED
    run_id = run_settings(config).run_id
    if run_id is not None:
        try:
            check_run_id(run_id)
        except ValueError as exc:
            raise pytest.UsageError(f"--run-id: {exc}") from None
    elif settings is not None:
        run_id = settings.run_id or fresh_run_id(datetime.now(UTC))
    return RunContext(seed=seed, run_id=run_id or DEFAULT_RUN_ID)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist, on the controller: each worker runs with the controller's seed and run id."""
    run = run_context(node.config)
    node.workerinput[RUN_KEY] = {"seed": run.seed, "run_id": run.run_id}


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    """Against a profile's target, the run id the references carry (fresh each run unless one is given)."""
    if not run_settings(config).profile or _RUN not in config.stash:
        return None
    run = config.stash[_RUN]
    return [f"pickconform: run id {run.run_id}, seed {run.seed}"]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Families not selected are not even imported: a run of one family does not depend on the others."""
    family = family_at(collection_path)
    if family is not None and family not in selected_families(config):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    families = set(selected_families(config))
    wanted = set(run_settings(config).requirement)
    unknown = wanted - set(catalogue()) if wanted else set()
    if unknown:
        raise pytest.UsageError(f"unknown requirement {sorted(unknown)[0]!r}")
    keep, drop = [], []
    for item in items:
        family = family_of(item)
        if family is not None and (
            family not in families or (wanted and not wanted.intersection(requirements_of(item)))
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if any("::" in str(arg) for arg in config.args):  # tests named by node id (`pickconform run --test`)
        config.stash[_NAMED] = {r for item in keep if family_of(item) is not None for r in requirements_of(item)}


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[Any]:
    """Schemathesis builds a fuzz test's strategies as its module is collected: the run's fuzz settings hold there.
    Only for the conformance suite: the collection of any other test is left as it is."""
    if not is_conformance(Path(collector.path)):
        return (yield)
    with fuzzing.fuzzing_with(collector.config.stash[_FUZZING]), fuzzing.fuzz_collection():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A conformance test runs with the run's fuzz settings, and its Hypothesis settings (no shrinking, first error
    ends it) are its own: no profile is loaded, so every other Hypothesis test of the session keeps its own. A fuzz
    test's cases still in flight (`pickconform_fuzz_pipeline`) are waited for within its call."""
    if family_of(item) is None:
        return (yield)
    with fuzzing.fuzzing_with(item.config.stash[_FUZZING]), fuzzing.fuzz_test(getattr(item, "obj", None)):
        pipeline = item.stash.get(_PIPELINE, None)
        if pipeline is None:
            return (yield)
        try:
            result = yield
        except BaseException:
            pipeline.close()  # the cases in flight are judged too; the test's own error is the one reported
            raise
        pipeline.finish()  # the test's verdict holds every case it submitted
        return result


_PIPELINE = pytest.StashKey[fuzzing.Pipeline]()


@pytest.fixture
def pickconform_fuzz_pipeline(request: pytest.FixtureRequest) -> Iterator[fuzzing.Pipeline]:
    """A fuzz test's cases sent concurrently against a profile's target across a network
    (`pickconform.fuzzing.pipeline`); one at a time, in the order drawn, with cassettes and against the embedded
    reference (on loopback the round trip is nothing to overlap, and its threads would only share the GIL with the
    reference's: ~0.7 s more of the whole suite)."""
    live_remote = request.config.getoption("profile") and request.config.stash[_RECORDER] is None
    width = fuzzing.LIVE_WIDTH if live_remote else 1
    pipeline = request.node.stash[_PIPELINE] = fuzzing.Pipeline(width)
    yield pipeline
    pipeline.close()
    del request.node.stash[_PIPELINE]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist, on the controller: against a profile's target, which the workers share, the tests of each exclusive
    group (`pickconform.pytest_plugin.concurrency`) run on one worker, one after another, and every other test goes
    to the next free worker (xdist's `loadgroup`, the groups read from the families' declarations)."""
    if not config.getoption("profile") or config.getoption("dist") not in ("load", "loadgroup"):
        return None
    from pickconform._compat.xdist import grouped_scheduling
    from pickconform.pytest_plugin.concurrency import exclusive_group

    return grouped_scheduling(config, log, exclusive_group)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (modules, specs, Schemathesis schemas, their Hypothesis strategies and coverage cases)
    lives as long as the run: frozen out of the cyclic garbage collector, so that the full collections Hypothesis'
    allocations trigger do not walk it again and again (about a second of a replay of the whole suite, more of a live
    run). Reference counting still frees what the tests drop; only a session that collected conformance tests."""
    if any(family_of(item) is not None for item in session.items):
        gc.freeze()


@pytest.hookimpl(tryfirst=True)  # before pytest-bdd's own, whichever plugin the environment happens to load first
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """Gherkin tags `@req:ID` and `@capability:NAME` become markers; `@api:NAME` documents the family (its folder
    decides); other tags keep pytest-bdd's default."""
    kind, _, value = tag.partition(":")
    if kind == "api" and value:
        return True
    if kind == "req" and value:
        pytest.mark.requirement(value)(function)
        return True
    if kind == "capability" and value:
        pytest.mark.capability(value)(function)
        return True
    return None


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pickconform_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The run's target: the profile's, a replay of cassettes, or the embedded reference implementation."""
    config = request.config
    target = config.stash[_TARGET]
    settings = run_settings(config)
    if target is None and settings.replay:
        target = replay_target(
            selected_families(config),
            run_context(config),
            cassettes.PLACEHOLDER_ORIGIN,
            config.stash[_WIRE],
            target_name(config),
        )
        config.stash[_TARGET] = target
    if target is None:
        target = start_embedded(
            selected_families(config),
            run_context(config),
            settings.mutant,
            settings.variant,
            config.stash[_WIRE],
        )
        config.stash[_TARGET] = target
    recorder = config.stash[_RECORDER]
    if recorder is None or not recorder.replaying:
        # Recorded and reported Authorization headers name the credential slot, not the token (a curl line reads it
        # from an environment variable named after the slot).
        slots.label_credentials(target)
    if recorder is not None and not recorder.replaying:
        recorder.metadata = cassettes.Metadata(target.run, target.name, tuple(target.families), slots.describe(target))
    yield target


# The generic fixtures of the suite (`run`, `values`, `requirement`, `ready_data`, its autouse cassette and capability
# fixtures) are defined in tests/conformance/conftest.py, from the helpers below: a plugin's fixtures would be offered
# to every test of every session where pickconform is installed, under names a user's own tests may well use.


@contextlib.contextmanager
def cassette_for(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --record or --replay, each conformance test's outbound HTTP goes to or comes from its own cassette."""
    settings = run_settings(request.config)
    if family_of(request.node) is None or not (settings.record or settings.replay):
        yield
        return
    request.getfixturevalue("pickconform_target")  # creates the recorder (record) and the target outside the cassette
    recorder = request.config.stash[_RECORDER]
    assert recorder is not None
    with recorder.use(request.node.nodeid, requirements_of(request.node)) as recording:
        yield
        if request.session.exitstatus == pytest.ExitCode.INTERRUPTED:
            # Torn down after an interruption: keep the old cassette rather than part of this test's traffic.
            recording.persister.read_only = True


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    """With cassettes, a fuzz test records the cases it runs, and a replay runs those instead of generating any
    (`fuzzing.cassette_cases`); innermost, so Schemathesis' own wrapper sees the test as it is."""
    recorder = pyfuncitem.config.stash.get(_RECORDER, None)
    if recorder is None or recorder.recording is None or family_of(pyfuncitem) is None:
        return (yield)
    with fuzzing.cassette_cases(pyfuncitem, recorder.mode, recorder.recording.persister):
        return (yield)


def ready_data_for(request: pytest.FixtureRequest) -> ready_data.ReadyData:
    """The test's side of the run's ready-data ledger."""
    plugin = request.config.pluginmanager.get_plugin("pickconform-ready-data")
    assert isinstance(plugin, ready_data.ReadyDataPlugin)
    return plugin.for_test(request)


def family_target(target: Target, family: str) -> Any:
    """The target of one family, or a skip saying why there is none."""
    if family not in target.families:
        where = f"the profile {target.profile.path} has no [{family}] section" if target.profile else "not available"
        pytest.skip(f"{family}: {where}")
    return target.families[family]


def require_capabilities(request: pytest.FixtureRequest) -> None:
    """A test that needs a capability the target lacks is skipped with that reason, never silently passed."""
    needed = [mark.args[0] for mark in request.node.iter_markers("capability")]
    family = family_of(request.node)
    if not needed or family is None:
        return
    target = family_target(request.getfixturevalue("pickconform_target"), family)
    missing = [name for name in needed if name not in target.capabilities]
    if missing:
        pytest.skip(f"{family} target lacks capability {missing[0]} (declare it in the profile's capabilities)")


# --- outcomes and the report ----------------------------------------------------------------------------------


_EXCHANGES_BEFORE = pytest.StashKey[int]()


_NOTIFIED_BEFORE = pytest.StashKey[int]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    target = item.config.stash.get(_TARGET, None)
    if target is not None:
        target.log.clear()
        item.stash[_EXCHANGES_BEFORE] = target.log.count
        item.stash[_NOTIFIED_BEFORE] = notifications_so_far(target)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # first in, last out: after pytest-bdd has filled its registry
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    test_report: pytest.TestReport = yield
    if family_of(item) is None:
        return test_report
    config = item.config
    reused = _run_id_reused(call)
    if reused is not None:
        # Every reference of the run derives from its run id: one line, and the run stops (exit 2).
        config.stash[_RUN_ID_REUSED] = reused.line
        item.session.shouldstop = reused.line
    target, recorder = config.stash.get(_TARGET, None), config.stash.get(_RECORDER, None)
    return judge_report(
        item,
        call,
        test_report,
        target,
        recorder,
        item.stash.get(_EXCHANGES_BEFORE, 0),
        item.stash.get(_NOTIFIED_BEFORE, 0),
    )


def _run_id_reused(call: pytest.CallInfo[None]) -> RunIdReused | None:
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, Violations):
        error = error.stopped_by
    return error if isinstance(error, RunIdReused) else None


def pytest_sessionstart(session: pytest.Session) -> None:
    # The real start, for the report's environment: metadata of the run, never a value sent to the target.
    session.config.stash[_STARTED] = (datetime.now(UTC), time.monotonic())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: a worker's unexpected inbound requests that came after its last test's report, and its reused run id."""
    leftover, reused = codec.take_worker_output(node)
    node.config.stash[_LEFTOVER_INBOUND].append(leftover)
    if reused:
        node.config.stash[_RUN_ID_REUSED] = reused


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    target = config.stash.get(_TARGET, None)
    described = None
    leftover: dict[str, Any] = {}  # unexpected inbound requests after the last test's report
    if target is not None:
        described = (target.name, target.run, set(target.families))
        leftover = target.take_unexpected_inbound()
        target.close()
        config.stash[_TARGET] = None
    if hasattr(config, "workerinput"):
        codec.put_worker_output(config, leftover, config.stash.get(_RUN_ID_REUSED, ""))
        return  # an xdist worker: the controller writes the report, from the test reports it receives
    if _RUN_ID_REUSED in config.stash:
        # Not a report of the target: what ran before the stop says nothing, and what did not run was not judged.
        session.exitstatus = pytest.ExitCode.INTERRUPTED  # 2: a usage error, like a profile error
        return
    config.stash[_LEFTOVER_INBOUND].append(leftover)
    outcomes = config.stash.get(_OUTCOMES, [])
    if described is None and outcomes:  # the xdist controller: its workers started the targets
        described = (target_name(config), run_context(config), set(selected_families(config)))
    if described is None:
        return
    name, run, available = described
    settings = run_settings(config)
    wanted = set(settings.requirement)
    if _NAMED in config.stash:
        wanted = (wanted & config.stash[_NAMED]) if wanted else config.stash[_NAMED]
    requirements = [
        r
        for r in catalogue().values()
        if r.family in selected_families(config) and r.family in available and (not wanted or r.id in wanted)
    ]
    strict = settings.strict
    unjudged = STOPPED_AT_TIME_LIMIT if config.stash[_TIME_LIMIT_HIT].is_set() else None
    ran = run.as_dict() | ({"profile": config.stash[_PROFILE]} if _PROFILE in config.stash else {})
    document = report.as_document(report.verdicts(requirements, outcomes, strict, unjudged), name, ran, strict)
    mode = "record" if settings.record else "replay" if settings.replay else None
    if mode is not None:
        document["cassettes"] = {
            "mode": mode,
            "directory": getattr(settings, mode),
            "stale": {o.nodeid: list(o.stale_cassette) for o in outcomes if o.stale_cassette},
        }
    report.add_reproduce_lines(document)
    started, monotonic = config.stash.get(_STARTED, (datetime.now(UTC), time.monotonic()))
    document["environment"] = report.environment(started, time.monotonic() - monotonic)
    inbound = report.unexpected_inbound(outcomes, config.stash[_LEFTOVER_INBOUND])
    if inbound is not None:
        document["unexpected_inbound"] = inbound
    baseline = config.stash.get(_BASELINE, None)
    if baseline is not None:
        document["comparison"] = compare.compare(baseline, document, str(settings.baseline_report))
    config.stash[_DOCUMENT] = document
    if settings.report_dir:
        config.stash[_WRITTEN] = report.write(document, Path(settings.report_dir), outcomes)
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # The requirements decide: warnings alone pass, a set-up error without a fail is 3.
        session.exitstatus = report.exit_status(document)
        if "comparison" in document and settings.fail_on == "new":
            # Known failures stay in the report; only what newly fails (or errors) breaks the build.
            session.exitstatus = report.EXIT_FAIL if compare.newly_failing(document["comparison"]) else report.EXIT_OK


def target_name(config: pytest.Config) -> str:
    """The name of the target the options select (the profile's target is named by the profile)."""
    settings = run_settings(config)
    if settings.replay:
        return f"replay of {Path(settings.replay).name}"
    return embedded_name(settings.mutant, settings.variant)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN_ID_REUSED in config.stash and not hasattr(config, "workerinput"):
        sys.stderr.write(f"pickconform: error: {config.stash[_RUN_ID_REUSED]}\n")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    stale = {o.nodeid: o.stale_cassette for o in config.stash.get(_OUTCOMES, []) if o.stale_cassette}
    if stale:
        changed = sorted({name for names in stale.values() for name in names})
        terminalreporter.write_line(
            f"pickconform: {len(stale)} stale cassette(s), recorded with other specs "
            f"({', '.join(changed[:5])}); re-record with --record"
            f"{'' if run_settings(config).fail_stale else ', or pass --fail-stale to fail on it'}",
            yellow=True,
        )
    if config.stash[_TIME_LIMIT_HIT].is_set():
        terminalreporter.write_line(
            f"pickconform: {STOPPED_AT_TIME_LIMIT} (--max-time {run_settings(config).max_time:g})", yellow=True
        )
    document = config.stash.get(_DOCUMENT, None)
    if document is None:
        return
    if inbound := document.get("unexpected_inbound"):
        terminalreporter.write_line(
            f"pickconform: {inbound['count']} unexpected inbound request(s) refused by the notification receiver "
            f"(no verdict depends on them), e.g. {inbound['examples'][0]}",
            yellow=True,
        )
    write_verdicts(terminalreporter, document)
    run = document["run"]
    terminalreporter.write_line(f"run id {run['run_id']}, seed {run['seed']} (--run-id and --seed repeat them)")
    if "comparison" in document:
        for line in compare.lines(document["comparison"]):
            terminalreporter.write_line(f"pickconform: {line}")
    written = config.stash.get(_WRITTEN, [])
    if written:
        terminalreporter.write_line(f"report written to {', '.join(str(path) for path in written)}")
