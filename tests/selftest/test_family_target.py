"""Each family's target names its own parts (`pickconform.family.target.FamilyTarget`), and code outside the families
gets the same answers from it as the recordings that were made before: the slots and the credential labels of
cassettes/reference. One rule gives a test its own requirement (`pickconform.pytest_plugin.primary_requirement`)."""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Iterator
from typing import Any, Protocol

import pytest

from pickconform.cassettes import PLACEHOLDER_ORIGIN
from pickconform.determinism import RunContext
from pickconform.family.target import FamilyTarget
from pickconform.http.client import Wire
from pickconform.paths import FAMILIES, ROOT
from pickconform.pytest_plugin import primary_requirement
from pickconform.registry import registered
from pickconform.targets import Target, replay_target, slots

SHIPPED = ROOT / "cassettes" / "reference"


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    target = replay_target(FAMILIES, RunContext(), PLACEHOLDER_ORIGIN, Wire())
    yield target
    target.close()


def _shipped() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(SHIPPED.glob("*.json"))]


def test_every_family_target_is_a_family_target(target: Target) -> None:
    assert sorted(target.families) == sorted(FAMILIES)
    members = set(FamilyTarget.__annotations__) | {
        name for name in vars(FamilyTarget) if not name.startswith("_") and name not in vars(Protocol)
    }
    assert {"capabilities", "role_urls", "credential_slots", "close"} <= members
    for family, family_target in target.families.items():
        missing = []
        for name in sorted(members):
            try:  # statically: a property may ask the target (Butler's capabilities)
                inspect.getattr_static(family_target, name)
            except AttributeError:
                missing.append(name)
        assert missing == [], family


def test_the_slots_are_those_the_shipped_cassettes_recorded(target: Target) -> None:
    recorded = {json.dumps(document["pickconform"]["slots"], sort_keys=True) for document in _shipped()}
    assert recorded == {json.dumps(slots.describe(target), sort_keys=True)}


def test_every_credential_label_of_the_shipped_cassettes_is_a_slot_of_the_target(target: Target) -> None:
    held = {slot for family_target in target.families.values() for slot, _ in family_target.credential_slots()}
    labels = {label for document in _shipped() for label in re.findall(r"redacted:([^>\"]+)", json.dumps(document))}
    assert labels and labels <= held
    assert held == {
        "clarus/tenant",
        "clarus/other_tenant",
        *(
            f"emporix/{role}/pickpack.pickpack_{scope}"
            for role in ("tenant", "other_tenant")
            for scope in ("view", "manage")
        ),
        "butler/token",
    }


def test_only_the_butler_family_has_a_notification_source_and_its_target_starts_it(target: Target) -> None:
    sources = {name: family.notifications for name, family in registered().items() if family.notifications}
    assert list(sources) == ["butler"]
    receiver = inspect.getattr_static(type(target.families["butler"]), "receiver").fget  # starting it asks the target
    assert typing.get_type_hints(receiver)["return"] is sources["butler"]()


@pytest.mark.parametrize(
    ("family", "role", "path", "documented"),
    [
        ("clarus", "rest", "/goods_outs", True),
        ("clarus", "graphql", "", False),
        ("clarus", "base", "/oauth/token", False),
        ("emporix", "base", "/pick-pack/acme/jobs/recalculations", True),
        ("emporix", "base", "/_control/pick-pack/acme/orders/o1", True),
        ("butler", "base", "/api-gateway/sr-service/platform-srms/service-request", True),
        ("butler", "control", "/capabilities", False),
    ],
)
def test_a_family_target_says_which_spec_documents_a_request(
    target: Target, family: str, role: str, path: str, documented: bool
) -> None:
    assert (target.families[family].openapi_for(role, path) is not None) == documented


def test_the_emporix_control_protocol_is_documented_by_its_own_spec(target: Target) -> None:
    from pickconform.emporix import spec

    emporix = target.families["emporix"]
    assert emporix.openapi_for("base", "/_control/pick-pack/acme/orders/o1") is spec.control_openapi()
    assert emporix.openapi_for("base", "/pick-pack/acme/jobs/recalculations") is spec.openapi()


class _Item:
    def __init__(self, *tags: str) -> None:
        self.nodeid, self.tags = "test_x", tags

    def iter_markers(self, name: str) -> Iterator[pytest.Mark]:
        yield pytest.mark.requirement(*self.tags).mark


@pytest.mark.parametrize(
    ("tags", "chosen"),
    [
        (("A",), "A"),
        (("S",), "S"),  # a scenario of a supporting requirement alone is its own
        (("S", "A"), "A"),
        (("A", "S", "T"), "A"),
    ],
)
def test_a_tests_own_requirement_is_its_one_tag_besides_the_supporting_ones(tags: tuple[str, ...], chosen: str) -> None:
    assert primary_requirement(_Item(*tags), frozenset({"S", "T"})) == chosen  # type: ignore[arg-type]


@pytest.mark.parametrize("tags", [(), ("A", "B"), ("S", "T")])
def test_a_test_without_exactly_one_own_requirement_has_none(tags: tuple[str, ...]) -> None:
    with pytest.raises(LookupError, match="exactly one requirement tag"):
        primary_requirement(_Item(*tags), frozenset({"S", "T"}))  # type: ignore[arg-type]
