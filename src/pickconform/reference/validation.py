"""Request validation against the project's own OpenAPI documents, so the reference refuses exactly what they forbid."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from pickconform.formats import FORMATS


@cache
def load_document(path: Path) -> dict[str, Any]:
    # libyaml's safe loader where PyYAML has it (as Schemathesis does): the same document, ~8x faster than safe_load
    # (the three specs took ~0.2 s of every run's start, in each xdist worker).
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def validator(
    path: Path, schema_name: str, patch: Callable[[dict[str, Any]], None] | None = None
) -> jsonschema.Draft202012Validator:
    """A validator for `#/components/schemas/<schema_name>` of an OpenAPI 3.1 document.

    `patch` edits a copy of the schemas first: that is how mutants loosen a rule."""
    document = load_document(path)
    if patch is not None:
        document = copy.deepcopy(document)
        patch(document["components"]["schemas"])
    resource = referencing.Resource.from_contents(document, default_specification=DRAFT202012)
    registry = referencing.Registry().with_resource("urn:spec", resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{schema_name}"}, registry=registry, format_checker=FORMATS
    )


def first_error(validator: jsonschema.Draft202012Validator, instance: Any) -> jsonschema.ValidationError | None:
    return jsonschema.exceptions.best_match(validator.iter_errors(instance), key=jsonschema.exceptions.relevance)


def pointer(error: jsonschema.ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


# --- the lenient variants: what a faithful implementation may accept where the documents say nothing ------------

INFERRED = "x-pickconform-inferred"


def without_inferred(schemas: dict[str, Any]) -> None:
    """Remove every limit the spec marks `x-pickconform-inferred` (lengths, sizes, ranges, patterns no document
    states), in place. An inferred `required` stays: the reference needs the fields it works with."""
    for node in _objects(schemas):
        marker = node.get(INFERRED)
        if isinstance(marker, list):
            for keyword in marker:
                if not str(keyword).startswith("required"):
                    node.pop(str(keyword), None)


def nullable_optionals(schemas: dict[str, Any]) -> None:
    """Let every optional property be `null` too (read as absent: `without_nulls`), in place."""
    for node in list(_objects(schemas)):
        properties, required = node.get("properties"), set(node.get("required") or ())
        if isinstance(properties, dict):
            for name, schema in list(properties.items()):
                if name not in required and isinstance(schema, dict):
                    properties[name] = {"anyOf": [schema, {"type": "null"}]}


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every JSON object in `node`, outermost first."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            found.append(current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def without_nulls(value: Any) -> Any:
    """The body with every `null` member left out: a null optional field read as absent."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def compose(*patches: Callable[[dict[str, Any]], None] | None) -> Callable[[dict[str, Any]], None] | None:
    """One patch applying each given one in turn (None when none is given)."""
    given = [p for p in patches if p is not None]
    if not given:
        return None

    def patch(schemas: dict[str, Any]) -> None:
        for each in given:
            each(schemas)

    return patch
