"""The Butler specification as the suite reads it: OpenAPI (requests, responses), notification schemas, lifecycle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from pickconform.fuzzing.documented import without_inferred
from pickconform.paths import SPECS

DIR = SPECS / "butler"
OPENAPI = DIR / "openapi.yaml"
NOTIFICATIONS = DIR / "notifications"
LIFECYCLE = DIR / "lifecycle.json"
BASE_URI = "https://pickconform.dev/specs/butler/"
SERVICE_REQUEST = "/api-gateway/sr-service/platform-srms/service-request"
CANCEL = SERVICE_REQUEST + "/cancel"
MODIFY = SERVICE_REQUEST + "/modify"


@cache
def registry(documented: bool = False) -> referencing.Registry:
    """The OpenAPI document and the notification schemas under one base URI, so their relative $refs resolve
    (`documented`: without the keywords marked `x-pickconform-inferred`)."""
    # libyaml's safe loader where PyYAML has it (as Schemathesis does): the same document, ~8x faster than safe_load.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resources = [(BASE_URI + "openapi.yaml", yaml.load(OPENAPI.read_text(), Loader=loader))]
    for path in sorted(NOTIFICATIONS.glob("*.schema.json")):
        resources.append((f"{BASE_URI}notifications/{path.name}", json.loads(path.read_text())))
    if documented:
        resources = [(uri, without_inferred(contents)) for uri, contents in resources]
    return referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources
    )


@cache
def validator(ref: str, documented: bool = False) -> jsonschema.Draft202012Validator:
    """A validator for a schema named relative to specs/butler, e.g. `notifications/envelope.schema.json` or
    `openapi.yaml#/components/schemas/PickServiceRequest` (`documented`: without inferred keywords)."""
    return jsonschema.Draft202012Validator({"$ref": BASE_URI + ref}, registry=registry(documented))


def notification_errors(document: Any, *, documented: bool = False) -> list[str]:
    """Every way a notification breaks the envelope or its kind's schema, as `pointer: message` lines
    (`documented`: only what breaks the documents, not a keyword pickconform inferred)."""
    envelope = validator("notifications/envelope.schema.json", documented)
    errors = sorted(envelope.iter_errors(document), key=lambda e: e.path)
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
