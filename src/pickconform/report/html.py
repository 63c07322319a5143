"""The HTML acceptance report (issue 12): one self-contained page for a run (`report.json`) or an upgrade check
(`diff.json`), to attach to an e-mail or keep as a CI artefact.

Self-contained because it is opened from wherever it was sent: the CSS, the SVG and the little JS are inline, nothing
is fetched. Pure functions of the document (and of `specs/butler/lifecycle.json` for the Butler diagrams), so the
report can be re-rendered from a stored report.json. Jinja2 with autoescape on: every value in the document came from
a target under test and is treated as hostile text. Only known fields of the run are shown (a profile may one day carry
more than it should: what is not listed here is never printed).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pickconform.http import redaction
from pickconform.outcomes import OUTCOMES, DiffVerdict
from pickconform.paths import SPECS
from pickconform.report.reproduce import profile_as_given
from pickconform.report.reproduce import reproduce as reproduce_test

DIFF_VERDICTS = tuple(DiffVerdict)  # worst first
FAILING_TESTS = ("violated", "departed", "error")  # a test's outcome that earns a "reproduce" line
JUDGED_TESTS = ("passed", "violated", "departed")  # a test's outcome that judged the requirement (report.JUDGED_TESTS)
TEMPLATES = Path(__file__).parent / "templates"
LIFECYCLE = SPECS / "butler" / "lifecycle.json"

# A body clipped upstream (pickconform.http.client._clip) ends with "... (N chars)"; a partly read one with " [note]".
_CLIPPED = re.compile(r"\.\.\. \((\d+) chars\)$")
_PARTIAL = re.compile(r" \[(response [^\[\]]*)\]$")
# The stream a lifecycle finding prints: "  2. order_information (butler_core:00000034): fulfillable/PROCESSING".
_STREAM_LINE = re.compile(r"^\s*\d+\.\s.*?(?:→|:)\s*([a-z_]+)(?:/[A-Z_]+)?\s*$")
_FORBIDDEN = re.compile(r"\b([a-z_]+) → ([a-z_]+) is not a transition")
_REQUEST = re.compile(r"stream of pick request (\S+?):")


# --- bodies and exchanges ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """A request or response body as shown: pretty-printed when it is JSON, with a note when it was clipped."""

    text: str
    json: bool = False
    note: str = ""


def reindent(text: str) -> str:
    """Indent JSON text that may be cut anywhere (a clipped body does not parse): a character scan that knows only
    strings and brackets, so the first 2000 characters of a large document are still readable."""
    out: list[str] = []
    depth = 0
    in_string = escaped = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif char in "{[":
            rest = text[i + 1 :].lstrip()
            if rest[:1] in ("}", "]"):  # an empty object or array stays on its line
                out.append(char + rest[0])
                i = len(text) - len(rest) + 1
                continue
            depth += 1
            out.append(char + "\n" + "  " * depth)
        elif char in "}]":
            depth = max(depth - 1, 0)
            out.append("\n" + "  " * depth + char)
        elif char == ",":
            out.append(",\n" + "  " * depth)
        elif char == ":":
            out.append(": ")
        elif not char.isspace():
            out.append(char)
        i += 1
    return "".join(out)


def body(value: Any) -> Body:
    """What a body looks like in the report: JSON pretty-printed, a clipped body marked as such."""
    if value is None or value == "":
        return Body("")
    if not isinstance(value, str):
        return Body(json.dumps(value, indent=2, ensure_ascii=False), json=True)
    text, notes = value, []
    if partial := _PARTIAL.search(text):
        text, notes = text[: partial.start()], [partial.group(1)]
    if clipped := _CLIPPED.search(text):
        text = text[: clipped.start()]
        notes.insert(0, f"truncated: the first {len(text)} of {clipped.group(1)} characters")
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        parsed = None
    else:
        if isinstance(parsed, dict | list):
            return Body(json.dumps(parsed, indent=2, ensure_ascii=False), json=True, note="; ".join(notes))
    if notes and text.lstrip()[:1] in ("{", "["):
        return Body(reindent(text.strip()), json=True, note="; ".join(notes))
    return Body(text, note="; ".join(notes))


def _headers(value: Any) -> list[tuple[str, str]]:
    """Headers as (name, value) rows, secrets masked again (cheap, and a report may come from an older writer)."""
    if isinstance(value, dict):
        items = {str(k): str(v) for k, v in value.items()}
    elif isinstance(value, list):
        items = {str(pair[0]): str(pair[1]) for pair in value if isinstance(pair, list | tuple) and len(pair) == 2}
    else:
        return []
    return list(redaction.headers(items).items())


def exchange(value: Any) -> dict[str, Any] | None:
    """An exchange of report.json ready for the template (request and response side by side)."""
    if not isinstance(value, dict):
        return None
    response_headers = _headers(value.get("response_headers"))
    return {
        "method": str(value.get("method") or ""),
        "url": str(value.get("url") or ""),
        "request_headers": _headers(value.get("request_headers")),
        "request_body": body(value.get("request_body")),
        "status": value.get("status"),
        "status_class": _status_class(value.get("status")),
        "response_headers": response_headers,
        "content_type": dict(response_headers).get("content-type", ""),
        "response_body": body(value.get("response_body")),
    }


def evidence_log(value: Any) -> dict[str, Any] | None:
    """A test's evidence log of report.json (`pickconform.report.evidence`) ready for the template: its exchanges as
    `exchange` shows them, with their curl lines, and its notifications, in order."""
    if not isinstance(value, dict) or not isinstance(value.get("entries"), list):
        return None
    entries = []
    for entry in value["entries"]:
        if not isinstance(entry, dict):
            continue
        if entry.get("kind") == "notification":
            text = str(entry.get("body") or "")
            shown = {k: str(entry.get(k) or "") for k in ("notification_id", "notification_type", "state", "order")}
            entries.append(
                {"kind": "notification", **shown, "body": body(text), "valid": entry.get("valid") is not False}
            )
        elif (view := exchange(entry)) is not None:
            entries.append({"kind": "exchange", "view": view, "curl": str(entry.get("curl") or "")})
        else:
            continue
        entries[-1]["violating"] = entry.get("violating") is True
    numbers = {k: value.get(k) if isinstance(value.get(k), int) else 0 for k in (
        "exchanges", "exchanges_omitted", "notifications", "notifications_omitted")}  # fmt: skip
    return {**numbers, "entries": entries}


def _status_class(status: Any) -> str:
    return f"s{status // 100}xx" if isinstance(status, int) and 100 <= status < 600 else "snone"


# --- the Butler lifecycle ---------------------------------------------------------------------------------------

BOX_W, BOX_H, COL, ROW, MARGIN, LEFT, TOP = 136, 38, 204, 84, 14, 36, 48
LOOP = 30  # how far a self-loop rises above its box


@dataclass
class Diagram:
    """The lifecycle laid out once: state boxes in columns by their distance from the initial state, and a path per
    transition routed around the boxes it would cross."""

    width: int
    height: int
    initial: str
    states: dict[str, dict[str, Any]]  # name → x, y, status, terminal, unknown
    edges: list[dict[str, Any]]  # from, to, trigger, d, lx, ly
    transitions: set[tuple[str, str]] = field(default_factory=set)
    top: float = 0.0  # the viewBox's top: a path bent upwards may leave the area of the boxes


def _ranks(lifecycle: dict[str, Any]) -> dict[str, int]:
    """The longest distance of each state from the initial one (self-loops and cycles ignored)."""
    states = list(lifecycle.get("states", {}))
    initial = lifecycle.get("initial") or (states[0] if states else "")
    rank = dict.fromkeys(states, 0)
    edges = [(t.get("from"), t.get("to")) for t in lifecycle.get("transitions", []) if t.get("from") != t.get("to")]
    for _ in range(len(states)):  # Bellman-Ford style relaxation, bounded: a cycle cannot loop forever
        changed = False
        for a, b in edges:
            if a in rank and b in rank and b != initial and rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
                changed = True
        if not changed:
            break
    return rank


def _box_exit(x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a line from a box's centre in direction (dx, dy) leaves the box."""
    if dx == 0 and dy == 0:
        return x, y
    scale = min(BOX_W / 2 / abs(dx) if dx else math.inf, BOX_H / 2 / abs(dy) if dy else math.inf)
    return x + dx * scale, y + dy * scale


