"""Every package the suite imports is declared in pyproject.toml, with an upper bound below its next major."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = {"pickconform", "tests"}


def imported_top_level(directory: Path) -> set[str]:
    names: set[str] = set()
    for path in directory.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - OWN - {"__future__"}


def declared() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    found = {}
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)  # type: ignore[union-attr]
        found[name.lower().replace("_", "-")] = requirement
    return found


def test_every_imported_package_is_declared_with_an_upper_bound() -> None:
    distributions = importlib.metadata.packages_distributions()
    requirements = declared()
    undeclared, unbounded = [], []
    for module in sorted(imported_top_level(ROOT / "src") | imported_top_level(ROOT / "tests")):
        names = [d.lower().replace("_", "-") for d in distributions.get(module, [module])]
        requirement = next((requirements[n] for n in names if n in requirements), None)
        if requirement is None:
            undeclared.append(f"{module} ({', '.join(names)})")
        elif "<" not in requirement:
            unbounded.append(requirement)
    assert undeclared == [], "imported but not declared in pyproject.toml"
    assert unbounded == [], "declared without an upper bound"
