"""The fixtures every family's scenarios share. Here, not in the pytest plugin: the plugin is loaded in every pytest
session of an environment where pickconform is installed, and must not offer fixtures under names a user's own tests
may use (`run`, `values`, `requirement`). The plugin holds what they delegate to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pickconform.determinism import RunContext, Values
from pickconform.family.ready_data import ReadyData
from pickconform.pytest_plugin import cassette_for, primary_requirement, ready_data_for, require_capabilities
from pickconform.targets import Target


@pytest.fixture(autouse=True)
def _cassette(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --record or --replay, each conformance test's outbound HTTP goes to or comes from its own cassette."""
    with cassette_for(request):
        yield


@pytest.fixture(autouse=True)
def _required_capabilities(request: pytest.FixtureRequest) -> None:
    """A test that needs a capability the target lacks is skipped with that reason, never silently passed."""
    require_capabilities(request)


@pytest.fixture(scope="session")
def run(pickconform_target: Target) -> RunContext:
    return pickconform_target.run


@pytest.fixture
def supporting_requirements() -> frozenset[str]:
    """Requirements a family's scenarios check on the side, beside their own one; each family's conftest names its
    own (none by default)."""
    return frozenset()


@pytest.fixture
def requirement(request: pytest.FixtureRequest, supporting_requirements: frozenset[str]) -> str:
    """The requirement a generic step judges: the test's own one (`primary_requirement`)."""
    return primary_requirement(request.node, supporting_requirements)


@pytest.fixture
def values(run: RunContext, request: pytest.FixtureRequest) -> Values:
    """Deterministic values for this test: the same test, seed and run id always send the same data."""
    return run.values(request.node.nodeid)


@pytest.fixture
def ready_data(request: pytest.FixtureRequest) -> ReadyData:
    """The ready data of the profile's `test_data` tables, each item for one test per run."""
    return ready_data_for(request)
