"""What the documents state, without what pickconform inferred: the spec with every keyword marked
`x-pickconform-inferred` removed, so a request or a response is judged against the documents alone, whatever
generated it (Schemathesis' coverage phase, a mutation, an explicit example, a scenario).

- A negative case the target accepted that is valid here broke only inferred constraints: a `warn`, not a `fail`.
- A response that breaks the spec but is valid here broke only inferred keywords: a `warn` too.
- **Null for an optional field** (specs/*/DECISIONS.md): no document says whether `null` for an optional field must
  be refused (many implementations read it as absent), so in a request an optional property may be `null` here.

The marker sits on the schema object that carries the keyword and lists the keywords no document states:
`x-pickconform-inferred: [maxLength, pattern]`. `required` in the list makes the whole `required` list inferred;
`required:NAME` makes only NAME's. `true` marks every keyword of the object but its type and structure.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import httpx
import jsonschema
import referencing
from referencing.jsonschema import DRAFT202012

from pickconform.formats import FORMATS

__all__ = ["INFERRED", "documented_only", "request_is_documented", "response_is_documented", "without_inferred"]

INFERRED = "x-pickconform-inferred"
# What `x-pickconform-inferred: true` leaves: the structure a document always states.
_STRUCTURE = {"type", "properties", "items", "prefixItems", "$ref", "anyOf", "oneOf", "allOf", "additionalProperties"}


def without_inferred(node: Any, *, nullable_optionals: bool = False) -> Any:
    """A copy of a schema (or a document of schemas) without the keywords marked inferred."""
    return _strip(node, nullable_optionals=nullable_optionals)


def _strip(node: Any, *, nullable_optionals: bool) -> Any:
    """A copy of `node` without inferred keywords (and, for requests, with optional properties nullable)."""
    if isinstance(node, list):
        return [_strip(item, nullable_optionals=nullable_optionals) for item in node]
    if not isinstance(node, dict):
        return node
    marker = node.get(INFERRED)
    result = {key: _strip(value, nullable_optionals=nullable_optionals) for key, value in node.items()}
    if marker is True:
        for key in list(result):
            if key not in _STRUCTURE and not key.startswith("x-") and key not in ("description", "example"):
                del result[key]
    elif isinstance(marker, list):
        for keyword in marker:
            name, _, only = str(keyword).partition(":")
            if name == "required" and only and isinstance(result.get("required"), list):
                result["required"] = [r for r in result["required"] if r != only]
            else:
                result.pop(name, None)
    if nullable_optionals and isinstance(result.get("properties"), dict):
        required = set(result.get("required") or ())
        result["properties"] = {
            name: schema if name in required or not isinstance(schema, dict) else {"anyOf": [schema, {"type": "null"}]}
            for name, schema in result["properties"].items()
        }
    return result


_lock = threading.Lock()
_documents: dict[tuple[int, bool], tuple[dict[str, Any], dict[str, Any], referencing.Registry]] = {}
_validators: dict[tuple[int, bool, str], jsonschema.Draft202012Validator] = {}


def documented_only(spec: dict[str, Any], *, nullable_optionals: bool = False) -> dict[str, Any]:
    """The spec without inferred keywords, built once per spec document."""
    return _document(spec, nullable_optionals)[0]


def _document(spec: dict[str, Any], nullable: bool) -> tuple[dict[str, Any], referencing.Registry]:
    key = (id(spec), nullable)
    with _lock:
        found = _documents.get(key)
        if found is None or found[0] is not spec:
            stripped = _strip(copy.deepcopy(spec), nullable_optionals=nullable)
            resource = referencing.Resource.from_contents(stripped, default_specification=DRAFT202012)
            found = (spec, stripped, referencing.Registry().with_resource("urn:documented", resource))
            _documents[key] = found
    return found[1], found[2]


def _validator(spec: dict[str, Any], nullable: bool, pointer: str) -> jsonschema.Draft202012Validator:
    """A validator for the schema at `pointer` (a JSON pointer into the documented-only spec), cached."""
    key = (id(spec), nullable, pointer)
    with _lock:
        found = _validators.get(key)
    if found is None:
        _, registry = _document(spec, nullable)
        found = jsonschema.Draft202012Validator(
            {"$ref": f"urn:documented#{pointer}"}, registry=registry, format_checker=FORMATS
        )
        with _lock:
            _validators[key] = found
    return found


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _resolve(spec: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local $refs; returns the node and its pointer."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        pointer = node["$ref"][1:]
        target: Any = spec
        for part in pointer[1:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = target
    return node, pointer


def _json_media(content: dict[str, Any]) -> str | None:
    return next((media for media in content if media.split(";")[0].strip().endswith("json")), None)


def _valid(spec: dict[str, Any], nullable: bool, pointer: str, instance: Any) -> bool:
    return _validator(spec, nullable, pointer).is_valid(instance)


def request_is_documented(case: Any) -> bool:
    """Whether the case's request (body, path, query, headers) is valid against the documented-only spec, optional
    fields being allowed `null`: when the target accepted it, it broke only what pickconform inferred."""
    from pickconform._compat.schemathesis import NOT_SET

    operation = case.operation
    spec = operation.schema.raw_schema
    method = operation.method.lower()
    base = f"/paths/{_escape(operation.path)}"
    raw, raw_pointer = _resolve(spec, spec.get("paths", {}).get(operation.path, {}).get(method, {}), f"{base}/{method}")
    path_item = spec.get("paths", {}).get(operation.path, {})
    parameters = [(p, f"{base}/parameters/{i}") for i, p in enumerate(path_item.get("parameters", []))]
    parameters += [(p, f"{raw_pointer}/parameters/{i}") for i, p in enumerate(raw.get("parameters", []))]
    sources = {
        "path": case.path_parameters or {},
        "query": case.query or {},
        "header": {k.lower(): v for k, v in (case.headers or {}).items()},
    }
    for parameter, pointer in parameters:
        parameter, pointer = _resolve(spec, parameter, pointer)
        where = parameter.get("in")
        if where not in sources or "schema" not in parameter:
            continue
        name = parameter["name"].lower() if where == "header" else parameter["name"]
        values = sources[where]
        if name not in values:
            if parameter.get("required") or where == "path":
                return False
            continue
        if not _parameter_valid(spec, f"{pointer}/schema", values[name]):
            return False
    body_spec, body_pointer = _resolve(spec, raw.get("requestBody"), f"{raw_pointer}/requestBody")
    if not isinstance(body_spec, dict):
        return True
    body = case.body
    if body is NOT_SET or (body is None and case.media_type is None):
        return not body_spec.get("required")
    content = body_spec.get("content", {})
    media = _json_media(content)
    if media is None or (case.media_type and not case.media_type.split(";")[0].strip().endswith("json")):
        return False  # another media type than the documented JSON: a documented violation
    if "schema" not in content[media]:
        return True
    return _valid(spec, True, f"{body_pointer}/content/{_escape(media)}/schema", body)


def _parameter_valid(spec: dict[str, Any], pointer: str, value: Any) -> bool:
    """A parameter travels as text: valid as given, or as the JSON value its text reads as (`5` for an integer)."""
    if _valid(spec, False, pointer, value):
        return True
    if isinstance(value, str):
        try:
            return _valid(spec, False, pointer, json.loads(value))
        except ValueError:
            return False
    return False


def response_is_documented(operation: Any, response: httpx.Response) -> bool:
    """Whether the response's JSON body is valid against the documented-only schema of its status: when it breaks
    the spec, it broke only keywords pickconform inferred. False when there is no such schema or no JSON body."""
    spec = operation.schema.raw_schema
    method = operation.method.lower()
    base = f"/paths/{_escape(operation.path)}/{method}"
    raw, raw_pointer = _resolve(spec, spec.get("paths", {}).get(operation.path, {}).get(method, {}), base)
    responses = raw.get("responses", {})
    status = str(response.status_code)
    key = next((k for k in (status, f"{status[0]}XX", f"{status[0]}xx", "default") if k in responses), None)
    if key is None:
        return False
    found, pointer = _resolve(spec, responses[key], f"{raw_pointer}/responses/{_escape(key)}")
    content = found.get("content", {}) if isinstance(found, dict) else {}
    media = _json_media(content)
    if media is None or "schema" not in content[media]:
        return False
    if not response.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        return False  # a content type the documents do not give: no inferred keyword made it fail
    try:
        body = response.json()
    except ValueError:
        return False
    return _valid(spec, False, f"{pointer}/content/{_escape(media)}/schema", body)
