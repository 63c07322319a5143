"""pytest internals: running a collected test function in place of its own (a fuzz test replays its cassette's
cases instead of asking Hypothesis)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pickconform._compat import require

__all__ = ["test_function_replaced"]

require(
    isinstance(getattr(pytest.Function, "obj", None), property) and pytest.Function.obj.fset is not None,
    "pytest",
    pytest.__version__,
    "a settable Function.obj",
)


@contextlib.contextmanager
def test_function_replaced(item: pytest.Function, function: Callable[..., Any]) -> Iterator[None]:
    """pytest calls `function` with the test's fixtures instead of the test's own function, for the block."""
    original = item.obj
    item.obj = function
    try:
        yield
    finally:
        item.obj = original


test_function_replaced.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test
