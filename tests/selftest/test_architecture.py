"""The package layout is the architecture: each layer imports only the layers below it (README, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Lowest first. A module may import its own package, its layer and the layers below it, never one above: each package
# sits on one layer, so the package graph has no upward import either.
LAYERS = (
    # facts and definitions (`_suite`: where a wheel carries the data); the registry of API families
    # (`pickconform/__init__.py` registers the built-in ones)
    {
        "__version__",
        "_compat",
        "_suite",
        "paths",
        "registry",
        "determinism",
        "catalogue",
        "options",
        "outcomes",
        "formats",
    },
    {"http", "verdict", "personal"},  # talking to targets; how a check judges; the personal data the suite sends
    {"cassettes"},  # record and replay
    # Schemathesis; what every family implements and builds on: its target's and its reference's protocols, profiles,
    # preflight, ready test data
    {"fuzzing", "family"},
    {"clarus", "butler", "emporix", "reference"},  # the families, suite side and reference implementation
    {"targets"},  # resolving a profile or the embedded reference into the families' targets
    {"report"},  # the conformance report
    {"upgrade"},  # pickconform diff
    {"pytest_plugin", "trace", "cli", "__main__"},  # the entry points
)
# The reference implementation reads the specs as data through a family's `spec` module, and implements the protocol
# of a family's reference; it never uses the suite's targets, steps or checks.
REFERENCE_MAY_READ = {
    "pickconform.butler.spec",
    "pickconform.clarus.spec",
    "pickconform.emporix.spec",
    "pickconform.family.reference",
}


def _layer(module: str) -> int:
    """The layer of `pickconform.a...`: that of its package `a`."""
    name = module.split(".")[1]
    found = [i for i, layer in enumerate(LAYERS) if name in layer]
    if found:
        return found[0]
    raise AssertionError(f"{module} is in no layer of LAYERS")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "pickconform":
                found += [(node.lineno, f"pickconform.{alias.name}") for alias in node.names]
            elif node.module.startswith("pickconform."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("pickconform.")]
    return found


MODULES = sorted(p for p in (SRC / "pickconform").rglob("*.py") if p.name != "__init__.py" or p.parent.name != "")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    parts = path.relative_to(SRC / "pickconform").with_suffix("").parts
    if parts == ("__init__",):
        return
    own, dotted = parts[0], "pickconform." + ".".join(p for p in parts if p != "__init__")
    wrong = []
    for line, module in _imports(path):
        other = module.split(".")[1]
        if other == own:
            continue
        if own == "reference" and other in ("clarus", "butler", "emporix", "family"):
            if module not in REFERENCE_MAY_READ:
                wrong.append(f"line {line}: {module} (the reference reads only the families' specs and protocol)")
            continue
        if own == "reference" and other not in LAYERS[0] | {"http"}:
            wrong.append(f"line {line}: {module} (the reference stands on its own)")
        elif _layer(module) > _layer(dotted):
            wrong.append(f"line {line}: {module} is a layer above {dotted}")
    assert wrong == []


def test_the_package_graph_has_no_upward_import() -> None:
    """Packages as nodes: no package imports one on a layer above it, and no module finds another by its name at run
    time (a family is found through `pickconform.registry`, never through `importlib`)."""
    upward, by_name = set(), []
    for path in MODULES:
        parts = path.relative_to(SRC / "pickconform").with_suffix("").parts
        if parts == ("__init__",):
            continue
        for _, module in _imports(path):
            if module.split(".")[1] != parts[0] and _layer(module) > _layer(f"pickconform.{parts[0]}"):
                upward.add((parts[0], module.split(".")[1]))
        by_name += [str(path.relative_to(SRC)) for name in ("import_module", "find_spec") if name in path.read_text()]
    assert upward == set()
    assert by_name == []


def test_the_top_package_only_registers_the_built_in_families() -> None:
    """`pickconform/__init__.py` is the one module outside the layers: it imports the registry and the families'
    packages (light: a descriptor loads its family's target and reference on demand), so the registry is complete
    whichever module is imported first."""
    imported = {module for _, module in _imports(SRC / "pickconform" / "__init__.py")}
    assert imported == {"pickconform.registry", "pickconform.butler", "pickconform.clarus", "pickconform.emporix"}


def test_every_package_is_in_a_layer_and_says_what_it_is() -> None:
    top = {p.stem if p.is_file() else p.name for p in (SRC / "pickconform").iterdir() if p.name != "__pycache__"}
    top -= {"__init__", "templates"}
    placed = {name.split(".")[0] for layer in LAYERS for name in layer}
    assert sorted(top - placed) == []
    for package in (SRC / "pickconform").iterdir():
        init = package / "__init__.py"
        if init.exists():
            tree = ast.parse(init.read_text())
            assert ast.get_docstring(tree), f"{package.name}/__init__.py has no docstring"
            assert any(
                isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
                for node in tree.body
            ), f"{package.name}/__init__.py has no __all__"


# Module state rebound at run time (`global`): each is one run's, set around a unit of work, and said why here.
GLOBAL_STATE = {
    # The running test's findings: a race's threads record into them, and a context variable would not reach them.
    ("pickconform/verdict.py", "_current"),
    # How many blocks (a conformance module's collection, a conformance test's call) have Hypothesis' local constants
    # turned off: Hypothesis' own function is put back when the last one ends.
    ("pickconform/_compat/hypothesis.py", "_depth"),
    # The personal values the suite has sent in this process (a pattern of them, rebuilt as one is added): redaction
    # runs where no run's object reaches (vcrpy's filters, an exchange redacted when read, a violation's message), and
    # a value sent must stay redacted for as long as anything of it can be written, so it only grows.
    ("pickconform/http/redaction.py", "_sent_pattern"),
}


def test_no_module_keeps_state_beyond_the_known_ones() -> None:
    """A run's state lives in objects handed down (the wire, the recorder, the target), not in module globals."""
    found = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Global):
                found |= {(path.relative_to(SRC).as_posix(), name) for name in node.names}
    assert found == GLOBAL_STATE
