"""Installing pickconform changes nobody else's tests: in a pytest session of an unrelated project, in an environment
where pickconform is installed (its plugin loaded through the pytest11 entry point), Hypothesis keeps its defaults
(its profile, shrinking, its pool of literals), pickconform prints nothing and offers no fixture under a common name.

Each session runs twice, with the plugin and with `-p no:pickconform`: whatever the plugin changed would show as a
difference between the two."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

UNRELATED = """
import hypothesis
from hypothesis import given, settings, strategies
from hypothesis.internal.conjecture import providers


def test_hypothesis_keeps_its_defaults(pytestconfig):
    print("PLUGIN", pytestconfig.pluginmanager.has_plugin("pickconform"))
    print("PROFILES", sorted(settings._profiles))
    assert settings.default.phases == tuple(hypothesis.Phase)
    assert settings.default.report_multiple_bugs
    assert providers._get_local_constants.__module__ == providers.__name__  # Hypothesis' own, not patched


@given(strategies.integers())
def test_a_failing_property_is_shrunk(value):
    assert value * 3 < 3001  # minimal counterexample: 1001, a value no literal here gives
"""


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PICKCONFORM_", "PYTEST_", "HYPOTHESIS"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**environment, "PYTHONDONTWRITEBYTECODE": "1"},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("unrelated")
    (project / "pytest.ini").write_text("[pytest]\n")  # its own rootdir, not this checkout's configuration
    (project / "test_unrelated.py").write_text(UNRELATED)
    return project


def _normalised(output: str) -> list[str]:
    """The session's lines, less what differs between two runs of it (durations, the list of loaded plugins)."""
    lines = [re.sub(r" in [0-9.]+s", " in Ns", line).replace("PLUGIN True", "PLUGIN") for line in output.splitlines()]
    return [line.replace("PLUGIN False", "PLUGIN") for line in lines if not line.startswith("plugins:")]


def test_hypothesis_keeps_its_defaults_and_shrinks(project: Path) -> None:
    loaded = _pytest(project, "-s", "-rA")
    assert "PLUGIN True" in loaded.stdout, loaded.stdout[-3000:]  # the plugin was there: the test is meaningful
    assert "'pickconform'" not in loaded.stdout  # no profile registered
    assert "1 failed, 1 passed" in loaded.stdout, loaded.stdout[-3000:]
    assert "PASSED test_unrelated.py::test_hypothesis_keeps_its_defaults" in loaded.stdout
    # Shrunk to the minimal counterexample: without shrinking, Hypothesis reports the first one it found.
    assert "assert (1001 * 3) < 3001" in loaded.stdout, loaded.stdout[-3000:]
    without = _pytest(project, "-s", "-rA", "-p", "no:pickconform")
    assert "PLUGIN False" in without.stdout
    assert _normalised(loaded.stdout) == _normalised(without.stdout)
    assert "pickconform" not in "\n".join(_normalised(loaded.stdout)).lower()
    assert loaded.stderr == without.stderr


def test_no_fixture_of_pickconform_has_a_common_name(project: Path) -> None:
    listed = _pytest(project, "--fixtures")
    assert listed.returncode == 0, listed.stdout[-2000:]
    sections = re.split(r"^-+ fixtures defined from (\S+) -+$", listed.stdout, flags=re.M)
    ours = [
        name
        for where, body in zip(sections[1::2], sections[2::2], strict=True)
        if where.startswith("pickconform")
        for name in re.findall(r"^(\w+)(?: \[\w+ scope\])? -- ", body, flags=re.M)
    ]
    assert ours, listed.stdout[-3000:]  # the plugin's section is found: the listing is read right
    assert [name for name in ours if not name.startswith("pickconform_")] == []
