"""`pickconform run | check | serve | diff | compare | report | trace | mutants | variants`: the command-line contract
(exit 0 pass, 1 fail or breaking change (with `--fail-on new`: a requirement that newly fails), 2 usage or profile
error, 3 no fail but some requirement could not be judged: error; for `check`, 3 when a full run would skip some of
it)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator

from pickconform import __version__, paths
from pickconform.options import CLI_OPTIONS, RUN_OPTIONS, RunSettings, to_pytest_args
from pickconform.paths import FAMILIES, ROOT, SUITE

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


def _run(args: argparse.Namespace) -> int:
    import pytest

    # Plain asserts: pytest would otherwise rewrite every module of its plugins (Schemathesis, Hypothesis, ...) on
    # import, ~3 s per run where bytecode is not cached; the suite's checks carry their own messages.
    settings = RunSettings.from_values(vars(args))
    try:
        selected = _tests(args.test or ())
    except ValueError as exc:
        print(f"pickconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pytest_args = [*selected, "--rootdir", str(ROOT), "-p", "no:cacheprovider", "--assert=plain"]
    if (ROOT / "pyproject.toml").exists():
        pytest_args += ["-c", str(ROOT / "pyproject.toml")]
    if settings.baseline_report or settings.fail_on == "new":  # read before the run starts: one line if it cannot be
        from pickconform.report import compare

        try:
            if not args.baseline_report:
                raise compare.BaselineError("--fail-on new needs --baseline-report: what is new is judged against one")
            compare.load(args.baseline_report)
        except compare.BaselineError as exc:
            print(f"pickconform: error: {'--baseline-report ' if args.baseline_report else ''}{exc}", file=sys.stderr)
            return EXIT_USAGE
    pytest_args += to_pytest_args(settings)
    try:
        pytest_args += _xdist_args(args)
    except ValueError as exc:
        print(f"pickconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pytest_args += args.pytest_args
    with _interruptible() as interrupted:
        status = pytest.main(pytest_args)
    if interrupted:
        name = signal.Signals(interrupted[0]).name
        print(f"pickconform: interrupted by {name}: the run is incomplete", file=sys.stderr)
        return 128 + interrupted[0]  # the shell's convention for a process ended by a signal
    if status in (EXIT_PASS, EXIT_FAIL, EXIT_ERROR):  # the plugin sets these from the requirements' outcomes
        return int(status)
    if status == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("pickconform: error: no conformance test was selected", file=sys.stderr)
    return EXIT_USAGE


def _tests(nodeids: tuple[str, ...] | list[str]) -> list[str]:
    """What pytest collects: the whole suite, or the conformance tests `--test` names (node ids as a report prints
    them, relative to the suite's root; ValueError for one that names no file of the suite)."""
    if not nodeids:
        return [str(SUITE)]
    selected = []
    for nodeid in nodeids:
        path, separator, rest = nodeid.partition("::")
        file = (ROOT / path).resolve()
        if not separator or not rest or not file.is_file() or not file.is_relative_to(SUITE.resolve()):
            raise ValueError(f"--test {nodeid!r}: not the node id of a conformance test (tests/conformance/...::name)")
        selected.append(f"{file}::{rest}")
    return selected


# Each test the workers run is the same test, with the same values, against a target of its own (each worker starts its
# embedded reference; a replay answers from the test's own cassette): the report, written by the controller from the
# workers' test reports, is the one a single process writes. `load` with `--maxschedchunk 1` hands out the tests one
# at a time as workers free up (xdist's default first hands each worker a run of ~18 consecutive tests: the two long
# Butler fuzz tests, 6-7 s each, then queued behind each other on one worker, ~4 s of the whole run).
XDIST_DIST = "load"
# `--workers auto` against a profile's target. A worker waiting on the network costs memory (~130 MiB), not a core,
# but each one's start-up costs ~2-3 s of CPU before the first test (xdist schedules once every worker has
# collected). The Butler group, the longest chain, holds one worker; three more take the other tests beside it. At
# 100 ms of round trip on 2 cores: 3 workers 40.6 s, 4 39.9 s, 6 50.6 s (README, "Speed").
PROFILE_WORKERS = 4


def workers(args: argparse.Namespace, cores: int | None = None) -> int:
    """How many processes `--workers` asks for (ValueError when it makes no sense). auto: one per core, at most two
    (each worker starts, imports and collects on its own: ~2-3 s of CPU); against a profile's target, whose round
    trips the workers wait on, `PROFILE_WORKERS` (the families' exclusive groups keep what may not overlap on the
    shared target in one worker: `pickconform.pytest_plugin.concurrency`). One for a `--requirement` subset and a
    replay, too short to win that start-up back (a whole replay took longer on two workers than on one); for a
    recording, whose cassettes then do not depend on how the tests were shared out (which ready-data item a test
    gets is decided in the order the tests run); and under `--max-time`, whose clean stop (the report written, what
    did not run skipped) is a single process's."""
    value = (args.workers or "auto").strip().lower()
    if value != "auto":
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"--workers {args.workers!r}: a positive number of processes, or auto")
        if int(value) > 1 and args.max_time is not None:
            # Under xdist the time limit stopped the run with no report written: refused rather than half done.
            raise ValueError(f"--workers {value} with --max-time: the clean stop at the time limit needs --workers 1")
        return int(value)
    if args.requirement or args.test or args.replay or args.record or args.max_time is not None:
        return 1
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if args.profile:
        # A sandbox across a network: the workers wait on round trips, not on the cores, and the families declare
        # what may not overlap on the one target they share (README, "Speed").
        return max(PROFILE_WORKERS, min(2, cores))
    return max(1, min(2, cores))


