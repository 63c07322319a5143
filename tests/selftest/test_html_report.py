"""The HTML acceptance report, report.json's schema and cucumber.json: a real run's report.json is valid against
specs/report.schema.json and every verdict that is not a pass says why; its HTML page opens in a real headless Chromium,
shows the counts and expands a failing row; values from the target are escaped; the Butler diagram marks a forbidden
step; as_cucumber writes what pytest-bdd's --cucumberjson writes, one element per scenario."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pickconform import report
from pickconform.paths import SPECS
from pickconform.reference.mutants import all_variants
from pickconform.report.cucumber import as_cucumber
from pickconform.report.html import DIFF_VERDICTS, OUTCOMES, body, observed_paths, render_diff, render_report
from tests.selftest.conftest import pickconform

SCHEMA = json.loads((SPECS / "report.schema.json").read_text())
LIFECYCLE = json.loads((SPECS / "butler" / "lifecycle.json").read_text())
FAST_VARIANT = "clarus-unauthorized-403"


def _runs() -> list[Any]:
    """One suite run of one requirement each: a mutant with a notification stream (the Butler diagram, a fail), and a
    variant (a warn, with requests and responses as evidence), or while there is none a mutant with requests and
    responses as evidence."""
    runs = [
        pytest.param(("--mutant", "butler-fulfillable-to-complete", "--requirement", "BUTLER-LIFECYCLE"), id="butler")
    ]
    # A variant that departs from an interpretation (a warning), the fast one of the auth checks when it is there.
    variants = sorted(all_variants().items(), key=lambda item: (item[0] != FAST_VARIANT, not item[1].departs))
    if variants:
        name, variant = variants[0]
        requirement = (variant.departs or variant.requirements)[0]
        runs.append(pytest.param(("--variant", name, "--requirement", requirement), id="variant"))
    else:
        arguments = ("--mutant", "emporix-auth-not-enforced", "--requirement", "EMPORIX-AUTH-401")
        runs.append(pytest.param(arguments, id="emporix"))
    return runs


# --- a real headless Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Debian package `chromium`, installed when missing and this machine allows it (root, apt-get)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("chromium is not installed, and apt-get is missing or this is not root: cannot install it")
    with open("/tmp/pickconform-apt.lock", "w") as lock:  # xdist workers: one installs, the others wait
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shutil.which("chromium"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            done = subprocess.run(
                ["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, text=True, env=env, timeout=900
            )
            if done.returncode != 0:
                pytest.skip(f"apt-get install chromium failed: {done.stderr.strip().splitlines()[-1:]}")
    found = shutil.which("chromium")
    if not found:
        pytest.skip("apt-get installed chromium but it is not on PATH")
    return found


def dump_dom(chromium: str, page: Path, fragment: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, as a real browser built it."""
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", f"{page.as_uri()}#{fragment}"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


