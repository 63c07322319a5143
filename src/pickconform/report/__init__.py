"""The conformance report: one outcome per requirement, from what the tests found.

- **pass**: judged (some check of it applied to an exchange), and nothing was found against it;
- **fail**: the target broke a documented MUST (with the request, the response and the requirement);
- **warn**: the target departs from pickconform's interpretation where the documents are silent, or breaks a SHOULD
  (a `fail` under `--strict`);
- **skip**: not judged, with the reason (a capability or profile section missing, an operation not offered, a
  precondition the target did not reach, a test stopped before it reached the requirement, a test whose checks of
  it never applied: "not judged");
- **error**: the suite could not do its part (a set-up call was refused, the suite itself broke), with that call.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pickconform import __version__
from pickconform.catalogue import Requirement, family_notes
from pickconform.outcomes import OUTCOMES, Outcome
from pickconform.paths import SPECS

__all__ = [
    "FORMAT",
    "Finding",
    "TestOutcome",
    "Verdict",
    "add_reproduce_lines",
    "as_document",
    "as_junit",
    "as_markdown",
    "decision_text",
    "environment",
    "exit_status",
    "rerender",
    "summary_line",
    "test_counts",
    "tests_judged",
    "unexpected_inbound",
    "verdicts",
    "write",
]

FORMAT = 2  # of report.json (specs/report.schema.json); bump it when the document changes
EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 3  # 2 is a usage or profile error (the CLI's)
FAILING_TESTS = ("violated", "departed", "error")  # a test's outcome that earns a reproduce line and its evidence log


@dataclass(frozen=True)
class Finding:
    """One violation a test found: the requirement, what was wrong, and the exchange that shows it."""

    requirement: str
    message: str
    exchange: dict[str, Any] | None = None
    count: int = 1  # how many times the test found it
    soft: bool = False  # against a part no document states (an inferred constraint, a set-up operation): a warning

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "message": self.message,
            "exchange": self.exchange,
            "count": self.count,
            "soft": self.soft,
        }


@dataclass
class TestOutcome:
    __test__ = False  # a dataclass, not a pytest test class
    nodeid: str
    requirements: tuple[str, ...]
    outcome: str  # passed | failed | skipped (pytest's)
    reason: str = ""  # a skip's reason, or why the test could not judge
    findings: tuple[Finding, ...] = ()
    error: str = ""  # the suite could not do its part: set-up refused, or the suite broke
    stopped: str = ""  # the requirement whose violation stopped the test before it reached the others
    # a precondition the target did not reach, after the test had found something: the skip's reason ("" if none);
    # the requirements it found nothing against are skipped with it, as in a test that found nothing
    precondition: str = ""
    duration: float = 0.0
    stale_cassette: tuple[str, ...] = ()  # spec files changed since the replayed cassette was recorded
    scenario: dict[str, Any] = field(default_factory=dict)  # a Gherkin scenario's steps, for cucumber.json
    exchanges: int = 0  # how many exchanges with the target the test made
    # requests the notification receiver refused meanwhile, {"count", "examples"} (no verdict depends on them)
    unexpected_inbound: dict[str, Any] = field(default_factory=dict)
    data: tuple[str, ...] = ()  # which data the test used: set up through the API, or the profile's test_data
    outside: tuple[str, ...] = ()  # findings of requirements outside the --requirement selection, not counted
    log: dict[str, Any] = field(default_factory=dict)  # its exchanges and notifications (`report.evidence.test_log`)
    # requirement → how many exchanges its checks applied to (`verdict.judged`); None: not known (an older report)
    judged: dict[str, int] | None = None


@dataclass
class Verdict:
    requirement: Requirement
    status: str
    reason: str
    tests: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def judged(self) -> int:
        """How many exchanges the requirement's checks applied to, over all its tests."""
        return sum(t.get("judged", 0) for t in self.tests)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def _judged(outcome: TestOutcome, requirement: str) -> tuple[str, str]:
    """What one test says of one requirement: its status and reason."""
    own = sorted((f for f in outcome.findings if f.requirement == requirement), key=lambda f: f.soft)
    if own:
        return ("departed" if own[0].soft else "violated"), own[0].message
    if outcome.error:
        return "error", _first_line(outcome.error)
    if outcome.outcome == "skipped":
        return "skipped", _first_line(outcome.reason) or "skipped"
    if outcome.precondition:
        return "skipped", _first_line(outcome.precondition)
    if outcome.stopped and outcome.stopped != requirement:
        return "blocked", f"not judged: the test stopped on {outcome.stopped} first"
    if outcome.outcome == "failed" and not outcome.findings:  # failed with nothing to show for it: not judged
        return "blocked", _first_line(outcome.reason) or "not judged"
    if outcome.judged is not None and not outcome.judged.get(requirement):
        return "unjudged", f"not judged: {UNJUDGED.get(requirement, _UNJUDGED_DEFAULT)}"
    return "passed", ""