def _xdist_args(args: argparse.Namespace) -> list[str]:
    """pytest-xdist's arguments for `--workers`; none when the pytest arguments after `--` choose for themselves
    (`-n`, `--numprocesses`, `--dist`, `-p no:xdist`)."""
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) or "no:xdist" in arg for arg in args.pytest_args):
        return []
    count = workers(args)
    if count == 1:
        return []
    return ["-n", str(count), "--dist", XDIST_DIST, "--maxschedchunk", "1"]


@contextlib.contextmanager
def _interruptible() -> Iterator[list[int]]:
    """SIGTERM (CI timeouts, `kill`, container stops) takes SIGINT's clean path instead of killing the process
    outright: pytest stops the session and tears the fixtures down, so a cassette being written is finished or
    discarded (never left as a temp file), the embedded target stops and the report is still written. Yields the
    signals received."""
    received: list[int] = []

    def interrupt(signum: int, frame: object) -> None:
        received.append(signum)
        # Server threads may still log about the aborted request after pytest has closed its capture streams;
        # that logging error is noise, and must not print a traceback over the one-line message.
        logging.raiseExceptions = False
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # only the main thread may install handlers
        yield received
        return
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    except KeyboardInterrupt:
        if not received:
            raise
        # pytest handles an interruption during the tests; this one came while it was starting up or finishing.
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace) -> int:
    from pickconform.reference.app import Reference
    from pickconform.reference.mutants import Faults
    from pickconform.reference.server import ReferenceServer

    try:
        faults = Faults(*([args.mutant] if args.mutant else []))
        server = ReferenceServer(Reference(faults, demo_credentials=True), host=args.host, port=args.port)
        if "emporix" in server.reference.families:  # a sandbox across a network: jobs outlast a round trip to it
            from pickconform.reference.emporix.store import SERVED_JOB_DURATION

            server.reference.families["emporix"].store.job_duration = SERVED_JOB_DURATION
    except (KeyError, OSError) as exc:
        print(f"pickconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with server:
        families = ", ".join(f"{name} at {server.url}/{name}" for name in server.reference.families)
        print(f"pickconform reference implementation{f' (mutant {args.mutant})' if args.mutant else ''}: {families}")
        print("demo credentials and a matching profile: see README.md, 'Pointing the suite at a server'", flush=True)
        stop.wait()
    return EXIT_PASS


def _diff(args: argparse.Namespace) -> int:
    """Re-send a baseline's scenarios to another implementation; exit 1 when anything breaking changed."""
    import time
    from pathlib import Path

    from pickconform.determinism import RunContext
    from pickconform.family.profile import ProfileError, load_profile
    from pickconform.http.client import Wire
    from pickconform.targets import connect, start_embedded
    from pickconform.upgrade import baseline, diff
    from pickconform.upgrade import report as diff_report

    def usage(message: str) -> int:
        print(f"pickconform: error: {message}", file=sys.stderr)
        return EXIT_USAGE

    settings = RunSettings.from_values(vars(args))  # the options diff shares with run (`DIFF_OPTIONS`)
    if settings.mutant and settings.profile:
        return usage("--mutant runs the embedded reference: it cannot be combined with --profile")
    if args.poll_timeout <= 0:
        return usage("--poll-timeout must be positive")
    if settings.mutant:
        from pickconform.reference.mutants import all_mutants

        if settings.mutant not in all_mutants():
            return usage(f"unknown mutant {settings.mutant!r} (see `pickconform mutants`)")
    if settings.requirement:
        from pickconform.catalogue import catalogue

        unknown = sorted(set(settings.requirement) - set(catalogue()))
        if unknown:
            return usage(f"unknown requirement {unknown[0]!r}")
    baseline_dir = Path(args.baseline)
    not_resent: list[dict[str, object]] = []
    try:
        scenarios = baseline.load(baseline_dir, settings.families, settings.requirement, not_resent)
    except baseline.BaselineError as exc:
        return usage(str(exc))
    from pickconform.cassettes import recorded_run

    run = recorded_run(baseline_dir) or RunContext()
    families = tuple(dict.fromkeys(c.family for c in scenarios))
    try:
        profile = load_profile(settings.profile) if settings.profile else None
        target = connect(profile, run, families, Wire(limits=profile.target.limits)) if profile else None
    except ProfileError as exc:
        return usage(str(exc))
    target = target or start_embedded(families, run, settings.mutant)
    started = time.monotonic()
    differ = diff.Differ(target, poll_timeout=args.poll_timeout)
    print(
        f"pickconform diff: re-sending {len(scenarios)} scenarios of {baseline_dir.name} to {target.name}", flush=True
    )
    try:
        results = differ.run(scenarios, lambda r: print(f"{r.verdict.upper():<9} {r.cassette.test}", flush=True))
    finally:
        differ.close()
        target.close()
    document = diff_report.as_document(results, target.name, baseline_dir.name, time.monotonic() - started, not_resent)
    print("\n".join(diff_report.summary(document)))
    if settings.report_dir:
        diff_report.write(document, Path(settings.report_dir))
        print(f"report written to {settings.report_dir}/diff.md")
    return EXIT_FAIL if diff_report.breaking(document) else EXIT_PASS


# The options of `pickconform run` that `pickconform diff` takes too (declared in `options.RUN_OPTIONS`), with what
# each means to a diff.
DIFF_OPTIONS = {
    "profile": "target profile (TOML); default: the embedded reference implementation",
    "api": "API family to diff (repeatable)",
    "mutant": "diff against the embedded reference with this deliberate fault",
    "requirement": "only the scenarios of this requirement ID (repeatable)",
    "report-dir": "write diff.json and diff.md here",
}


def _check(args: argparse.Namespace) -> int:
    """A run's preflight alone: one line per finding; 0 a full run judges everything, 3 some would be skipped, 2 a
    profile error or a problem a run would stop on."""
    import time

    from pickconform.family.profile import ProfileError, load_profile
    from pickconform.http.client import Wire
    from pickconform.targets import check, connect, start_embedded

    started = time.monotonic()
    families = tuple(args.api or FAMILIES)
    if args.workers is None:  # what `run --workers auto` uses against this target: the data it will need
        args.workers = PROFILE_WORKERS if args.profile else 1
    if args.workers < 1:
        print("pickconform: error: --workers must be a positive number of processes", file=sys.stderr)
        return EXIT_USAGE
    run = check.check_run()
    try:
        profile = load_profile(args.profile) if args.profile else None
        if profile is not None:
            target = connect(profile, run, families, Wire(limits=profile.target.limits))
        else:
            target = start_embedded(families, run)
    except ProfileError as exc:
        print(f"pickconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if profile is not None:
            given = profile.target.run_id
            print(f"ok      run id: {given!r} from the profile" if given else "ok      run id: a fresh one per run")
        findings = check.check_target(target, families, args.workers)
    finally:
        target.close()
    for finding in findings:
        print(finding)
    status = check.exit_status(findings)
    verdict = {0: "a full run can judge everything", 2: "a run would stop or fail", 3: "some would be skipped"}
    print(f"pickconform check: {verdict[status]} ({time.monotonic() - started:.1f} s)")
    return status


def _compare(args: argparse.Namespace) -> int:
    """Set each requirement's outcome in NEW beside OLD's. Exit 1 when some requirement newly fails (or, with
    --fail-on any, when NEW has any fail), 0 otherwise, 2 when a report cannot be read."""
    import json
    from pathlib import Path

    from pickconform.report import EXIT_FAIL as FAILED
    from pickconform.report import compare

    try:
        old, new = compare.load(args.old), compare.load(args.new)
    except compare.BaselineError as exc:
        print(f"pickconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    comparison = compare.compare(old, new, args.old)
    print(f"pickconform compare: {new.get('target', '?')} against {args.old}")
    print("\n".join(compare.lines(comparison)))
    if args.report_dir:
        directory = Path(args.report_dir)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "comparison.json").write_text(json.dumps(comparison, indent=2, ensure_ascii=False) + "\n")
        (directory / "comparison.md").write_text("\n".join(compare.as_markdown(comparison)))
        print(f"comparison written to {directory / 'comparison.md'}")
    if args.fail_on == "any":
        failing = any(r.get("status") in compare.FAILING for r in new["requirements"])
        return FAILED if failing else EXIT_PASS
    return FAILED if compare.newly_failing(comparison) else EXIT_PASS


def _mutants(args: argparse.Namespace) -> int:
    from pickconform.reference.mutants import all_mutants

    for mutant in all_mutants().values():
        print(f"{mutant.name} {mutant.requirement}")
    return EXIT_PASS


def _report(args: argparse.Namespace) -> int:
    """Re-render report.md and report.html from a report directory's report.json."""
    import json
    from pathlib import Path

    from pickconform import report

    directory = Path(args.report_dir)
    if not (directory / "report.json").is_file():
        print(f"pickconform: error: {directory}: no report.json in it", file=sys.stderr)
        return EXIT_USAGE
    try:
        written = report.rerender(directory)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        print(f"pickconform: error: {directory / 'report.json'}: not a pickconform report ({exc})", file=sys.stderr)
        return EXIT_USAGE
    print(f"report written to {', '.join(str(path) for path in written)}")
    return EXIT_PASS


def _trace(args: argparse.Namespace) -> int:
    from pickconform.trace import trace

    try:
        print("\n".join(trace(args.requirement)))
    except KeyError:
        print(f"pickconform: error: unknown requirement {args.requirement!r}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_PASS


def _variants(args: argparse.Namespace) -> int:
    from pickconform.reference.mutants import all_variants

    variants = all_variants().values()
    width = max((len(v.name) for v in variants), default=0)
    for variant in variants:
        print(f"{variant.name:<{width}}  {variant.decides}")
    return EXIT_PASS


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="pickconform", description=__doc__)
    main.add_argument("--version", action="version", version=f"pickconform {__version__}")
    commands = main.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance suite and report per requirement")
    cassettes = run.add_mutually_exclusive_group()
    for option in RUN_OPTIONS:  # the same table as the pytest plugin's
        where = cassettes if option.name in ("record", "replay") else run
        where.add_argument(f"--{option.name}", **option.arguments())
    for option in CLI_OPTIONS:
        run.add_argument(f"--{option.name}", **option.arguments())
    run.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    run.set_defaults(handler=_run)

    serve = commands.add_parser("serve", help="run the reference implementation as a standalone server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--mutant", help="serve with this deliberate fault")
    serve.set_defaults(handler=_serve)

    diff = commands.add_parser("diff", help="re-send recorded scenarios to another implementation and compare")
    diff.add_argument(
        "--baseline", required=True, metavar="DIR", help="the cassettes to re-send (pickconform run --record)"
    )
    for option in RUN_OPTIONS:  # those of the run's options that a diff takes, from the same table
        if option.name in DIFF_OPTIONS:
            diff.add_argument(f"--{option.name}", **{**option.arguments(), "help": DIFF_OPTIONS[option.name]})
    diff.add_argument(
        "--poll-timeout", type=float, default=5.0, help="seconds a re-sent read may take to reach its recorded answer"
    )
    diff.set_defaults(handler=_diff)

    checked = commands.add_parser("check", help="a run's preflight alone: credentials, capabilities, test data")
    checked.add_argument("--profile", help="target profile (TOML); default: the embedded reference implementation")
    checked.add_argument("--api", action="append", choices=FAMILIES, help="API family to check (repeatable)")
    checked.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"processes the run will use (ready data per process; default: as run's auto, {PROFILE_WORKERS} against a"
        " profile, else 1)",
    )
    checked.set_defaults(handler=_check)
    compared = commands.add_parser(
        "compare", help="set each requirement's outcome in a run's report.json beside an earlier run's"
    )
    compared.add_argument("old", metavar="OLD", help="the earlier run's report.json, or its report directory")
    compared.add_argument("new", metavar="NEW", help="the later run's report.json, or its report directory")
    compared.add_argument(
        "--fail-on",
        choices=("new", "any"),
        default="new",
        help="new (default): exit 1 only when a requirement newly fails or errors; any: exit 1 when NEW has any fail",
    )
    compared.add_argument("--report-dir", help="write comparison.json and comparison.md here")
    compared.set_defaults(handler=_compare)

    mutants = commands.add_parser("mutants", help="list the mutants: NAME REQUIREMENT_ID")
    mutants.set_defaults(handler=_mutants)

    variants = commands.add_parser("variants", help="list the variants: NAME  what it decides differently")
    variants.set_defaults(handler=_variants)

    traced = commands.add_parser("trace", help="everything about a requirement: statement, specs, scenarios, code")
    traced.add_argument("requirement", metavar="ID")
    traced.set_defaults(handler=_trace)

    rendered = commands.add_parser("report", help="re-render report.md and report.html from REPORT_DIR/report.json")
    rendered.add_argument("report_dir", metavar="REPORT_DIR")
    rendered.set_defaults(handler=_report)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (why := paths.missing()) is not None:  # a broken install: one line, not a traceback from deep inside a run
        print(f"pickconform: error: {why}", file=sys.stderr)
        return EXIT_USAGE
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