class Elements(HTMLParser):
    """Every element's tag and attributes, in document order (enough to check the DOM Chromium dumped)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


# --- a real run, end to end ------------------------------------------------------------------------------------


@pytest.mark.parametrize("arguments", _runs())
def test_a_runs_report_is_valid_says_why_and_opens_in_chromium(
    arguments: tuple[str, ...], tmp_path: Path, chromium: str
) -> None:
    run = pickconform("run", *arguments, report_dir=tmp_path / "out")
    assert run.report is not None, f"exit {run.status}\n{run.stdout[-3000:]}{run.stderr[-2000:]}"
    document = run.report
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]
    for requirement in document["requirements"]:
        if requirement["status"] in ("fail", "warn", "error"):
            assert requirement["evidence"] or requirement["reason"].strip(), requirement["id"]
        if requirement["status"] in ("fail", "warn"):  # a finding made it so: it is in the evidence
            assert requirement["evidence"], requirement["id"]
    if "--mutant" in arguments:
        assert document["summary"]["fail"] >= 1, report.summary_line(document)

    page = tmp_path / "out" / "report.html"
    page.write_text(render_report(document), encoding="utf-8")
    dom = dump_dom(chromium, page, "open-first-fail", tmp_path / "chromium")
    found = elements(dom)
    assert any(tag == "html" and "js" in (a.get("class") or "").split() for tag, a in found), "its script did not run"
    tiles = {a["data-only"]: a.get("data-count") for tag, a in found if tag == "button" and a.get("data-only")}
    assert tiles == {o: str(document["summary"][o]) for o in OUTCOMES}
    rows = [a for tag, a in found if tag == "details" and "data-row" in a]
    assert len(rows) == len(document["requirements"])
    worst = next(s for s in ("fail", "error", "warn") if document["summary"][s] or s == "warn")
    first = next((a for a in rows if a["data-status"] == worst), None)
    if first is not None:
        assert "open" in first, "the first failing row did not expand"
        assert [a for a in rows if "open" in a] == [first]
    assert not [a for tag, a in found if tag in ("link", "img", "iframe") or (tag == "script" and a.get("src"))]
    if any(e["exchange"] for r in document["requirements"] for e in r["evidence"]):
        assert 'class="side request"' in dom and 'class="side response"' in dom
    if "BUTLER-LIFECYCLE" in arguments:
        assert 'class="lc-step bad"' in dom, "the forbidden transition is not drawn"
        assert "Forbidden: fulfillable → complete" in dom


# --- rendering, without a run ----------------------------------------------------------------------------------


def _exchange(**overrides: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": "http://127.0.0.1:1/clarus/api/goods_outs",
        "request_headers": {"authorization": "Bearer live-token-123", "content-type": "application/json"},
        "request_body": '{"data": {"type": "goods_outs"}}',
        "status": 500,
        "response_headers": {"content-type": "application/json"},
        "response_body": '{"errors": [{"code": 1}]}',
        **overrides,
    }


def _document(*requirements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    summary = {o: sum(r["status"] == o for r in requirements) for o in OUTCOMES}
    run = {"seed": 7, "run_id": "r9", "clock": "2026-01-15T09:00:00+00:00"}
    return {"format": 2, "pickconform": "0.1.0", "target": "acme-sandbox", "run": run, "strict": False,
            "summary": summary, "requirements": list(requirements), **extra}  # fmt: skip


def _requirement(rid: str, status: str, evidence: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    nodeid = f"tests/conformance/x.py::test_{rid.lower()}[a b]"
    outcome = {"pass": "passed", "fail": "violated", "warn": "departed", "error": "error", "skip": "skipped"}[status]
    return {
        "id": rid, "family": rid.split("-")[0].lower(), "title": f"title of {rid}", "level": "MUST",
        "basis": "documented", "decision": "", "source": "004 §x", "status": status,
        "reason": "" if status == "pass" else f"why {rid}",
        "tests": [{"nodeid": nodeid, "outcome": outcome, "reason": ""}], "evidence": evidence or [], **extra,
    }  # fmt: skip


def test_a_minimal_document_renders_and_an_absent_field_is_no_error() -> None:
    html = render_report({"requirements": [{"id": "X-1", "status": "fail"}], "summary": {}})
    assert "X-1" in html and "unnamed target" in html
    assert render_report({}).startswith("<!doctype html>")


def test_values_from_the_target_are_escaped_and_secrets_masked() -> None:
    hostile = "<script>alert(1)</script>"
    finding = {"nodeid": "t", "requirement": "CLARUS-A", "message": hostile, "count": 1, "soft": False,
               "exchange": _exchange(response_body=hostile, url=f"http://x/{hostile}")}  # fmt: skip
    html = render_report(_document(_requirement("CLARUS-A", "fail", [finding], statement=hostile), target=hostile))
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "live-token-123" not in html


def test_a_failing_row_shows_statement_source_exchange_side_by_side_and_how_to_reproduce() -> None:
    clipped = '{"data": [' + ", ".join(['{"id": 1}'] * 300)
    finding = {"nodeid": "t", "requirement": "CLARUS-A", "message": "500 on a goods out", "count": 3, "soft": True,
               "exchange": _exchange(response_body=clipped[:2000] + f"... ({len(clipped)} chars)")}  # fmt: skip
    requirement = _requirement("CLARUS-A", "fail", [finding], statement="A goods out answers 201.")
    requirement["tests"][0]["exchanges"] = 2
    run = {"seed": 7, "run_id": "r9", "clock": "c", "profile": "acme.toml"}
    html = render_report(_document(requirement, run=run, limits={"max_response_bytes": 1048576}))
    assert "2 exchanges" in html and "max_response_bytes" in html
    assert "A goods out answers 201." in html and "004 §x" in html
    assert 'class="side request"' in html and 'class="side response"' in html
    assert f"truncated: the first 2000 of {len(clipped)} characters" in html
    assert "found 3×" in html and "a warning" in html
    quoted = "&#39;tests/conformance/x.py::test_clarus-a[a b]&#39;"
    assert f"pickconform run --profile acme.toml --seed 7 --run-id r9 --test {quoted}" in html
    assert (
        "pytest --profile acme.toml --seed 7 --run-id r9 &#39;tests/conformance/x.py::test_clarus-a[a b]&#39;" in html
    )


def test_bodies_are_pretty_printed_and_a_clipped_one_is_still_indented() -> None:
    assert body('{"a": [1, 2]}').text == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    clipped = body('{"a": {"b": "x, y", "c": [}... (9000 chars)')
    assert clipped.json and clipped.note == "truncated: the first 27 of 9000 characters"
    assert clipped.text.splitlines()[:3] == ["{", '  "a": {', '    "b": "x, y",']
    assert body("plain text").text == "plain text" and not body("plain text").json
    assert body("") == body(None) and not body("").text and not body("").note


def test_the_butler_diagram_draws_the_observed_path_and_the_forbidden_step() -> None:
    notifications = [
        {"notification_id": "n1", "notification_type": "order_information", "state": "fulfillable", "order": "P1",
         "received_at": "2026-01-15T09:00:01Z"},
        {"notification_id": "n2", "notification_type": "order_information", "state": "complete", "order": "P1",
         "received_at": "2026-01-15T09:00:02Z"},
    ]  # fmt: skip
    message = "fulfillable → complete is not a transition"
    finding = {"nodeid": "t", "requirement": "BUTLER-LIFECYCLE", "message": message, "exchange": None, "count": 1,
               "soft": False, "notifications": notifications}  # fmt: skip
    (path,) = observed_paths([finding], LIFECYCLE)
    assert path.states == ["created", "fulfillable", "complete"] and path.forbidden == {("fulfillable", "complete")}
    html = render_report(_document(_requirement("BUTLER-LIFECYCLE", "fail", [finding])), lifecycle=LIFECYCLE)
    assert html.count('class="lc-step bad"') == 1 and html.count('class="lc-step"') == 1
    assert '<use href="#lc-base"/>' in html and 'id="lc-base"' in html
    assert "n2" in html  # the stream, as a table
    passing = render_report(_document(_requirement("BUTLER-CREATE", "pass")), lifecycle=LIFECYCLE)
    assert 'class="lc-step' not in passing and "no notification stream" in passing


def test_the_stream_a_lifecycle_finding_prints_is_drawn_when_the_report_has_no_notifications() -> None:
    message = (
        "fulfillable → complete is not a transition of the lifecycle\nstream of pick request PICK-1:\n"
        "  1. create call → created\n  2. order_information (butler_core:00000034): fulfillable/PROCESSING\n"
        "  3. order_information (butler_core:00000035): complete/PROCESSED"
    )
    (path,) = observed_paths([{"nodeid": "t", "message": message}], LIFECYCLE)
    assert (path.request, path.states) == ("PICK-1", ["created", "fulfillable", "complete"])
    assert path.forbidden == {("fulfillable", "complete")}


def test_the_diff_page_renders_every_verdict_and_change() -> None:
    change = {"path": "$.data.id", "kind": "type", "breaking": True, "recorded": "1", "new": "<b>x</b>"}
    step = {"index": 0, "operation": "clarus POST /goods_outs", "request": "POST /clarus/api/goods_outs",
            "verdict": "breaking", "attempts": 1, "note": "", "differences": [change]}  # fmt: skip
    scenario = {"test": "t::one", "cassette": "c.json", "family": "clarus", "requirements": ["CLARUS-A"],
                "verdict": "breaking", "reason": "", "seconds": 0.1, "steps": [step]}  # fmt: skip
    located = {"test": "t::one", "operation": step["operation"], **change}
    document = {
        "pickconform_version": "0.1.0", "target": "reference", "baseline": "golden", "seconds": 1.0,
        "summary": {"scenarios": 1, "breaking": 1, "changed": 0, "unchanged": 0, "skipped": 0, "verdict": "breaking"},
        "requirements": [{"id": "CLARUS-A", "title": "a", "verdict": "breaking", "paths": ["$.data.id"],
                          "tests": [{"test": "t::one", "verdict": "breaking", "reason": ""}], "changes": [located]}],
        "operations": [{"operation": step["operation"], "verdict": "breaking", "tests": ["t::one"],
                        "paths": ["$.data.id"], "changes": [located]}],
        "scenarios": [scenario],
    }  # fmt: skip
    html = render_diff(document)
    assert "golden" in html and "CLARUS-A" in html and "$.data.id" in html and 'data-count="1"' in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert render_diff({}).startswith("<!doctype html>")
    from pickconform.upgrade import report as diff_report  # imports the diff machinery: only here

    assert DIFF_VERDICTS == diff_report.ORDER and report.OUTCOMES == OUTCOMES


def test_the_schema_holds_the_outcomes_and_the_format() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    document = _document(_requirement("CLARUS-A", "fail", [
        {"nodeid": "t", "requirement": "CLARUS-A", "message": "m", "exchange": _exchange(), "count": 1, "soft": False}
    ]), cassettes={"mode": "replay", "directory": "c", "stale": {}}, anything_new={"x": 1})  # fmt: skip
    assert not list(validator.iter_errors(document))
    assert not list(validator.iter_errors({**document, "run": {**document["run"], "profile": "acme"}}))
    for broken in (
        {**document, "format": 3},
        {**document, "requirements": [{**document["requirements"][0], "status": "failed"}]},
        {**document, "requirements": [{**document["requirements"][0], "reason": ""}]},  # a fail says why
        {**document, "summary": {"pass": 1}},
    ):
        assert list(validator.iter_errors(broken))


# --- paper, phone and the diff page, in Chromium ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pdftotext() -> str:
    """poppler-utils' pdftotext, to read what Chromium printed (installed beside chromium when missing)."""
    found = shutil.which("pdftotext")
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("pdftotext is not installed, and apt-get is missing or this is not root: cannot install it")
    with open("/tmp/pickconform-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shutil.which("pdftotext"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "install", "-y", "-q", "poppler-utils"], capture_output=True, env=env,
                           timeout=900)  # fmt: skip
    return shutil.which("pdftotext") or pytest.skip("apt-get could not install poppler-utils (pdftotext)")


_HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--hide-scrollbars")  # fmt: skip


def probe(chromium: str, html: str, width: int, script: str, tmp_path: Path) -> str:
    """Run `script` (JavaScript: `d` is the page's document, it returns a string) on the page laid out `width` CSS
    pixels wide, in real Chromium. The page sits in an iframe of that width: headless Chromium will not make its
    window narrower than 500 px, and an iframe is a viewport of its own (its media queries follow its width)."""
    import html as markup

    wrapper = tmp_path / f"probe-{width}.html"
    wrapper.write_text(
        f'<!doctype html><html><body style="margin:0"><iframe id="f" style="width:{width}px;height:900px;border:0" '
        f'srcdoc="{markup.escape(html, quote=True)}"></iframe><script>'
        "document.getElementById('f').addEventListener('load', function () { var d = this.contentDocument;"
        f" var result = (function (d) {{ {script} }})(d);"
        " document.documentElement.setAttribute('data-probe', String(result)); });</script></body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [chromium, *_HEADLESS, f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1500,1000",
         "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()],
        capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, f"the probe did not run: {done.stderr[-1500:]}"
    return markup.unescape(found.group(1))


def _long_document() -> dict[str, Any]:
    """Rows with what makes pages wide: long URLs, node ids and reasons without a space, headers, a Butler diagram."""
    long = "x" * 180
    notifications = [
        {"notification_id": f"n{i}", "notification_type": "order_information", "state": state, "order": "P1"}
        for i, state in enumerate(["fulfillable", "complete"])
    ]
    rows = []
    for index in range(24):
        family = ("clarus", "butler", "emporix")[index % 3]
        status = ("fail", "pass", "warn", "skip", "error", "pass")[index % 6]
        rid = f"{family.upper()}-REQUIREMENT-NUMBER-{index}"
        nodeid = f"tests/conformance/{family}/test_scenarios.py::test_cancel_succeeds_in_state[{index}-fulfillable]"
        finding = {"nodeid": nodeid if index % 2 else f"tests/conformance/{family}/test_fuzz.py::test_{long}[{index}]",
                   "requirement": rid, "message": f"expected {long}", "count": 1, "soft": status == "warn",
                   "exchange": _exchange(url=f"http://127.0.0.1:8765/{family}/api/{long}?{long}",
                                         response_body=json.dumps({"detail": long * 3})),
                   "notifications": notifications if family == "butler" else []}  # fmt: skip
        evidence = [finding] if status in ("fail", "warn") else []
        requirement = _requirement(rid, status, evidence, statement=f"Statement of {rid}: {long}",
                                   decision=f"specs/{family}/DECISIONS.md#{long}", source=f"004 §{long}")  # fmt: skip
        requirement["tests"][0]["nodeid"] = finding["nodeid"]
        if evidence:  # the test's exchange log, as the evidence list shows it (report.evidence.test_log)
            entry = {"kind": "exchange", **finding["exchange"], "curl": f"curl -X POST {finding['exchange']['url']}",
                     "violating": True}  # fmt: skip
            requirement["tests"][0]["log"] = {"exchanges": 1, "exchanges_omitted": 0, "notifications": 0,
                                              "notifications_omitted": 0, "entries": [entry]}  # fmt: skip
        rows.append(requirement)
    return _document(*rows)


def test_printing_expands_every_row_and_keeps_the_wide_layout_on_a4(
    chromium: str, pdftotext: str, tmp_path: Path
) -> None:
    document = _long_document()
    page = tmp_path / "report.html"
    page.write_text(render_report(document, lifecycle=LIFECYCLE), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    done = subprocess.run(
        [chromium, *_HEADLESS, f"--user-data-dir={tmp_path / 'chromium'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert pdf.is_file(), done.stderr[-1500:]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-bbox", str(pdf), "-"], capture_output=True, text=True)
    assert 'width="594' in info.stdout or 'width="595' in info.stdout, "not printed on A4"
    rows = text.split("Requirements (24)", 1)[1]  # below the panel of fails, which names some of them too
    for requirement in document["requirements"]:
        # A row's statement and its tests are inside the <details>: printed only when the row is open.
        assert f"Statement of {requirement['id']}" in rows.replace("\n", " "), f"{requirement['id']} printed closed"
        # The wide layout: the row's title and family on one line (the narrow one stacks them).
        line = next(line for line in rows.splitlines() if "title of" in line and requirement["id"][:8] in line)
        assert requirement["family"] in line.split("title of", 1)[1], f"narrow layout on paper: {line!r}"


def test_a_phone_wide_page_never_scrolls_sideways_even_with_every_row_open(chromium: str, tmp_path: Path) -> None:
    html = render_report(_long_document(), lifecycle=LIFECYCLE)
    measure = (
        "var before = d.scrollingElement.scrollWidth;"
        " d.querySelectorAll('details').forEach(function (x) { x.open = true; });"
        " return before + ' ' + d.scrollingElement.scrollWidth + ' ' + d.documentElement.clientWidth;"
    )
    closed, opened, viewport = (int(n) for n in probe(chromium, html, 420, measure, tmp_path).split())
    assert viewport == 420, "the probe did not lay the page out 420 px wide"
    assert closed <= 420 and opened <= 420, f"the page is {closed} px wide closed, {opened} px with every row open"


def _diff_document() -> dict[str, Any]:
    steps = [{"index": 0, "operation": "clarus POST /goods_outs", "request": "POST /clarus/api/goods_outs",
              "verdict": "breaking", "attempts": 1, "note": "", "differences": [
                  {"path": "$.data", "kind": "removed", "breaking": True, "recorded": "{}", "new": ""}]}]  # fmt: skip
    scenarios = [
        {"test": f"tests/conformance/clarus/test_scenarios.py::test_a_goods_out_with_a_rather_long_scenario_name_{i}"
                 "_that_goes_on_and_on[with-examples]", "cassette": f"c{i}.json", "family": "clarus",
         "requirements": ["CLARUS-GO-JSONAPI", "CLARUS-GO-REQUIRED"], "verdict": verdict, "reason": "",
         "seconds": 0.1, "steps": steps}
        for i, verdict in enumerate(["breaking", "breaking", "changed", "unchanged", "unchanged"])
    ]  # fmt: skip
    located = {"test": scenarios[0]["test"], "operation": "clarus POST /goods_outs", **steps[0]["differences"][0]}
    return {
        "pickconform_version": "0.1.0", "target": "reference (mutant m)", "baseline": "golden", "seconds": 1.0,
        "summary": {"scenarios": 5, "breaking": 2, "changed": 1, "unchanged": 2, "skipped": 0, "not_resent": 1,
                    "verdict": "breaking"},
        "requirements": [{"id": rid, "title": "t", "verdict": "breaking", "paths": ["$.data"],
                          "tests": [{"test": s["test"], "verdict": s["verdict"], "reason": ""} for s in scenarios],
                          "changes": [located]} for rid in ("CLARUS-GO-JSONAPI", "CLARUS-GO-REQUIRED")],
        "operations": [{"operation": "clarus POST /goods_outs", "verdict": "breaking",
                        "tests": [s["test"] for s in scenarios], "paths": ["$.data"], "changes": [located]}],
        "scenarios": scenarios,
        "not_resent": [{"cassette": "f.json", "test": "tests/conformance/clarus/test_fuzz.py::test_operation[x]",
                        "family": "clarus", "requirements": ["CLARUS-SCHEMA"], "reason": "a fuzzing cassette: why"}],
    }  # fmt: skip


def test_the_diff_page_shows_whole_badges_separate_columns_one_kind_per_tile_and_what_was_not_resent(
    chromium: str, tmp_path: Path
) -> None:
    html = render_diff(_diff_document())
    assert 'id="not-resent"' in html and "a fuzzing cassette: why" in html and "test_fuzz.py::test_operation[x]" in html
    script = (
        "var clipped = [];"
        " d.querySelectorAll('.badge').forEach(function (b) {"
        "   var wrapped = b.getBoundingClientRect().height > 22;"  # one line of 11 px text, whole
        "   if (b.getClientRects().length && (wrapped || b.scrollWidth > b.clientWidth + 1)) {"
        "     clipped.push(b.textContent); } });"
        " var overlaps = 0;"
        " d.querySelectorAll('details.row > summary').forEach(function (s) {"
        "   var boxes = Array.prototype.map.call(s.children, function (c) { return c.getBoundingClientRect(); });"
        "   for (var i = 0; i < boxes.length; i++) { for (var j = i + 1; j < boxes.length; j++) {"
        "     var a = boxes[i], b = boxes[j];"
        "     if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1"
        "         && b.top < a.bottom - 1) { overlaps += 1; } } } });"
        " d.querySelector('button[data-only=breaking]').click();"
        " var shown = Array.prototype.filter.call(d.querySelectorAll('[data-row]'),"
        "   function (r) { return !r.hidden; });"
        " var kinds = shown.map(function (r) { return r.getAttribute('data-kind'); });"
        " return JSON.stringify({clipped: clipped, overlaps: overlaps, shown: shown.length, kinds: kinds});"
    )
    found = json.loads(probe(chromium, html, 1400, script, tmp_path))
    assert not found["clipped"], f"clipped badges: {found['clipped']}"
    assert found["overlaps"] == 0, "a row's id, node id and meta overlap"
    assert found["shown"] == 2 and set(found["kinds"]) == {"scenario"}, f"the 'breaking 2' tile shows {found}"


# --- cucumber.json ---------------------------------------------------------------------------------------------

FEATURE = {"keyword": "Feature", "name": "Picks", "filename": "/r/features/picks.feature",
           "rel_filename": "picks.feature", "language": "en", "line_number": 2, "description": "",
           "tags": ["api:x"]}  # fmt: skip


def _scenario(name: str, outcome: str, failed_at: int | None = None, steps: int = 3) -> dict[str, Any]:
    return {
        "keyword": "Scenario", "name": name, "line_number": 5, "tags": ["req:X-1"], "description": "",
        "feature": FEATURE, "outcome": outcome, "test": f"tests/x.py::test_{name}", "error_message": "boom",
        "steps": [{"name": f"step {i}", "type": "given", "keyword": "Given", "line_number": 6 + i,
                   "failed": failed_at is not None and i >= failed_at, "duration": 0.25} for i in range(steps)],
    }  # fmt: skip


def test_as_cucumber_writes_one_element_per_scenario_with_each_steps_result() -> None:
    (feature,) = as_cucumber([
        _scenario("ok", "passed"), _scenario("broken", "failed", failed_at=1), _scenario("recorded", "failed"),
        _scenario("skipped", "skipped", steps=2), _scenario("unset", "skipped", steps=0),
    ])  # fmt: skip
    assert feature["uri"] == "picks.feature" and feature["tags"] == [{"name": "api:x", "line": 1}]
    elements = {e["id"]: e for e in feature["elements"]}
    assert list(elements) == ["test_ok", "test_broken", "test_recorded", "test_skipped", "test_unset"]
    statuses = {name: [s["result"]["status"] for s in e["steps"]] for name, e in elements.items()}
    assert statuses == {
        "test_ok": ["passed"] * 3,
        "test_broken": ["passed", "failed", "skipped"],
        "test_recorded": ["passed", "passed", "failed"],  # violations recorded, judged after the last step
        "test_skipped": ["passed", "skipped"],
        "test_unset": [],
    }
    step = elements["test_broken"]["steps"][1]
    assert step["result"] == {"status": "failed", "duration": 250_000_000, "error_message": "boom"}
    assert set(elements["test_ok"]) == {"keyword", "id", "name", "line", "description", "tags", "type", "steps"}


def test_as_cucumber_matches_what_pytest_bdd_writes(tmp_path: Path) -> None:
    """The same scenarios through pytest-bdd's own --cucumberjson and through as_cucumber (durations aside)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "x.feature").write_text(textwrap.dedent("""\
        @api:x
        Feature: Picks
          @req:X-1
          Scenario Outline: Pick <n>
            Given a pick of <n>
            Then it is done

            Examples:
              | n |
              | 1 |
              | 2 |
        """))  # fmt: skip
    (tmp_path / "test_x.py").write_text(textwrap.dedent("""\
        from pytest_bdd import given, parsers, scenarios, then
        scenarios("x.feature")

        @given(parsers.parse("a pick of {n:d}"), target_fixture="n")
        def pick(n):
            return n

        @then("it is done")
        def done():
            pass
        """))  # fmt: skip
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""\
        import json
        from pytest_bdd.reporting import test_report_context_registry

        SEEN = []

        def pytest_runtest_logreport(report):
            context = test_report_context_registry.get(report)
            if context is not None and report.when == "call":
                SEEN.append({**context.scenario, "outcome": report.outcome, "test": context.name})

        def pytest_sessionfinish(session):
            with open("scenarios.json", "w") as out:
                json.dump(SEEN, out)
        """))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:pickconform", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--cucumberjson=bdd.json", "test_x.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def without_durations(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for feature in features:
            for element in feature["elements"]:
                for step in element["steps"]:
                    step["result"]["duration"] = 0
        return features

    theirs = json.loads((tmp_path / "bdd.json").read_text())
    ours = as_cucumber(json.loads((tmp_path / "scenarios.json").read_text()))
    assert len(ours[0]["elements"]) == 2
    assert without_durations(ours) == without_durations(theirs)