# Why a requirement whose tests ran was not judged: what its checks need and no exchange offered.
_UNJUDGED_DEFAULT = "none of its checks applied to an exchange of the tests that ran"
UNJUDGED = {
    **{
        f"{family}-REJECTS-INVALID": "no malformed request was answered other than with a 5xx"
        for family in ("CLARUS", "EMPORIX", "BUTLER")
    },
    "BUTLER-REJECTS-TRANSACTION": "no malformed request was answered other than with a 5xx",
    "EMPORIX-TENANT-PATTERN": "no request with a malformed tenant was answered other than with a 5xx",
    "EMPORIX-JOBID-PATTERN": "no request with a malformed jobId was answered other than with a 5xx",
    "EMPORIX-ERROR-BODY": "no error response was seen",
    "EMPORIX-ERROR-CODE": "no error response carrying a code was seen",
}


def _marked(log: dict[str, Any], requirement: str) -> dict[str, Any]:
    """A test's evidence log as one requirement shows it: the exchanges that violate it marked."""
    entries = [
        {k: v for k, v in e.items() if k != "violates"} | {"violating": requirement in e.get("violates", ())}
        for e in log.get("entries", [])
    ]
    return {**log, "entries": entries}


def verdicts(
    requirements: list[Requirement], outcomes: list[TestOutcome], strict: bool = False, unjudged: str | None = None
) -> list[Verdict]:
    """A finding against a requirement makes it fail (warn if it is soft and the run is not strict); a test that could
    not set up makes it error; a test that judged it without finding anything makes it pass; else it is skipped
    (`unjudged`: why no test of it ran, e.g. the run stopped at its time limit)."""
    result = []
    for requirement in requirements:
        tests: list[dict[str, Any]] = []
        evidence: list[dict[str, Any]] = []
        for outcome in outcomes:
            linked = requirement.id in outcome.requirements or any(
                f.requirement == requirement.id for f in outcome.findings
            )
            if not linked:
                continue
            status, reason = _judged(outcome, requirement.id)
            test = {"nodeid": outcome.nodeid, "outcome": status, "reason": reason, "exchanges": outcome.exchanges}
            if outcome.judged is not None:
                test["judged"] = outcome.judged.get(requirement.id, 0)
            tests.append(
                test
                | ({"data": list(outcome.data)} if outcome.data else {})
                | ({"outside_selection": list(outcome.outside)} if outcome.outside else {})
                | ({"log": _marked(outcome.log, requirement.id)} if outcome.log and status in FAILING_TESTS else {})
            )
            evidence += [
                {"nodeid": outcome.nodeid, **f.as_dict()} for f in outcome.findings if f.requirement == requirement.id
            ]
        by = {s: [t for t in tests if t["outcome"] == s] for s in ("violated", "departed", "error", "passed")}
        if by["violated"] or by["departed"]:
            first = (by["violated"] or by["departed"])[0]
            soft = (requirement.soft or not by["violated"]) and not strict
            status = Outcome.WARN if soft else Outcome.FAIL
            reason = f"{first['reason']} ({first['nodeid']})"
            if status is Outcome.WARN and requirement.basis == "interpretation":
                reason = f"departs from pickconform's interpretation ({requirement.decision}): {reason}"
            elif status is Outcome.WARN and not by["violated"]:
                reason = f"departs from pickconform's reading of what the documents leave open: {reason}"
            verdict = Verdict(requirement, status, reason, tests, evidence)
        elif by["error"]:
            first = by["error"][0]
            verdict = Verdict(requirement, Outcome.ERROR, f"{first['reason']} ({first['nodeid']})", tests)
        elif by["passed"]:
            verdict = Verdict(requirement, Outcome.PASS, _partly_judged(tests), tests)
        elif tests:
            reasons = sorted({t["reason"] or t["outcome"] for t in tests})
            verdict = Verdict(requirement, Outcome.SKIP, "; ".join(reasons), tests)
        else:
            verdict = Verdict(requirement, Outcome.SKIP, unjudged or "no test of this requirement ran", tests)
        result.append(verdict)
    return result


