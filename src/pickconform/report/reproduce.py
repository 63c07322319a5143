"""The command that runs one failing test again, against the same target, the same way: the profile as the user named
it (or the mutant, the variant, the replayed cassettes), `--strict`, the run's seed and run id (`RunContext`, as the
run used them, wherever they came from), and `--test NODEID` for exactly that test. Quoted for a POSIX shell."""

from __future__ import annotations

import re
import shlex
from typing import Any

__all__ = ["profile_as_given", "reproduce", "rerun_options"]

_EMBEDDED = re.compile(r"^reference \((mutant|variant) ([\w.-]+)\)$")


def profile_as_given(run: dict[str, Any]) -> str:
    """The profile as it was named on the command line (its path as given), else its name; never its content."""
    profile = run.get("profile")
    if isinstance(profile, dict):
        profile = profile.get("path") or profile.get("name") or profile.get("file")
    return str(profile) if profile else ""


def rerun_options(document: dict[str, Any]) -> list[str]:
    """The options that aim a re-run at the same target the same way: replay, profile or mutant/variant, strict, seed
    and run id (the same run id re-sends the same references: the line reproduces what this run sent)."""
    run = document.get("run") if isinstance(document.get("run"), dict) else {}
    options: list[str] = []
    cassettes = document.get("cassettes") if isinstance(document.get("cassettes"), dict) else {}
    if cassettes.get("mode") == "replay" and cassettes.get("directory"):
        options += ["--replay", str(cassettes["directory"])]  # the same recorded answers, offline
    elif profile := profile_as_given(run):
        options += ["--profile", profile]
    elif embedded := _EMBEDDED.match(str(document.get("target") or "")):
        options += [f"--{embedded.group(1)}", embedded.group(2)]
    if document.get("strict"):
        options.append("--strict")
    if isinstance(run.get("seed"), int):
        options += ["--seed", str(run["seed"])]
    if isinstance(run.get("run_id"), str) and run["run_id"]:
        options += ["--run-id", run["run_id"]]
    return options


def reproduce(document: dict[str, Any], nodeid: str) -> dict[str, str]:
    """How to run one failing test again: through the CLI (`--test NODEID`) and through pytest (the node id)."""
    options = rerun_options(document)
    pytest_options = ["--strict-conformance" if o == "--strict" else o for o in options]
    return {
        "cli": shlex.join(["pickconform", "run", *options, "--test", nodeid]),
        "pytest": shlex.join(["pytest", *pytest_options, nodeid]),
        "nodeid": nodeid,
    }
