"""The options of a conformance run, declared once: `pickconform run`, `pickconform diff` and the pytest plugin build
theirs from this table, and `pickconform run` hands what it was given to pytest under the same names. What they were
given is read once, into a typed, frozen `RunSettings`, which the plugin and the commands share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pickconform.determinism import DEFAULT_SEED
from pickconform.paths import FAMILIES

__all__ = ["CLI_OPTIONS", "RUN_OPTIONS", "Option", "RunSettings", "to_pytest_args"]


@dataclass(frozen=True)
class Option:
    name: str  # the command-line flag without its dashes
    help: str
    kind: type | None = str  # None: a flag
    repeatable: bool = False
    choices: Sequence[str] | None = None  # read when the options are added: the registered families for --api
    metavar: str | None = None
    pytest_name: str = ""  # where pytest has an option of this name already
    pytest_default: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def pytest_flag(self) -> str:
        return f"--{self.pytest_name or self.name}"

    @property
    def pytest_dest(self) -> str:
        return (self.pytest_name or self.name).replace("-", "_")

    def arguments(self) -> dict[str, Any]:
        """argparse / pytest keyword arguments (both take argparse's)."""
        if self.kind is None:
            return {"action": "store_true", "help": self.help, "default": False}
        arguments: dict[str, Any] = {"help": self.help, "type": self.kind}
        if self.repeatable:
            arguments["action"] = "append"
        if self.choices:
            arguments["choices"] = self.choices
        if self.metavar:
            arguments["metavar"] = self.metavar
        return arguments


# An option added here needs one field of the same name in `RunSettings` below (tests/selftest/test_cli.py says so).
RUN_OPTIONS = (
    Option("profile", "target profile (TOML); default: the embedded reference implementation", metavar="FILE"),
    Option("api", "API family to check (repeatable; default all)", repeatable=True, choices=FAMILIES),
    Option("mutant", "run the embedded reference with this deliberate fault (see `pickconform mutants`)"),
    Option("variant", "run the embedded reference with this other reading of a silent point (`pickconform variants`)"),
    Option("requirement", "run only the tests of this requirement ID (repeatable)", repeatable=True, metavar="ID"),
    Option("report-dir", "write report.json, report.html, report.md, junit.xml and cucumber.json here", metavar="DIR"),
    Option(
        "strict",
        "a breach of an interpretation or a SHOULD is a fail, not a warn",
        kind=None,
        pytest_name="strict-conformance",  # pytest has a --strict of its own
    ),
    Option("seed", f"seed of every generated value (default {DEFAULT_SEED})", kind=int),
    Option("run-id", "run id mixed into every reference the suite sends"),
    Option("fuzz-examples", "Schemathesis examples per operation (default 20)", kind=int, pytest_default=20),
    Option("fuzz-random", "randomised, deeper fuzzing (not reproducible)", kind=None),
    Option("fuzz-all", "also judge the set-up operations no seed defines (their findings are warnings)", kind=None),
    Option(
        "max-time",
        "stop the run cleanly after this long: the report is written, what did not run is skipped (exit 143)",
        kind=float,
        metavar="SECONDS",
    ),
    Option("record", "record one redacted cassette per conformance test into DIR", metavar="DIR"),
    Option("replay", "replay the cassettes in DIR offline: no target, no connection", metavar="DIR"),
    Option("fail-stale", "with --replay, a cassette recorded with other specs fails its test", kind=None),
    Option(
        "baseline-report",
        "an earlier run's report.json (or its directory): each requirement's outcome is set beside it",
        metavar="FILE",
    ),
    Option(
        "fail-on",
        "any (default): exit 1 on any fail; new: with --baseline-report, exit 1 only for requirements that newly "
        "fail or error (known failures stay in the report, exit 0)",
        choices=("any", "new"),
    ),
)

# `pickconform run` only: plain pytest has pytest-xdist's own `-n` (the CLI turns this into it).
CLI_OPTIONS = (
    Option(
        "workers",
        "processes the tests run in: N, or auto (default: one per core, at most 2; 1 with --profile, --requirement, "
        "--test, --record, --replay or --max-time); 1 runs them in this process",
        metavar="N|auto",
    ),
    # Given to pytest as a node id (parametrised ids included), so a report's reproduce line runs that one test.
    Option(
        "test",
        "run only this conformance test, by its pytest node id as the report prints it (repeatable)",
        repeatable=True,
        metavar="NODEID",
    ),
)


@dataclass(frozen=True)
class RunSettings:
    """The options of one run, read once: one field per option of `RUN_OPTIONS`, named by its `dest`, typed, with the
    option's default. An option added to the table in the same style needs one field here, nothing else (its flag,
    its pytest name and its reading follow from the table; tests/selftest/test_cli.py checks the two agree)."""

    profile: str | None = None
    api: tuple[str, ...] = ()  # none: every registered family (`families`)
    mutant: str | None = None
    variant: str | None = None
    requirement: tuple[str, ...] = ()
    report_dir: str | None = None
    strict: bool = False
    seed: int | None = None
    run_id: str | None = None
    fuzz_examples: int = 20
    fuzz_random: bool = False
    fuzz_all: bool = False
    max_time: float | None = None
    record: str | None = None
    replay: str | None = None
    fail_stale: bool = False
    baseline_report: str | None = None
    fail_on: str | None = None  # none: any

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> RunSettings:
        """From the values of the table's options by `dest` (an argparse namespace's `vars`); an option missing or
        None keeps its default, and a command that declares only some of the options gets the defaults of the rest."""
        given: dict[str, Any] = {}
        for option in RUN_OPTIONS:
            value = values.get(option.dest)
            if value is not None:
                given[option.dest] = tuple(value) if option.repeatable else value
        return cls(**given)

    @classmethod
    def from_pytest(cls, config: Any) -> RunSettings:
        """From a pytest config's options (the plugin's, named as `Option.pytest_flag` says)."""
        return cls.from_values({option.dest: config.getoption(option.pytest_dest) for option in RUN_OPTIONS})

    @property
    def families(self) -> tuple[str, ...]:
        """The API families the run checks: those given with --api, else every registered one."""
        return self.api or tuple(FAMILIES)


def to_pytest_args(settings: RunSettings) -> list[str]:
    """The pytest arguments for the options `pickconform run` was given (the others keep pytest's defaults)."""
    arguments: list[str] = []
    defaults = RunSettings()
    for option in RUN_OPTIONS:
        value = getattr(settings, option.dest)
        if value == getattr(defaults, option.dest):
            continue
        if option.kind is None:
            arguments += [option.pytest_flag] if value else []
        elif option.repeatable:
            for item in value or ():
                arguments += [option.pytest_flag, str(item)]
        elif value is not None:
            arguments += [option.pytest_flag, str(value)]
    return arguments