JUDGED_TESTS = ("passed", "violated", "departed")  # a test's outcome that judged the requirement


def tests_judged(tests: list[dict[str, Any]]) -> tuple[int, int]:
    """How many of a requirement's tests judged it, of how many ran for it."""
    return sum(t.get("outcome") in JUDGED_TESTS for t in tests), len(tests)


def _partly_judged(tests: list[dict[str, Any]]) -> str:
    """A pass some of whose tests judged nothing says so, and why: "6 of 12 tests judged; not judged: ..."."""
    judged, total = tests_judged(tests)
    if judged == total:
        return ""
    reasons = sorted(
        {(t["reason"] or t["outcome"]).removeprefix("not judged: ") for t in tests if t["outcome"] not in JUDGED_TESTS}
    )
    return f"{judged} of {total} tests judged; not judged: {'; '.join(reasons)}"


def exit_status(document: dict[str, Any]) -> int:
    """0 when nothing failed and nothing errored, 1 when anything failed, 3 when nothing failed but something
    errored (the suite could not judge everything it was asked to)."""
    summary = document["summary"]
    if summary[Outcome.FAIL]:
        return EXIT_FAIL
    return EXIT_ERROR if summary[Outcome.ERROR] else EXIT_OK


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def specs_digest(specs: Path = SPECS) -> str:
    """sha256 over every file under specs/ (its relative path and bytes, in path order): which contract judged."""
    digest = hashlib.sha256()
    for path in sorted(p for p in specs.rglob("*") if p.is_file()):
        digest.update(path.relative_to(specs).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment(started: datetime, duration: float) -> dict[str, Any]:
    """When the run really started (the wall clock, not the frozen one its values derive from), how long it took, and
    what judged: the versions of pickconform, Python, Schemathesis and Hypothesis, and the digest of the specs."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(duration, 1),
        "pickconform": __version__,
        "python": platform.python_version(),
        "schemathesis": _version("schemathesis"),
        "hypothesis": _version("hypothesis"),
        "specs_digest": specs_digest(),
    }


_HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*$")


def _anchor(heading: str) -> str:
    """A Markdown heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def _decision_sections(path: str) -> dict[str, tuple[str, str]]:
    """A DECISIONS.md's sections: anchor → (heading, text)."""
    try:
        text = (SPECS / path.removeprefix("specs/")).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}
    sections: dict[str, tuple[str, str]] = {}
    heading, lines = "", []  # type: ignore[var-annotated]
    for line in [*text.splitlines(), "## "]:
        match = _HEADING.match(line)
        if (match and len(match.group(1)) == 2) or line == "## ":
            if heading:
                sections[_anchor(heading)] = (heading, "\n".join(lines).strip())
            heading, lines = (match.group(2) if match else ""), []
        else:
            lines.append(line)
    return sections