def _route(diagram: Diagram, a: str, b: str) -> tuple[str, float, float]:
    """An SVG path from state a to state b and where its label goes: a loop above the box for a→a, else the
    straightest quadratic curve that crosses no other box."""
    ax, ay = diagram.states[a]["x"], diagram.states[a]["y"]
    if a == b:
        top = ay - BOX_H / 2
        rise = top - LOOP
        d = f"M{ax - 16:.0f},{top:.0f} C{ax - 30:.0f},{rise:.0f} {ax + 30:.0f},{rise:.0f} {ax + 16:.0f},{top:.0f}"
        return d, ax, rise + 6
    bx, by = diagram.states[b]["x"], diagram.states[b]["y"]
    length = math.hypot(bx - ax, by - ay)
    nx, ny = -(by - ay) / length, (bx - ax) / length  # the normal, to bend along
    # What a path must not cross: the other boxes, and the loops above them.
    obstacles = [
        (s["x"] - BOX_W / 2 - 4, s["y"] - BOX_H / 2 - (LOOP if (name, name) in diagram.transitions else 4),
         s["x"] + BOX_W / 2 + 4, s["y"] + BOX_H / 2 + 4)
        for name, s in diagram.states.items() if name not in (a, b)
    ]  # fmt: skip
    for k in (0.0, -0.18, 0.18, -0.3, 0.3, -0.45, 0.45):  # straight first, then bent up or down, more and more
        cx, cy = (ax + bx) / 2 + nx * k * length, (ay + by) / 2 + ny * k * length
        points = [_bezier(ax, ay, cx, cy, bx, by, t / 24) for t in range(25)]
        crosses = any(x0 < px < x1 and y0 < py < y1 for px, py in points for x0, y0, x1, y1 in obstacles)
        if not crosses:
            break
    diagram.top = min(diagram.top, min(py for _, py in points) - 18)
    diagram.height = max(diagram.height, int(max(py for _, py in points) + 18))
    sx, sy = _box_exit(ax, ay, cx - ax, cy - ay)
    ex, ey = _box_exit(bx, by, cx - bx, cy - by)
    lx, ly = _bezier(sx, sy, cx, cy, ex, ey, 0.5)
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", lx, ly


