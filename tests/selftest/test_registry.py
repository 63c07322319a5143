"""A fourth API family is one package and one registry line (`pickconform.registry`): a toy family, written here into
a temporary directory (its package with a tiny spec, a reference and a target; one requirement; one conformance test)
and registered by one line, runs end to end through the pytest plugin like the built-in ones: the
embedded reference serves it, the catalogue reads its requirement, the report judges it, and its mutant fails it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pickconform.paths import FAMILIES
from pickconform.registry import Family, register, registered, unregister

TOY_PACKAGE = '''
"""Toy pick lists: GET /pick-lists answers {"pick_lists": [...]} to a bearer token (spec.json)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pickconform import verdict
from pickconform.family.profile import secret_from_env
from pickconform.http.auth import BearerToken
from pickconform.http.client import make_client
from pickconform.reference.mutants import mutant
from pickconform.registry import Family

HERE = Path(__file__).parent
SPEC = json.loads((HERE / "spec.json").read_text())


@dataclass(frozen=True)
class Settings:
    base_url: str
    token_env: str


UNWRAPPED = mutant("toy-pick-lists-unwrapped", "TOY-PICK-LISTS", "the pick lists are answered as a bare array")


class ToyReference:
    def __init__(self, faults, token):
        self.token = token

        async def pick_lists(request: Request) -> JSONResponse:
            if request.headers.get("authorization") != f"Bearer {token}":
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            lists = [{"id": "PL-1", "lines": 2}]
            return JSONResponse(lists if faults.active(UNWRAPPED) else {SPEC["envelope"]: lists})

        self.app = Starlette(routes=[Route(SPEC["path"], pick_lists)])

    @property
    def handed(self):
        return {"token": self.token}

    def start(self):
        pass

    def close(self):
        pass


class ToyTarget:
    capabilities = frozenset()

    def __init__(self, base_url, token, wire):
        self.base_url = base_url
        self.client = make_client(base_url, wire, auth=BearerToken(token))

    def pick_lists(self):
        response = self.client.get(SPEC["path"])
        body = verdict.json_body(response, "TOY-PICK-LISTS")
        verdict.check(
            isinstance(body, dict) and isinstance(body.get(SPEC["envelope"]), list),
            "TOY-PICK-LISTS",
            f"the pick lists are not in {SPEC['envelope']!r}",
            response,
        )

    def role_urls(self):
        return {"base": self.base_url}

    def tenant_names(self):
        return {}

    def credential_slots(self):
        return [("toy/token", self.client.auth)]

    def openapi_for(self, role, path):
        return None

    def take_unexpected_inbound(self):
        return 0, []

    def preflight(self):
        pass

    def close(self):
        self.client.close()


FAMILY = Family(
    name="toy",
    Settings=Settings,
    embedded=lambda base_url, handed, wire: ToyTarget(base_url, handed["token"], wire),
    from_settings=lambda s, where, wire: ToyTarget(s.base_url, secret_from_env(s.token_env, where), wire),
    reference=lambda faults, demo: ToyReference(faults, "toy-demo" if demo else secrets.token_urlsafe(8)),
    faults=lambda: UNWRAPPED,  # declared above, at import
    specs=HERE / "specs",
    tests=HERE.parent / "tests" / "toy",
)
'''

TOY_TEST = """
import pytest

from pickconform.pytest_plugin import family_target


@pytest.mark.requirement("TOY-PICK-LISTS")
def test_pick_lists_are_enveloped(pickconform_target):
    family_target(pickconform_target, "toy").pick_lists()
"""

REQUIREMENTS = """
[[requirement]]
id = "TOY-PICK-LISTS"
level = "MUST"
title = "Pick lists come in their envelope"
statement = "GET /pick-lists answers an object whose pick_lists member is an array."
source = "spec.json"
"""


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("toy")
    package = root / "toyfamily"
    (package / "specs").mkdir(parents=True)
    (package / "__init__.py").write_text(TOY_PACKAGE)
    (package / "spec.json").write_text(json.dumps({"path": "/pick-lists", "envelope": "pick_lists"}))
    (package / "specs" / "requirements.toml").write_text(REQUIREMENTS)
    (root / "tests" / "toy").mkdir(parents=True)
    (root / "tests" / "toy" / "test_pick_lists.py").write_text(TOY_TEST)
    # The one registry line (a built-in family's is in pickconform/__init__.py), in a plugin pytest loads before it
    # parses the options (so that `--api toy` is a choice).
    (root / "toy_registry.py").write_text(
        "import toyfamily\nfrom pickconform.registry import register\n\nregister(toyfamily.FAMILY)\n"
    )
    (root / "pytest.ini").write_text("[pytest]\n")
    return root


def _run(toy: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report_dir = toy / "report"
    plugins = ["-p", "toy_registry", "-p", "no:cacheprovider", "-p", "no:xdist"]
    arguments = [*plugins, "--api", "toy", "--report-dir", str(report_dir), *options]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/toy", *arguments],
        cwd=toy,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(toy)},
        stdin=subprocess.DEVNULL,
    )
    return done, json.loads((report_dir / "report.json").read_text())


def test_a_registered_toy_family_runs_end_to_end_through_the_plugin(toy: Path) -> None:
    done, document = _run(toy)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert [(r["id"], r["status"]) for r in document["requirements"]] == [("TOY-PICK-LISTS", "pass")]
    assert document["target"] == "reference"
    assert "1 passed" in done.stdout


def test_the_toy_familys_mutant_fails_its_requirement(toy: Path) -> None:
    done, document = _run(toy, "--mutant", "toy-pick-lists-unwrapped")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    (requirement,) = document["requirements"]
    assert (requirement["id"], requirement["status"]) == ("TOY-PICK-LISTS", "fail")
    assert "not in 'pick_lists'" in json.dumps(requirement["evidence"])


def test_registering_and_unregistering_a_family_changes_the_families_everyone_reads() -> None:
    before = tuple(FAMILIES)
    assert before == ("clarus", "butler", "emporix")  # the built-in ones, in the order pickconform/__init__.py lists
    clarus = registered()["clarus"]
    register(Family("toy2", clarus.Settings, clarus.embedded, clarus.from_settings, clarus.reference, clarus.faults))
    try:
        assert tuple(FAMILIES) == (*before, "toy2") and "toy2" in FAMILIES
        with pytest.raises(ValueError, match="registered twice"):
            register(registered()["toy2"])
    finally:
        unregister("toy2")
    assert tuple(FAMILIES) == before