def decision_text(decision: str, requirement: str = "", limit: int = 1200) -> str:
    """The text of the decision a requirement links (`specs/butler/DECISIONS.md#refusals`), quoted from its section:
    the paragraphs or list items that name the requirement where some do, else the whole section; "" when the link
    leads nowhere."""
    path, _, anchor = decision.partition("#")
    found = _decision_sections(path).get(anchor) if path else None
    if found is None:
        return ""
    heading, text = found
    blocks = [b.strip().removeprefix("- ") for b in re.split(r"\n\s*\n|\n(?=- )", text) if b.strip()]
    naming = [b for b in blocks if requirement and re.search(rf"\b{re.escape(requirement)}\b", b)]
    quoted = " ".join(" ".join(naming or blocks).split())
    if len(quoted) > limit:
        quoted = quoted[: limit - 1].rsplit(" ", 1)[0] + " …"
    return f"{heading}: {quoted}"


def as_document(items: list[Verdict], target: str, run: dict[str, Any], strict: bool = False) -> dict[str, Any]:
    summary = {status: sum(v.status == status for v in items) for status in OUTCOMES}
    families = {v.requirement.family for v in items}
    return {
        "format": FORMAT,
        "pickconform": __version__,
        "target": target,
        "run": run,
        "strict": strict,
        "summary": summary,
        "notes": {family: note for family, note in family_notes().items() if family in families},
        "requirements": [
            {
                "id": v.requirement.id,
                "family": v.requirement.family,
                "title": v.requirement.title,
                "statement": v.requirement.statement,
                "level": v.requirement.level,
                "basis": v.requirement.basis,
                "decision": v.requirement.decision,
                **(
                    {"decision_text": text}
                    if v.requirement.decision and (text := decision_text(v.requirement.decision, v.requirement.id))
                    else {}
                ),
                "source": v.requirement.source,
                "status": v.status,
                "reason": v.reason,
                "judged": v.judged,
                "tests": v.tests,
                "evidence": v.evidence,
            }
            for v in items
        ],
    }


def add_reproduce_lines(document: dict[str, Any]) -> None:
    """Each failing test's reproduce line (`pickconform.report.reproduce`), once the document says how the run was
    aimed (profile, mutant or variant, cassettes, seed and run id)."""
    from pickconform.report.reproduce import reproduce

    for requirement in document["requirements"]:
        for test in requirement["tests"]:
            if test["outcome"] in FAILING_TESTS:
                test["reproduce"] = reproduce(document, test["nodeid"])["cli"]


def summary_line(document: dict[str, Any]) -> str:
    s = document["summary"]
    return " · ".join(f"{s[status]} {status}" for status in OUTCOMES)


def environment_line(document: dict[str, Any]) -> str:
    """When the run really started, how long it took, and what judged (report.json `environment`)."""
    env = document.get("environment") if isinstance(document.get("environment"), dict) else {}
    if not env:
        return ""
    return (
        f"started {env.get('started')} · {env.get('duration_s')} s · Python {env.get('python')} · "
        f"Schemathesis {env.get('schemathesis')} · Hypothesis {env.get('hypothesis')} · "
        f"specs sha256 {str(env.get('specs_digest', ''))[:12]}"
    )


def test_counts(document: dict[str, Any]) -> dict[str, int]:
    """The tests behind the requirement counts: how many ran, and how many judged at least one requirement."""
    outcomes: dict[str, set[str]] = {}
    for r in document.get("requirements") or []:
        for t in r.get("tests") or []:
            outcomes.setdefault(str(t.get("nodeid")), set()).add(str(t.get("outcome")))
    judged = sum(bool(o & set(JUDGED_TESTS)) for o in outcomes.values())
    return {"tests": len(outcomes), "judged": judged}


