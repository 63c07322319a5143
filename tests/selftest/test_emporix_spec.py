"""specs/emporix: a valid OpenAPI 3.1 document, deprecated as the vendor announced, traced to its sources."""

from __future__ import annotations

import jsonschema
import pytest
import schemathesis
import yaml

from pickconform.catalogue import catalogue
from pickconform.paths import SPECS
from pickconform.reference.mutants import all_mutants, all_variants

DOCUMENTS = ("openapi.yaml", "oauth.yaml", "control.yaml")
SPEC = yaml.safe_load((SPECS / "emporix" / "openapi.yaml").read_text())
OPERATIONS = [
    (path, method, operation)
    for path, methods in SPEC["paths"].items()
    for method, operation in methods.items()
    if method in ("get", "post", "put", "delete", "patch")
]
SCOPE = {"get": "pickpack.pickpack_view", "post": "pickpack.pickpack_manage"}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_is_valid_openapi_31(name: str) -> None:
    schema = schemathesis.openapi.from_path(str(SPECS / "emporix" / name))
    assert schema.raw_schema["openapi"] == "3.1.0"
    schema.validate()  # against the OpenAPI 3.1 meta-schema


def test_component_schemas_are_valid_json_schema() -> None:
    for component in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(component)


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=[o[2]["operationId"] for o in OPERATIONS])
def test_operation_is_deprecated_scoped_and_sourced(path: str, method: str, operation: dict) -> None:
    assert operation.get("deprecated") is True, "the vendor announced the removal of the pick-pack service"
    assert operation.get("x-source")
    assert operation["security"] == [{"OAuth2": [SCOPE[method]]}]


def test_recalculation_operations_document_the_seeds_responses() -> None:
    jobs = SPEC["paths"]["/pick-pack/{tenant}/jobs/recalculations"]["post"]
    job = SPEC["paths"]["/pick-pack/{tenant}/jobs/recalculations/{jobId}"]["get"]
    assert set(jobs["responses"]) == {"200", "400", "401", "403", "409", "500"}
    assert set(job["responses"]) == {"200", "401", "403", "404", "500"}


def test_tenant_and_job_id_rules() -> None:
    tenant = SPEC["components"]["parameters"]["tenant"]["schema"]
    assert tenant == {"type": "string", "minLength": 3, "maxLength": 16, "pattern": "^[a-z][a-z0-9]+$"}
    job_id = SPEC["paths"]["/pick-pack/{tenant}/jobs/recalculations/{jobId}"]["get"]["parameters"][1]["schema"]
    assert (job_id["minLength"], job_id["maxLength"], job_id["pattern"]) == (3, 16, "^[a-zA-Z0-9_-]+$")


def test_seed_example_with_a_duplicate_is_a_valid_request() -> None:
    example = {
        "jobType": "MANUAL",
        "orderIds": ["03DV9N3R", "5XS34VOB", "JGPZWWLA", "JGPZWWLA", "09FFWHA2", "1B70WHY7"],
    }
    validator = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/RecalculationRequest", **SPEC})
    assert list(validator.iter_errors(example)) == []


def test_every_emporix_requirement_has_a_mutant_and_a_source() -> None:
    """A documented requirement by a mutant; an interpretation by a mutant or a variant departing from it (its warning
    is a fail under --strict, which test_mutants proves for every variant)."""
    requirements = [r for r in catalogue().values() if r.family == "emporix"]
    covered = {m.requirement for m in all_mutants().values() if m.name.startswith("emporix-")}
    covered |= {r for v in all_variants().values() if v.name.startswith("emporix-") for r in v.departs}
    assert requirements and all(r.source for r in requirements)
    assert [r.id for r in requirements if r.id not in covered] == []
    assert covered <= {r.id for r in requirements}