def _wrap(label: str, width: int = 11) -> list[str]:
    """A trigger's name on lines short enough to sit between two boxes."""
    lines: list[str] = []
    for word in label.replace("_", " ").split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _bezier(ax: float, ay: float, cx: float, cy: float, bx: float, by: float, t: float) -> tuple[float, float]:
    u = 1 - t
    return u * u * ax + 2 * u * t * cx + t * t * bx, u * u * ay + 2 * u * t * cy + t * t * by


def diagram(lifecycle: dict[str, Any], extra_states: Iterable[str] = ()) -> Diagram:
    """Lay out the lifecycle; states observed but not in it (a target's invention) get a column of their own."""
    ranks = _ranks(lifecycle)
    unknown = [s for s in dict.fromkeys(extra_states) if s not in ranks]
    columns: dict[int, list[str]] = {}
    for state, rank in ranks.items():
        columns.setdefault(rank, []).append(state)
    if unknown:
        columns[max(columns, default=-1) + 1] = unknown
    rows = max((len(c) for c in columns.values()), default=1)
    terminal = set(lifecycle.get("terminal", []))
    states: dict[str, dict[str, Any]] = {}
    for column, names in sorted(columns.items()):
        for row, name in enumerate(names):
            states[name] = {
                "x": LEFT + BOX_W / 2 + column * COL,
                "y": TOP + BOX_H / 2 + row * ROW,
                "status": str(lifecycle.get("states", {}).get(name, {}).get("status", "")),
                "terminal": name in terminal,
                "unknown": name in unknown,
            }
    width = int(LEFT + MARGIN + BOX_W + max(len(columns) - 1, 0) * COL)
    height = int(TOP + BOX_H + (rows - 1) * ROW + 34)
    result = Diagram(width, height, str(lifecycle.get("initial", "")), states, [])
    drawn = [t for t in lifecycle.get("transitions", []) if t.get("from") in states and t.get("to") in states]
    result.transitions = {(t["from"], t["to"]) for t in drawn}
    for t in drawn:
        a, b = t["from"], t["to"]
        d, lx, ly = _route(result, a, b)
        trigger = str(t.get("trigger", ""))
        result.edges.append(
            {"from": a, "to": b, "trigger": trigger, "lines": _wrap(trigger), "d": d, "lx": lx, "ly": ly}
        )
    return result


