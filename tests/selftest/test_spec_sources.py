"""Every constraint of the specs says where it comes from (issue 18: "required only where a document says required").

A `required`, `pattern`, `minLength`, `maxLength`, `format` or `enum` of a request or response schema either has an
`x-source` that states it (on the schema object, or on an object enclosing it up to the nearest component, `$defs`
entry or operation: the sentence at the top of each spec file says how to read it), or it is named in the
`x-pickconform-inferred` list of the schema object that carries it: no document states it, pickconform inferred it
(from an example only, or as a limit of its own). The walker below finds every such keyword in the vendor-facing
specs (each family's openapi.yaml, the token endpoints, Butler's notification schemas) and fails on one with neither.
The control protocols (specs/butler/CONTROL.md, specs/emporix/control.yaml) are pickconform's own: not walked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pickconform.paths import SPECS

KEYWORDS = ("required", "pattern", "minLength", "maxLength", "format", "enum")
INFERRED = "x-pickconform-inferred"
SOURCE = "x-source"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
DOCUMENTS = [
    *(SPECS / family / "openapi.yaml" for family in ("butler", "clarus", "emporix")),
    SPECS / "clarus" / "oauth.yaml",
    SPECS / "emporix" / "oauth.yaml",
    *sorted((SPECS / "butler" / "notifications").glob("*.schema.json")),
]
NOT_SCHEMAS = {"example", "examples", "description", "title", "links", "securitySchemes", "servers", "info", "const"}


def load(path: Path) -> Any:
    return json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())


def _is_boundary(trail: tuple[str, ...]) -> bool:
    """Where the search for an x-source stops: a named component, a `$defs` entry, an operation, the document."""
    if not trail:
        return True
    if len(trail) >= 2 and trail[-2] in ("schemas", "parameters", "responses", "requestBodies", "$defs"):
        return trail[-3:-2] in (("components",), ()) or trail[-2] == "$defs"
    return len(trail) >= 3 and trail[-3] == "paths" and trail[-1] in HTTP_METHODS


def unsourced(document: Any) -> Iterator[str]:
    """`pointer keyword` of every constraint keyword that is neither inferred nor under an x-source."""

    def walk(node: Any, trail: tuple[str, ...], chain: tuple[dict[str, Any], ...]) -> Iterator[str]:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, (*trail, str(index)), chain)
            return
        if not isinstance(node, dict):
            return
        chain = (node,) if _is_boundary(trail) else (*chain, node)
        inferred = node.get(INFERRED, ())
        sourced = any(SOURCE in carrier for carrier in chain)
        for keyword in KEYWORDS:
            if keyword not in node or (keyword == "required" and not isinstance(node[keyword], list)):
                continue  # `required: true` on a parameter or a request body is OpenAPI's, not a constraint
            if not sourced and keyword not in inferred:
                yield f"/{'/'.join(trail)} {keyword}"
        for key, value in node.items():
            if key in NOT_SCHEMAS or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):  # its keys are names, not keywords
                for name, schema in value.items():
                    yield from walk(schema, (*trail, key, name), chain)
                continue
            yield from walk(value, (*trail, key), chain)

    yield from walk(document, (), ())


@pytest.mark.parametrize("path", DOCUMENTS, ids=[str(p.relative_to(SPECS)) for p in DOCUMENTS])
def test_every_constraint_is_sourced_or_inferred(path: Path) -> None:
    assert list(unsourced(load(path))) == []


def test_inferred_markers_are_lists_of_keywords_the_object_has() -> None:
    """The marker's one form: a list naming keywords of the object that carries it (never `true`, never a keyword
    the object lacks: a marker that names nothing would downgrade nothing and mislead the reader)."""
    found = 0

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            if INFERRED in node:
                marker = node[INFERRED]
                if not isinstance(marker, list) or not marker or not set(marker) <= set(node):
                    yield f"{marker!r} beside {sorted(k for k in node if not k.startswith('x-'))}"
            for value in node.values():
                yield from walk(value)

    for path in DOCUMENTS:
        document = load(path)
        found += json.dumps(document).count(INFERRED)
        assert list(walk(document)) == [], path
    assert found > 30


def test_the_walker_finds_a_constraint_without_a_source() -> None:
    """The check can fail: a spec whose pattern has no x-source anywhere above it, nor a marker, is reported; the
    same with an x-source, or with the marker, is not."""
    bare = {"components": {"schemas": {"Id": {"type": "string", "pattern": "^a$", "maxLength": 3}}}}
    assert sorted(unsourced(bare)) == ["/components/schemas/Id maxLength", "/components/schemas/Id pattern"]
    marked = {"components": {"schemas": {"Id": {"type": "string", "pattern": "^a$", INFERRED: ["pattern"]}}}}
    assert list(unsourced(marked)) == []
    sourced = {"components": {"schemas": {"Id": {SOURCE: "seed", "properties": {"a": {"maxLength": 3}}}}}}
    assert list(unsourced(sourced)) == []
    # An x-source on the document does not reach into a component: each component says its own source.
    top = {SOURCE: "seed", "components": {"schemas": {"Id": {"properties": {"a": {"required": ["b"]}}}}}}
    assert list(unsourced(top)) == ["/components/schemas/Id/properties/a required"]
    # An operation's x-source covers its inline bodies; a parameter's covers its schema.
    inline = {"paths": {"/a": {"post": {SOURCE: "seed", "requestBody": {"content": {"j": {"schema": {"enum": [1]}}}}}}}}
    assert list(unsourced(inline)) == []