def _judged_cell(r: dict[str, Any]) -> str:
    judged, total = tests_judged(r.get("tests") or [])
    return f"{judged}/{total}" if total else "-"


def as_markdown(document: dict[str, Any]) -> str:
    run = document["run"]
    counts = test_counts(document)
    lines = [
        f"# Conformance report: {document['target']}",
        "",
        f"pickconform {document['pickconform']} · seed {run['seed']} · run {run['run_id']}"
        f" · frozen clock {run['clock']} (the date every generated value derives from, not when the run took place)"
        f"{' · strict' if document.get('strict') else ''}",
        "",
    ]
    if env := environment_line(document):
        lines += [env, ""]
    lines += [
        f"**{summary_line(document)}** (requirements) · {counts['tests']} tests, {counts['judged']} of them judged "
        "something",
        "",
        *(f"> **{family}**: {note}\n" for family, note in (document.get("notes") or {}).items()),
        *_cassette_lines(document.get("cassettes")),
        *_inbound_lines(document.get("unexpected_inbound")),
    ]
    failing = [r for r in document["requirements"] if r["status"] in ("fail", "error")]
    if failing:
        lines += ["## Fails and errors", ""]
        lines += [f"- **{r['status'].upper()} {r['id']}** {r['title']}: {_cell(r['reason'])}" for r in failing]
        lines.append("")
    if "comparison" in document:
        from pickconform.report.compare import as_markdown as comparison_markdown

        lines += comparison_markdown(document["comparison"])
    lines += [
        "## Requirements",
        "",
        "| Requirement | Level | Basis | Status | Tests judged | Title | Reason |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in document["requirements"]:
        lines.append(
            f"| {r['id']} | {r['level']} | {r['basis']} | {r['status'].upper()} | {_judged_cell(r)} | {r['title']} "
            f"| {_cell(r['reason'])} |"
        )
    warnings = [r for r in document["requirements"] if r["status"] == "warn"]
    if warnings:
        lines += ["", "## Warnings: where the target reads the documents differently from pickconform", ""]
        for r in warnings:
            where = f" (decision: {r['decision']})" if r["decision"] else " (a SHOULD)"
            lines.append(f"- **{r['id']}**{where}: {r['reason'].replace(chr(10), ' ')}")
            if r.get("decision_text"):
                lines.append(f"  > {r['decision_text']}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cassette_lines(cassettes: dict[str, Any] | None) -> list[str]:
    if not cassettes:
        return []
    verb = "Recorded into" if cassettes["mode"] == "record" else "Replayed from"
    lines = [f"{verb} the cassettes in `{cassettes['directory']}`."]
    stale = cassettes["stale"]
    if stale:
        changed = sorted({name for names in stale.values() for name in names})
        lines.append(
            f"**{len(stale)} stale cassette(s)**: recorded with other specs ({', '.join(changed[:5])}); "
            "their verdicts judge the old contract. Re-record with `--record`."
        )
    return [*lines, ""]


def unexpected_inbound(outcomes: list[TestOutcome], leftover: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The requests the notification receiver refused during the run (wrong path or method, too large, a flood):
    counted for the reader, never a verdict. `leftover`: those after each process's last test report."""
    parts = [o.unexpected_inbound for o in outcomes if o.unexpected_inbound] + leftover
    count = sum(part.get("count", 0) for part in parts)
    if not count:
        return None
    return {"count": count, "examples": [line for part in parts for line in part.get("examples", [])][:20]}


def _inbound_lines(inbound: dict[str, Any] | None) -> list[str]:
    if not inbound:
        return []
    return [
        f"**{inbound['count']} unexpected inbound request(s)** reached the notification receiver and were refused "
        f"(no verdict depends on them), e.g. {inbound['examples'][0]}.",
        "",
    ]


def as_junit(outcomes: list[TestOutcome], document: dict[str, Any]) -> str:
    """JUnit XML from the collected outcomes (complete under xdist too): `<failure>` for a test that found a fail,
    `<error>` for one that could not do its part, `<skipped>` with the reason; each test's requirement IDs as
    properties. A test whose findings are all warnings passes, with them as properties."""
    failing = {r["id"] for r in document["requirements"] if r["status"] == "fail"}
    strict = bool(document.get("strict"))
    suite = ET.Element("testsuite", name="pickconform", tests=str(len(outcomes)))
    # The page counts requirements, junit.xml tests: the requirement counts travel with the suite, so the two match up.
    summary = ET.SubElement(suite, "properties")
    for status in OUTCOMES:
        value = str(document["summary"].get(status, 0))
        ET.SubElement(summary, "property", name=f"requirements.{status}", value=value)
    ET.SubElement(summary, "property", name="requirements", value=summary_line(document))
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for outcome in outcomes:
        classname, _, name = outcome.nodeid.rpartition("::")
        case = ET.SubElement(
            suite,
            "testcase",
            classname=classname.replace("/", ".").removesuffix(".py"),
            name=name,
            time=f"{outcome.duration:.3f}",
        )
        properties = ET.SubElement(case, "properties")
        for requirement in outcome.requirements:
            ET.SubElement(properties, "property", name="requirement", value=requirement)
        fails = [f for f in outcome.findings if f.requirement in failing and (strict or not f.soft)]
        for finding in outcome.findings:
            kind = "fail" if finding in fails else "warn"
            ET.SubElement(properties, "property", name=kind, value=f"{finding.requirement}: {finding.message}")
        if fails:
            counts["failures"] += 1
            element = ET.SubElement(case, "failure", message=f"[{fails[0].requirement}] {fails[0].message}"[:500])
            element.text = "\n\n".join(f"[{f.requirement}] {f.message}" for f in fails)
        elif outcome.error:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=_first_line(outcome.error)).text = outcome.error
        elif outcome.outcome == "skipped" or (outcome.outcome == "failed" and not outcome.findings):
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=_first_line(outcome.reason) or "not judged")
        elif outcome.precondition and not [f for f in outcome.findings if not f.soft]:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=_first_line(outcome.precondition))
        warnings = [f for f in outcome.findings if f not in fails]
        if warnings:  # CI views show a test's output, rarely its properties: a warning must be seen there too
            ET.SubElement(case, "system-out").text = "\n\n".join(
                f"WARN [{f.requirement}] {f.message}" for f in warnings
            )
    for key, value in counts.items():
        suite.set(key, str(value))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write(document: dict[str, Any], directory: Path, outcomes: list[TestOutcome] | None = None) -> list[Path]:
    """Write report.json, report.md and report.html (and, from the run's outcomes, junit.xml and cucumber.json);
    returns the files written. Each is written to a temp file and renamed, so an interrupted run leaves whole files."""
    from pickconform.report.cucumber import as_cucumber
    from pickconform.report.html import render_report

    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        "report.md": as_markdown(document),
        "report.html": render_report(document),
    }
    if outcomes is not None:
        files["junit.xml"] = as_junit(outcomes, document)
        scenarios = [{**o.scenario, "outcome": o.outcome, "error_message": o.reason} for o in outcomes if o.scenario]
        files["cucumber.json"] = json.dumps(as_cucumber(scenarios), indent=2, ensure_ascii=False) + "\n"
    written = []
    for name, text in files.items():
        path = directory / name
        temporary = path.with_name(f".{name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written


def rerender(directory: Path) -> list[Path]:
    """`pickconform report DIR`: report.md and report.html again from report.json (e.g. after an upgrade)."""
    document = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    from pickconform.report.html import render_report

    written = []
    for name, text in (("report.md", as_markdown(document)), ("report.html", render_report(document))):
        (directory / name).write_text(text, encoding="utf-8")
        written.append(directory / name)
    return written