@cache
def _lifecycle_file() -> dict[str, Any]:
    try:
        return json.loads(LIFECYCLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass
class Observed:
    """One pick request's path through the lifecycle, as its notifications reported it."""

    request: str
    states: list[str]
    forbidden: set[tuple[str, str]]
    tests: list[str]
    notifications: list[dict[str, Any]] = field(default_factory=list)


def observed_paths(evidence: list[dict[str, Any]], lifecycle: dict[str, Any]) -> list[Observed]:
    """The distinct paths in a requirement's evidence: from `notifications` where the report carries them, else from
    the stream a lifecycle finding prints; each starts at the initial state (the create call)."""
    initial = str(lifecycle.get("initial", ""))
    known = set(lifecycle.get("states", {}))
    transitions = {(t.get("from"), t.get("to")) for t in lifecycle.get("transitions", [])}
    found: dict[tuple[str, ...], Observed] = {}
    for item in evidence:
        message = str(item.get("message") or "")
        named = set(_FORBIDDEN.findall(message))
        streams: list[tuple[str, list[str], list[dict[str, Any]]]] = []
        notifications = [n for n in item.get("notifications") or [] if isinstance(n, dict)]
        if notifications:
            by_order: dict[str, list[dict[str, Any]]] = {}
            for n in notifications:
                by_order.setdefault(str(n.get("order") or ""), []).append(n)
            for order, listed in by_order.items():
                streams.append((order, [str(n["state"]) for n in listed if n.get("state")], listed))
        else:
            states = [m.group(1) for line in message.splitlines() if (m := _STREAM_LINE.match(line))]
            states = [s for s in states if s in known]
            request = _REQUEST.search(message)
            if states:
                streams.append((request.group(1) if request else "", states, []))
        for request, states, listed in streams:
            if initial and (not states or states[0] != initial):
                states = [initial, *states]
            pairs = set(itertools.pairwise(states))
            forbidden = {p for p in pairs if p not in transitions and p[0] != p[1]} | named
            key = (*states, "|", *sorted("→".join(p) for p in forbidden))
            path = found.setdefault(key, Observed(request, states, forbidden, [], listed))
            if item.get("nodeid") and item["nodeid"] not in path.tests:
                path.tests.append(str(item["nodeid"]))
    return list(found.values())


def lifecycle_view(evidence: list[dict[str, Any]], lifecycle: dict[str, Any], limit: int = 3) -> list[dict[str, Any]]:
    """Diagrams for a Butler requirement: the lifecycle with each observed path drawn on it (forbidden steps red),
    or the bare lifecycle when nothing was observed."""
    if not lifecycle.get("states"):
        return []
    paths = observed_paths(evidence, lifecycle)
    views = []
    for path in paths[:limit] or [None]:
        extra = [s for s in path.states if s not in lifecycle["states"]] if path else []
        layout = diagram(lifecycle, extra)
        steps = []
        if path:
            pairs = list(itertools.pairwise(path.states))
            unvisited = sorted(
                p for p in path.forbidden - set(pairs) if p[0] in layout.states and p[1] in layout.states
            )
            for index, (a, b) in enumerate([*pairs, *unvisited], start=1):
                forbidden = (a, b) in path.forbidden or ((a, b) not in layout.transitions and a != b)
                d, lx, ly = _route(layout, a, b)
                number = index if index <= len(pairs) else None
                steps.append({"index": number, "from": a, "to": b, "d": d, "lx": lx, "ly": ly, "forbidden": forbidden})
        views.append(
            {
                "layout": layout,
                "path": path,
                "steps": steps,
                "visited": list(dict.fromkeys(path.states)) if path else [],  # ordered: the same bytes every time
                "last": path.states[-1] if path else "",
                "more": max(len(paths) - limit, 0),
            }
        )
    return views


# --- the run report ---------------------------------------------------------------------------------------------


def _profile(run: dict[str, Any]) -> str:
    """The profile's name or file, never its content."""
    return profile_as_given(run)


def reproduce(document: dict[str, Any], requirement: str, nodeid: str) -> dict[str, str]:
    """How to run one failing test again (`pickconform.report.reproduce`)."""
    return reproduce_test(document, nodeid)


def _facts(document: dict[str, Any]) -> list[tuple[str, str]]:
    run = document.get("run") if isinstance(document.get("run"), dict) else {}
    facts = [("pickconform", str(document.get("pickconform") or document.get("pickconform_version") or ""))]
    facts += [(label, str(run[key])) for key, label in (("seed", "seed"), ("run_id", "run id"))
              if run.get(key) is not None]  # fmt: skip
    if run.get("clock") is not None:  # not when the run took place: the date every generated value derives from
        facts.append(("frozen clock", f"{run['clock']} (the values' date, not the run's)"))
    env = document.get("environment") if isinstance(document.get("environment"), dict) else {}
    if env.get("started"):
        facts.append(("started", str(env["started"])))
    if isinstance(env.get("duration_s"), int | float):
        facts.append(("duration", f"{env['duration_s']} s"))
    facts += [(label, str(env[key])) for key, label in (("python", "Python"), ("schemathesis", "Schemathesis"),
              ("hypothesis", "Hypothesis")) if env.get(key)]  # fmt: skip
    if env.get("specs_digest"):
        facts.append(("specs sha256", str(env["specs_digest"])[:16]))
    if profile := _profile(run):
        facts.append(("profile", profile))
    if document.get("strict"):
        facts.append(("strict", "yes: every warn counts as a fail"))
    cassettes = document.get("cassettes")
    if isinstance(cassettes, dict) and cassettes.get("mode"):
        verb = "recorded into" if cassettes["mode"] == "record" else "replayed from"
        stale = len(cassettes.get("stale") or {})
        facts.append(("cassettes", f"{verb} {cassettes.get('directory', '')}" + (f" ({stale} stale)" if stale else "")))
    inbound = document.get("unexpected_inbound")
    if isinstance(inbound, dict) and inbound.get("count"):
        facts.append(("unexpected inbound", f"{inbound['count']} refused by the receiver (no verdict depends on them)"))
    limits = document.get("limits")
    if isinstance(limits, dict):
        facts += [(f"limit: {k}", str(v)) for k, v in limits.items() if isinstance(v, int | float | str | bool)]
    return [(k, v) for k, v in facts if v]


def _bars(groups: dict[str, dict[str, int]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """One stacked bar per family: each outcome's share, with where it starts (percent)."""
    bars = []
    for name, counts in groups.items():
        total = sum(counts.values()) or 1
        start, segments = 0.0, []
        for outcome in order:
            if counts.get(outcome):
                share = 100 * counts[outcome] / total
                segments.append({"outcome": outcome, "count": counts[outcome], "x": start, "width": share})
                start += share
        bars.append({"name": name, "total": sum(counts.values()), "segments": segments, "counts": counts})
    return bars


def _requirement(document: dict[str, Any], item: dict[str, Any], lifecycle: dict[str, Any]) -> dict[str, Any]:
    evidence = [e for e in item.get("evidence") or [] if isinstance(e, dict)]
    tests = []
    for test in item.get("tests") or []:
        if not isinstance(test, dict):
            continue
        nodeid = str(test.get("nodeid") or "")
        failing = test.get("outcome") in FAILING_TESTS or (
            item.get("status") in ("fail", "warn", "error") and test.get("outcome") == "failed"
        )
        tests.append(
            {
                "nodeid": nodeid,
                "outcome": str(test.get("outcome") or ""),
                "reason": str(test.get("reason") or ""),
                "reproduce": reproduce(document, str(item.get("id")), nodeid) if failing and nodeid else None,
                "exchanges": test.get("exchanges") if isinstance(test.get("exchanges"), int) else 0,
                "data": [str(line) for line in test.get("data") or [] if isinstance(line, str)],
                "log": evidence_log(test.get("log")),
            }
        )
    return {
        "id": str(item.get("id") or ""),
        "family": str(item.get("family") or str(item.get("id", "")).split("-")[0].lower() or "other"),
        "title": str(item.get("title") or ""),
        "statement": str(item.get("statement") or ""),
        "level": str(item.get("level") or ""),
        "basis": str(item.get("basis") or ""),
        "decision": str(item.get("decision") or ""),
        "decision_text": str(item.get("decision_text") or ""),
        "judged": sum(t["outcome"] in JUDGED_TESTS for t in tests),
        "source": str(item.get("source") or ""),
        "status": str(item.get("status") or "skip"),
        "reason": str(item.get("reason") or ""),
        "tests": tests,
        "evidence": [
            {
                "nodeid": str(e.get("nodeid") or ""),
                "message": str(e.get("message") or ""),
                "count": e.get("count") if isinstance(e.get("count"), int) else 1,
                "soft": bool(e.get("soft")),
                "exchange": exchange(e.get("exchange")),
                "notifications": [n for n in e.get("notifications") or [] if isinstance(n, dict)],
            }
            for e in evidence
        ],
        "lifecycle": lifecycle_view(evidence, lifecycle) if item.get("family") == "butler" else [],
    }


def render_report(document: dict[str, Any], lifecycle: dict[str, Any] | None = None) -> str:
    """report.json as one HTML page: target and run, counts, a bar per family, then one expandable row per
    requirement with its evidence (filterable by outcome and family)."""
    lifecycle = _lifecycle_file() if lifecycle is None else lifecycle
    requirements = [_requirement(document, r, lifecycle) for r in document.get("requirements") or []]
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    counts = {o: int(summary.get(o, sum(r["status"] == o for r in requirements)) or 0) for o in OUTCOMES}
    families = _per_family(((r["family"], r["status"]) for r in requirements), OUTCOMES)
    verdict = "fail" if counts["fail"] else "error" if counts["error"] else "pass"
    tests: dict[str, set[str]] = {}
    for r in requirements:
        for t in r["tests"]:
            tests.setdefault(t["nodeid"], set()).add(t["outcome"])
    comparison = document.get("comparison") if isinstance(document.get("comparison"), dict) else None
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            document=document,
            failing=[r for r in requirements if r["status"] in ("fail", "error")],
            test_counts={"tests": len(tests), "judged": sum(bool(o & set(JUDGED_TESTS)) for o in tests.values())},
            comparison=_comparison(comparison) if comparison else None,
            target=str(document.get("target") or "unnamed target"),
            facts=_facts(document),
            counts=counts,
            outcomes=OUTCOMES,
            verdict=verdict,
            bars=_bars(families, OUTCOMES),
            requirements=requirements,
            lifecycle=diagram(lifecycle) if lifecycle.get("states") else None,
            any_butler=any(r["lifecycle"] for r in requirements),
        )
    )


def _comparison(comparison: dict[str, Any]) -> dict[str, Any]:
    """report.json's `comparison` for the page: counts per kind of change, and the requirements that changed."""
    from pickconform.report.compare import CHANGES

    summary = comparison.get("summary") if isinstance(comparison.get("summary"), dict) else {}
    baseline = comparison.get("baseline_run") if isinstance(comparison.get("baseline_run"), dict) else {}
    return {
        "baseline": str(comparison.get("baseline") or ""),
        "run_id": str(baseline.get("run_id") or ""),
        "started": str(baseline.get("started") or ""),
        "counts": [(str(c), int(summary.get(str(c)) or 0)) for c in CHANGES],
        "requirements": [
            {k: str(e.get(k) or "") for k in ("id", "change", "before", "after", "before_reason", "after_reason")}
            for e in comparison.get("requirements") or []
            if isinstance(e, dict)
        ],
    }


def _per_family(items: Iterable[tuple[str, str]], outcomes: Iterable[str]) -> dict[str, dict[str, int]]:
    """(family, outcome) pairs counted per family, every outcome present (the bars show zeros too)."""
    families: dict[str, dict[str, int]] = {}
    for family, outcome in items:
        group = families.setdefault(family, dict.fromkeys(outcomes, 0))
        group[outcome] = group.get(outcome, 0) + 1
    return families


# --- the upgrade report -----------------------------------------------------------------------------------------


def render_diff(document: dict[str, Any]) -> str:
    """diff.json as one HTML page in the report's style: baseline → target, counts, then requirements, operations and
    scenarios, each expanding to the JSON paths that differ (filterable by verdict and family)."""
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    scenarios = [s for s in document.get("scenarios") or [] if isinstance(s, dict)]
    counts = {v: int(summary.get(v, sum(s.get("verdict") == v for s in scenarios)) or 0) for v in DIFF_VERDICTS}
    family_of = {str(s.get("test")): str(s.get("family") or "other") for s in scenarios}
    families = _per_family(((str(s.get("family") or "other"), str(s.get("verdict"))) for s in scenarios), DIFF_VERDICTS)
    requirements = []
    for r in document.get("requirements") or []:
        tested = {family_of.get(str(t.get("test")), "other") for t in r.get("tests") or [] if isinstance(t, dict)}
        requirements.append({**r, "families": sorted(tested) or ["other"], **_grouped(r.get("changes"))})
    operations = []
    for o in document.get("operations") or []:
        tested = {family_of.get(str(t), "other") for t in o.get("tests") or []}
        operations.append({**o, "families": sorted(tested) or ["other"], **_grouped(o.get("changes"))})
    facts = [
        ("pickconform", str(document.get("pickconform_version") or "")),
        ("baseline", str(document.get("baseline") or "")),
        ("scenarios", str(summary.get("scenarios", len(scenarios)))),
        ("seconds", str(document.get("seconds", ""))),
    ]
    return (
        _env()
        .get_template("diff.html.j2")
        .render(
            document=document,
            target=str(document.get("target") or "unnamed target"),
            baseline=str(document.get("baseline") or ""),
            facts=[(k, v) for k, v in facts if v],
            counts=counts,
            outcomes=DIFF_VERDICTS,
            verdict=str(summary.get("verdict") or "unchanged"),
            bars=_bars(families, DIFF_VERDICTS),
            requirements=requirements,
            operations=operations,
            scenarios=[{**s, "family": str(s.get("family") or "other")} for s in scenarios],
            not_resent=[c for c in document.get("not_resent") or [] if isinstance(c, dict)],
        )
    )


def _grouped(changes: Any, limit: int = 40) -> dict[str, Any]:
    """A requirement's or an operation's changes, each distinct one once with the number of scenarios that showed it
    (diff.json repeats every change per requirement, per operation and per scenario: the page shows it grouped)."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for c in changes or []:
        if not isinstance(c, dict):
            continue
        key = tuple(str(c.get(k, "")) for k in ("operation", "path", "kind", "recorded", "new"))
        group = groups.setdefault(key, {**c, "tests": set()})
        group["tests"].add(str(c.get("test", "")))
    ordered = sorted(groups.values(), key=lambda g: (not g.get("breaking"), -len(g["tests"])))
    return {"grouped": ordered[:limit], "grouped_more": max(len(ordered) - limit, 0)}


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value comes from a target under test
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["body"] = body
    env.filters["exchange"] = exchange
    env.filters["anchor"] = lambda value: re.sub(r"[^A-Za-z0-9_.-]", "-", str(value))
    env.filters["num"] = lambda value: f"{value:.1f}"
    return env
