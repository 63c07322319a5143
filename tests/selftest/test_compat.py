"""The non-public APIs in pickconform._compat still behave as the suite needs, and a missing one fails loudly: an
upgrade that changes one fails here (and at import, with the version and what is gone), not silently elsewhere."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import httpx
import pytest

from pickconform import _compat
from pickconform._compat import CompatError
from pickconform._compat.httpx import set_content

SRC = Path(_compat.__file__).resolve().parents[1]
MODULES = ("httpx", "vcrpy", "hypothesis", "schemathesis", "pytest", "xdist")


@pytest.mark.parametrize("module", MODULES)
def test_every_compat_module_imports_against_the_installed_versions(module: str) -> None:
    importlib.import_module(f"pickconform._compat.{module}")  # each checks its internals at import


def test_the_grouped_scheduler_keeps_node_ids_and_groups_by_the_function() -> None:
    from pickconform._compat.xdist import grouped_scheduling

    class Config:  # what xdist's scheduler reads of the controller's config: the workers asked for (`-n 2`)
        def getvalue(self, name: str) -> list[str]:
            assert name == "tx"
            return ["2*popen"]

    groups = {"a.py::one": "g", "a.py::two": "g"}
    scheduling = grouped_scheduling(Config(), None, groups.get)  # type: ignore[arg-type]
    scopes = [scheduling._split_scope(n) for n in ("a.py::one", "a.py::two", "a.py::three", "a.py::x[@y]")]
    assert scopes[0] == scopes[1] != scopes[2] and scopes[2:] == ["a.py::three", "a.py::x[@y]"]


def test_a_missing_internal_is_a_clear_error() -> None:
    with pytest.raises(CompatError, match=r"vcrpy 9\.9: Cassette\._responses is gone"):
        _compat.require(False, "vcrpy", "9.9", "Cassette._responses")


def test_a_body_read_by_the_suite_is_the_responses_content() -> None:
    response = httpx.Response(200, stream=httpx.ByteStream(b'{"a": 1}'))
    chunks = b"".join(response.iter_bytes())
    set_content(response, chunks)
    assert response.content == b'{"a": 1}' and response.json() == {"a": 1}
    assert response.read() == b'{"a": 1}'  # httpx's own read now returns what the suite read


def test_hypothesis_draws_no_constants_from_local_modules_only_within_a_fuzz_block() -> None:
    from pickconform import fuzzing
    from pickconform._compat.hypothesis import local_constants_are_off

    assert not local_constants_are_off()  # importing pickconform changes nothing
    with fuzzing.fuzz_collection():
        with fuzzing.fuzz_collection():  # nested (collection, then a call): still off, and restored once
            assert local_constants_are_off()
        assert local_constants_are_off()
    assert not local_constants_are_off()


def test_a_fuzz_tests_settings_are_replaced_for_its_call_only() -> None:
    import hypothesis
    from hypothesis import strategies

    from pickconform import fuzzing

    @hypothesis.given(strategies.integers())
    def test(value: int) -> None:
        pass

    before = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    with fuzzing.fuzz_test(test):
        during = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
        test()  # Hypothesis reads them when the test is called
    assert hypothesis.Phase.shrink in before.phases and before.report_multiple_bugs
    assert hypothesis.Phase.shrink not in during.phases and not during.report_multiple_bugs
    assert test._hypothesis_internal_use_settings is before  # type: ignore[attr-defined]


def _private_uses(path: Path) -> list[str]:
    """Attribute accesses `x._name` on something other than self/cls, and imports of dependency internals."""
    found = []
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top, *rest = node.module.split(".")
            internal = {"core", "internal", "generation", "specs"}
            if top in {"schemathesis", "hypothesis", "vcr", "httpx", "httpcore"} and internal & set(rest):
                found.append(f"{path.name}:{node.lineno} from {node.module}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in {"httpx", "httpcore", "vcr", "hypothesis", "schemathesis", "pytest"}
        ):
            found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_dependency_internal_is_used_outside_compat() -> None:
    outside = [p for p in SRC.rglob("*.py") if "_compat" not in p.parts]
    assert [use for path in outside for use in _private_uses(path)] == []
