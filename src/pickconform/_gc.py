"""A pytest plugin `pickconform run` loads (`-p pickconform._gc`, in xdist workers too): once the tests are collected,
what collection built (modules, specs, Schemathesis schemas and their Hypothesis strategies, the coverage cases) is
frozen out of the cyclic garbage collector (`gc.freeze`). It lives as long as the run anyway; without this, every full
collection that Hypothesis' allocations trigger walks all of it again (about a second of a replay of the whole suite,
more of a live run). Reference counting still frees what the tests create and drop, and the collector still finds
the cycles they leave behind."""

from __future__ import annotations

import gc

import pytest


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()
