"""pickconform as a package: the wheel carries everything a run needs, the sdist the whole project, and an installed
wheel runs from any directory, beside a user's own `tests` package, and says in one line when its data is missing.

The wheel and the sdist are built once for the module, offline, with hatchling (the build backend, a dev extra). An
"installed" wheel is the wheel unpacked onto PYTHONPATH, which comes before this checkout's editable install: its
pickconform, not the checkout's, is the one imported (the stdout names the suite's folder inside it)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from pickconform import __version__

ROOT = Path(__file__).resolve().parents[2]
DATA = ("specs", "features", "tests/conformance")


def _files(*folders: str) -> set[str]:
    """The project's files under the folders, as the builds see them (no bytecode caches)."""
    return {
        path.relative_to(ROOT).as_posix()
        for folder in folders
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-t", "sdist", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def test_the_wheel_carries_the_suite_and_not_the_projects_own_tests(built: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(built["wheel"]).namelist())
    suite = {name.removeprefix("pickconform/_suite/") for name in names if name.startswith("pickconform/_suite/")}
    assert _files(*DATA) <= suite, sorted(_files(*DATA) - suite)[:5]
    # The suite's pytest configuration, and the packages that name its modules pickconform._suite.tests...
    assert {"pyproject.toml", "__init__.py", "tests/__init__.py", "tests/conformance/__init__.py"} <= suite
    assert "pickconform/report/templates/report.html.j2" in names
    assert "pickconform/__main__.py" in names
    assert not [n for n in names if "cassettes/reference" in n or "selftest" in n or "__pycache__" in n]
    assert f"pickconform-{__version__}.dist-info/entry_points.txt" in names


def test_the_sdist_carries_the_whole_project(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    wanted = _files(*DATA, "cassettes/reference", "tests/selftest", "src/pickconform")
    wanted |= {"pyproject.toml", "README.md", ".ci/run", "tests/__init__.py"}
    assert wanted <= names, sorted(wanted - names)[:5]
    assert not [n for n in names if n.startswith(".venv/") or "__pycache__" in n]


def _python(args: list[str], cwd: Path, site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PICKCONFORM_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", **env},
        stdin=subprocess.DEVNULL,
    )


def _user_project(tmp_path: Path) -> Path:
    """A user's project with its own `tests` and `tests.conformance` packages: the names the checkout's suite has."""
    project = tmp_path / "project"
    (project / "tests" / "conformance").mkdir(parents=True)
    (project / "tests" / "__init__.py").write_text("")
    (project / "tests" / "conformance" / "__init__.py").write_text("MINE = True\n")
    (project / "tests" / "test_mine.py").write_text(
        "import tests.conformance\n\n\ndef test_mine():\n    assert tests.conformance.MINE\n"
    )
    return project


def test_the_installed_wheel_runs_from_a_users_project(built: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(built["wheel"]).extractall(site)
    project = _user_project(tmp_path)
    version = _python(["-m", "pickconform", "--version"], project, site)
    assert version.returncode == 0 and version.stdout.strip() == f"pickconform {__version__}"
    report = tmp_path / "report"
    run = ["run", "--api", "emporix", "--requirement", "EMPORIX-TENANT-PATTERN", "--report-dir", str(report)]
    done = _python(["-m", "pickconform", *run], project, site)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"rootdir: {site / 'pickconform' / '_suite'}" in done.stdout  # the wheel's suite ran, not the checkout's
    assert (report / "report.json").is_file()
    # The user's own tests, with their own `tests.conformance`, in the same environment.
    mine = _python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project, site)
    assert mine.returncode == 0 and "1 passed" in mine.stdout, mine.stdout[-2000:]
    # A run leaves nothing in the user's project but Hypothesis' own cache of Unicode tables (which ignores itself in
    # git), as any Hypothesis run does.
    assert sorted(p.name for p in project.iterdir()) in (["tests"], [".hypothesis", "tests"])


def test_a_wheel_without_its_data_says_so_in_one_line(built: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        wheel.extractall(site, [n for n in wheel.namelist() if not n.startswith("pickconform/_suite/")])
    project = _user_project(tmp_path)
    for env in ({}, {"PICKCONFORM_ROOT": str(tmp_path / "nowhere")}):
        done = _python(["-m", "pickconform", "run", "--api", "emporix"], project, site, **env)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("pickconform: error: "), done.stderr
        assert "PICKCONFORM_ROOT" in done.stderr and "Traceback" not in done.stderr
    # A user's own pytest session is not broken by it: the plugin asks for the data only when the suite is asked for.
    mine = _python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project, site)
    assert mine.returncode == 0 and "1 passed" in mine.stdout, mine.stdout[-2000:] + mine.stderr[-2000:]
    asked = _python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", "--api", "emporix"], project, site)
    assert asked.returncode == 4 and "cannot find its specs/" in asked.stderr, asked.stderr[-2000:]
