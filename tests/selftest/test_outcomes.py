"""Each of the five outcomes can occur, with its exit status: a refused set-up call is an `error` (exit 3), an
operation the target does not offer a `skip` naming it, a departure from an interpretation a `warn` (exit 0; exit 1
under --strict)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pickconform.catalogue import catalogue
from pickconform.reference.mutants import all_variants
from tests.selftest.conftest import clarus_profile, pickconform
from tests.selftest.proxy import Rule, proxied_reference

SECRET = {"PICKCONFORM_TEST_SECRET": "acme-secret"}


def test_a_refused_setup_call_is_an_error_not_a_fail(tmp_path: Path) -> None:
    refuse = Rule("POST", r"/clarus/api(/v1)?/products", 422, {"errors": [{"title": "stock_unit_type_id invalid"}]})
    with proxied_reference(["clarus"], refuse) as url:
        profile = clarus_profile(tmp_path, f"{url}/clarus", name="refuses products")
        run = pickconform(
            "run", "--profile", str(profile), "--api", "clarus", "--requirement", "CLARUS-ERR-39",
            report_dir=tmp_path / "out", env=SECRET,
        )  # fmt: skip
    assert run.status == 3, f"exit {run.status}\n{run.stdout[-3000:]}{run.stderr[-2000:]}"
    (verdict,) = run.report["requirements"] if run.report else []
    assert verdict["status"] == "error" and "set-up failed: create a product" in verdict["reason"], verdict
    assert run.report is not None and run.report["summary"]["error"] == 1 and run.report["summary"]["fail"] == 0
    junit = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert junit.iter("error") and not list(junit.iter("failure"))
    assert "Traceback" not in run.stdout + run.stderr


def test_an_operation_the_target_does_not_offer_is_a_skip_naming_it(tmp_path: Path) -> None:
    """Packing events are not a seed operation: a target without them cannot be judged on AUTOMATIC selection."""
    missing = Rule("POST", r"/emporix/pick-pack/[^/]+/events", 405)
    with proxied_reference(["emporix"], missing) as url:
        profile = tmp_path / "emporix.toml"
        profile.write_text(
            f'[emporix]\nbase_url = "{url}/emporix"\ntenant = "acme"\ntoken_url = "{url}/emporix/oauth/token"\n'
            'client_id = "acme-pickpack"\nclient_secret_env = "PICKCONFORM_TEST_SECRET"\n'
            'capabilities = ["seed_orders"]\n'
        )
        run = pickconform(
            "run", "--profile", str(profile), "--api", "emporix", "--requirement", "EMPORIX-AUTOMATIC-EVENTS",
            report_dir=tmp_path / "out", env={"PICKCONFORM_TEST_SECRET": "acme-pickpack-secret"},
        )  # fmt: skip
    assert run.status == 0, f"exit {run.status}\n{run.stdout[-3000:]}{run.stderr[-2000:]}"
    (verdict,) = run.report["requirements"] if run.report else []
    assert verdict["status"] == "skip", verdict
    assert "does not offer POST /pick-pack/{tenant}/events" in verdict["reason"], verdict


def test_a_departure_from_an_interpretation_warns_and_fails_under_strict(tmp_path: Path) -> None:
    name, variant = next((n, v) for n, v in all_variants().items() if v.departs)
    requirement = variant.departs[0]
    family = catalogue()[requirement].family
    arguments = ("run", "--api", family, "--variant", name, "--requirement", requirement)
    lenient = pickconform(*arguments, report_dir=tmp_path / "lenient")
    assert lenient.status == 0 and lenient.verdict(requirement) == "warn", lenient.stdout[-3000:]
    assert lenient.report is not None
    (warned,) = [r for r in lenient.report["requirements"] if r["id"] == requirement]
    assert (warned["evidence"] and "interpretation" in warned["reason"]) or catalogue()[requirement].level == "SHOULD"
    assert "Warnings" in (tmp_path / "lenient" / "report.md").read_text()
    strict = pickconform(*arguments, "--strict", report_dir=tmp_path / "strict")
    assert strict.status == 1 and strict.verdict(requirement) == "fail", strict.stdout[-3000:]
