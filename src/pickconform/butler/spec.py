"""The Butler specification as the suite reads it: OpenAPI (requests, responses), notification schemas, lifecycle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import schemathesis
import yaml
from hypothesis import strategies as st
from referencing.jsonschema import DRAFT202012

from pickconform.paths import SPECS

DIR = SPECS / "butler"
OPENAPI = DIR / "openapi.yaml"
NOTIFICATIONS = DIR / "notifications"
LIFECYCLE = DIR / "lifecycle.json"
BASE_URI = "https://pickconform.dev/specs/butler/"
SERVICE_REQUEST = "/api-gateway/sr-service/platform-srms/service-request"
CANCEL = SERVICE_REQUEST + "/cancel"
MODIFY = SERVICE_REQUEST + "/modify"


FILTER_PARAMETER_FORMAT = "butler-filter-parameter"  # specs/butler/openapi.yaml, FilterParameter


def filter_parameters() -> st.SearchStrategy[str]:
    """Strings of seed 004's filter form, `key = 'value'` or `key in ['a', 'b']`, drawn directly: the same language as
    the FilterParameter pattern (which still validates them), without Hypothesis building it from the regex, which
    took most of a Butler fuzz run (its regex strategy filtered and padded each draw)."""
    space = st.sampled_from(["", " ", "  ", "\n"])
    key = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
    value = st.text(st.characters(exclude_characters="'\n", codec="utf-8"), max_size=12).map(lambda v: f"'{v}'")
    values = st.lists(st.tuples(space, value, space), min_size=1, max_size=4).map(
        lambda items: ",".join(f"{before}{v}{after}" for before, v, after in items)
    )
    equals = st.tuples(st.just("="), space, value).map("".join)
    within = st.tuples(st.just("in"), space, st.just("["), values, st.just("]")).map("".join)
    return st.tuples(space, key, space, equals | within, space).map("".join)


schemathesis.openapi.format(FILTER_PARAMETER_FORMAT, filter_parameters())


@cache
def registry() -> referencing.Registry:
    """The OpenAPI document and the notification schemas under one base URI, so their relative $refs resolve."""
    resources = [(BASE_URI + "openapi.yaml", yaml.safe_load(OPENAPI.read_text()))]
    for path in sorted(NOTIFICATIONS.glob("*.schema.json")):
        resources.append((f"{BASE_URI}notifications/{path.name}", json.loads(path.read_text())))
    return referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources
    )


@cache
def validator(ref: str) -> jsonschema.Draft202012Validator:
    """A validator for a schema named relative to specs/butler, e.g. `notifications/envelope.schema.json` or
    `openapi.yaml#/components/schemas/PickServiceRequest`."""
    return jsonschema.Draft202012Validator({"$ref": BASE_URI + ref}, registry=registry())


def notification_errors(document: Any) -> list[str]:
    """Every way a notification breaks the envelope or its kind's schema, as `pointer: message` lines."""
    errors = sorted(validator("notifications/envelope.schema.json").iter_errors(document), key=lambda e: e.path)
    return [f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}" for error in errors]


@dataclass(frozen=True)
class Lifecycle:
    initial: str
    status: dict[str, str]
    terminal: frozenset[str]
    cancel_allowed: frozenset[str]
    modify_allowed: frozenset[str]
    transitions: dict[tuple[str, str], str]  # (from, to) → trigger

    def allows(self, before: str, after: str) -> bool:
        return (before, after) in self.transitions

    def trigger(self, before: str, after: str) -> str | None:
        return self.transitions.get((before, after))


@cache
def lifecycle(path: Path = LIFECYCLE) -> Lifecycle:
    data = json.loads(path.read_text())
    return Lifecycle(
        initial=data["initial"],
        status={state: spec["status"] for state, spec in data["states"].items()},
        terminal=frozenset(data["terminal"]),
        cancel_allowed=frozenset(data["cancel_allowed"]),
        modify_allowed=frozenset(data["modify_allowed"]),
        transitions={(t["from"], t["to"]): t["trigger"] for t in data["transitions"]},
    )
