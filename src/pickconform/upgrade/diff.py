"""`pickconform diff`: re-send the recorded scenarios of a cassette directory to another implementation, in order and
with that target's own credentials, and compare its normalised responses with the recorded ones (the upgrade check).

How a recorded request reaches the new target (the slots each `pickconform.family.target.FamilyTarget` names): its
path is re-based from the recorded role URL (`clarus/rest`, `butler/control`, ...) onto the new target's; tenant
names map role for role; the credential slot its redacted Authorization header names (`Bearer
<redacted:clarus/tenant>`) becomes the new target's credential of that slot, and an unlabelled one (a malformed or
expired token) an invalid token, so a refusal stays a refusal. Token exchanges and the Butler callback registration
are not re-sent: the new target's own credentials and receiver are used. Identifiers the new target assigns replace
the recorded ones in later requests (`pickconform.upgrade.normalise`).

Asynchronous work: a read (GET, or a GraphQL query) that the recording repeated is a poll. It is re-sent until the new
answer matches the recording's final state or `poll_timeout` passes; each answer on the way must match a state the
recording saw at or after the current one (when it saw more than one), and the final state is read as often as the
recording read it. A single read that differs is re-read the same way, so a slower target is not a change.
Butler: request N is sent once as many notifications have arrived as the recording had received before it, and the
scenario's notifications are compared with the recorded ones, once per notification_id.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from pickconform.family.target import FamilyTarget
from pickconform.http import redaction
from pickconform.http.client import make_client
from pickconform.personal import restore
from pickconform.registry import registered
from pickconform.targets import Target
from pickconform.upgrade.baseline import Cassette, Recorded
from pickconform.upgrade.normalise import Difference, Kind, Scenario, clip, compare, verdict

POLL_INTERVAL = 0.05
NOTIFICATION_GRACE = 0.25  # seconds a notification that may be caused by the next request is waited for before it
# Sent where the recording carried a token no credential slot issued (a malformed or expired one): still refused.
INVALID_TOKEN = "Bearer pickconform-invalid"
_NOT_FORWARDED = frozenset(
    {"host", "content-length", "authorization", "connection", "accept-encoding", "user-agent", "cookie"}
)
_SLOT = re.compile(r"Bearer <redacted:([^>]+)>")


class SkipScenario(Exception):
    """The new target cannot play this scenario (a role, tenant or credential it lacks)."""


# --- results ----------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One recorded exchange (or a poll of several) re-sent, with what differed."""

    index: int
    operation: str
    request: str
    differences: list[Difference] = field(default_factory=list)
    attempts: int = 0
    note: str = ""  # why it was not re-sent

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "operation": self.operation,
            "request": self.request,
            "verdict": verdict(self.differences) if not self.note else "not re-sent",
            "attempts": self.attempts,
            "note": self.note,
            "differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class ScenarioResult:
    cassette: Cassette
    steps: list[Step] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return "skipped" if self.skipped else verdict([d for s in self.steps for d in s.differences])

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": self.cassette.test,
            "cassette": self.cassette.name,
            "family": self.cassette.family,
            "requirements": list(self.cassette.requirements),
            "verdict": self.verdict,
            "reason": self.skipped,
            "seconds": round(self.seconds, 3),
            "steps": [s.as_dict() for s in self.steps],
        }


# --- the new response -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The new target's response, redacted exactly as a recording would be."""

    status: int
    headers: dict[str, str]
    body: bytes

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        headers = redaction.headers({k.lower(): v for k, v in response.headers.items()})
        body = redaction.stored_body(response.content, headers.get("content-type", ""))
        return cls(response.status_code, headers, body if isinstance(body, bytes) else b"")


def _json(body: bytes) -> tuple[bool, Any]:
    if not body:
        return False, None
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):
        return False, None


def _media(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def compare_response(recorded: Recorded, answer: Answer, scenario: Scenario, origin: str = "") -> list[Difference]:
    """Status, content type and body (JSON by the rules of `pickconform.upgrade.normalise`, any other text by equality);
    `origin` is the operation, the identity of the numbers it assigns."""
    found = []
    if recorded.status != answer.status:
        found.append(Difference("status", Kind.STATUS, str(recorded.status), str(answer.status)))
    if _media(recorded.response_headers) != _media(answer.headers):
        found.append(
            Difference(
                "headers.content-type", Kind.CONTENT_TYPE, _media(recorded.response_headers), _media(answer.headers)
            )
        )
    recorded_json, recorded_doc = _json(recorded.response_body)
    new_json, new_doc = _json(answer.body)
    if recorded_json and new_json:
        found += compare(recorded_doc, new_doc, scenario, origin=origin)
    else:
        text = recorded.response_body.decode("utf-8", errors="replace")
        new_text = answer.body.decode("utf-8", errors="replace")
        if recorded_json != new_json or scenario.substitute_text(text) != new_text:
            found.append(Difference("$", Kind.BODY, clip(text), clip(new_text)))
    return found


# --- one family of the new target -------------------------------------------------------------------------------


class Rebase:
    """Maps one family's recorded requests onto the new target: role URLs, tenant names, credential slots."""

    def __init__(self, family: str, recorded: dict[str, Any], family_target: FamilyTarget) -> None:
        self.family, self.target = family, family_target
        self.recorded_roles = sorted(recorded["endpoints"].items(), key=lambda item: -len(item[1]))
        self.endpoints = {role: url.rstrip("/") for role, url in family_target.role_urls().items()}
        new_tenants = family_target.tenant_names()
        self.tenants = {name: new_tenants.get(role) for role, name in recorded["tenants"].items()}
        self.credentials = dict(family_target.credential_slots())

    def role_of(self, path: str) -> tuple[str, str] | None:
        for role, prefix in self.recorded_roles:
            if path == prefix or path.startswith(prefix + "/"):
                return role, path[len(prefix) :]
        return None

    def scenario(self) -> Scenario:
        """A fresh scenario, knowing the tenant names already (tenant for tenant)."""
        scenario = Scenario()
        for recorded, new in self.tenants.items():
            if new is not None:
                scenario.bind(recorded, new)
        return scenario

    def auth(self, recorded: Recorded) -> tuple[httpx.Auth | None, dict[str, str]]:
        value = recorded.headers.get("authorization")
        if value is None:
            return None, {}
        match = _SLOT.fullmatch(value)
        if match is None:
            return None, {"Authorization": INVALID_TOKEN}
        if match.group(1) not in self.credentials:
            raise SkipScenario(f"the target has no credential {match.group(1)}")
        return self.credentials[match.group(1)], {}


def _is_token_exchange(recorded: Recorded) -> bool:
    return recorded.method == "POST" and b"grant_type=" in recorded.body


def _graphql_field(body: bytes) -> str | None:
    ok, document = _json(body)
    query = document.get("query") if ok and isinstance(document, dict) else None
    if not isinstance(query, str):
        return None
    found = re.search(r"^\s*(query|mutation|subscription)?[^{]*\{\s*([A-Za-z_]\w*)", query)
    return f"{'mutation' if found and found.group(1) == 'mutation' else 'query'} {found.group(2) if found else '?'}"


def is_read(recorded: Recorded, role: str) -> bool:
    if recorded.method in ("GET", "HEAD"):
        return True
    field_ = _graphql_field(recorded.body) if role == "graphql" else None
    return field_ is not None and field_.startswith("query")


def operation(
    family_target: FamilyTarget, family: str, role: str, method: str, rest: str, body: bytes
) -> tuple[str, Any]:
    """The operation a request belongs to (`METHOD /template`, or the GraphQL root field), with its OpenAPI
    operation when the spec documents it (None otherwise)."""
    if role == "graphql":
        return f"{family} GraphQL {_graphql_field(body) or 'request'}", None
    spec = family_target.openapi_for(role, rest)
    found = None
    if spec is not None:
        from pickconform import fuzzing

        with contextlib.suppress(KeyError, LookupError):
            found = fuzzing.operation_for(spec, method, rest)
    if found is not None:
        template, documented = found
    else:  # undocumented (control protocols): identifiers shown as {…}
        template = "/".join("{…}" if any(c.isdigit() for c in part) else part for part in rest.split("/"))
        documented = None
    where = "" if role in ("base", "rest") else f"{role} "
    return f"{family} {method} {where}{template}", documented


def _schema_violation(documented: Any, method: str, url: str, status: int, headers: dict[str, str], body: bytes) -> str:
    """The first way a (redacted) response breaks its documented operation, or ''."""
    from schemathesis.errors import FailureGroup

    if str(status) not in set(documented.definition.raw.get("responses", {})):
        return f"status {status} is not documented"
    response = httpx.Response(status, headers=headers, content=body, request=httpx.Request(method, url))
    try:
        documented.validate_response(response)
    except (FailureGroup, AssertionError) as error:
        return (str(error).strip().splitlines() or ["does not match the spec"])[0][:300]
    except Exception:  # a validator's own trouble (an unresolvable schema) is no verdict on the target
        return ""
    return ""


# --- re-sending -------------------------------------------------------------------------------------------------


class Differ:
    """Re-sends scenarios to one target and compares; one instance per `pickconform diff` run."""

    def __init__(self, target: Target, *, poll_timeout: float = 5.0) -> None:
        self.target, self.poll_timeout = target, poll_timeout
        self.http = make_client("", target.wire, timeout=15.0)

    def close(self) -> None:
        self.http.close()

    def run(
        self, baseline: list[Cassette], progress: Callable[[ScenarioResult], None] | None = None
    ) -> list[ScenarioResult]:
        results = []
        for cassette in baseline:
            result = self.scenario(cassette)
            results.append(result)
            if progress is not None:
                progress(result)
        return results

    def scenario(self, cassette: Cassette) -> ScenarioResult:
        started = time.monotonic()
        result = ScenarioResult(cassette)
        family_target = self.target.families.get(cassette.family)
        if family_target is None:
            result.skipped = f"the target has no {cassette.family} API"
            return result
        rebase = Rebase(cassette.family, cassette.slots, family_target)
        scenario = rebase.scenario()
        try:
            inbox = _Inbox.for_target(cassette, family_target, scenario)
            self._play(cassette, rebase, scenario, result, inbox)
        except SkipScenario as skip:
            result.skipped, result.steps = str(skip), []
        result.seconds = time.monotonic() - started
        return result

    def _play(
        self, cassette: Cassette, rebase: Rebase, scenario: Scenario, result: ScenarioResult, inbox: _Inbox | None
    ) -> None:
        interactions = cassette.interactions
        index = 0
        while index < len(interactions):
            recorded = interactions[index]
            located = rebase.role_of(recorded.path)
            request = f"{recorded.method} {recorded.path}"
            if _is_token_exchange(recorded):
                result.steps.append(Step(index, "token endpoint", request, note="token exchange: not re-sent"))
                index += 1
                continue
            if located is None:
                result.steps.append(Step(index, "?", request, note="not under any endpoint of the recorded target"))
                index += 1
                continue
            role, rest = located
            if role not in rebase.endpoints:
                raise SkipScenario(f"the target has no {cassette.family} {role} endpoint")
            name, documented = operation(rebase.target, cassette.family, role, recorded.method, rest, recorded.body)
            if role == "control" and rest == "/callback":
                result.steps.append(Step(index, name, request, note="callback registration: the diff's own receiver"))
                index += 1
                continue
            # A repeated read is a poll: the identical recorded reads that follow are played together.
            end = index + 1
            if is_read(recorded, role):
                while end < len(interactions) and interactions[end].identity == recorded.identity:
                    end += 1
            if inbox is not None:
                inbox.wait(index)
            step = Step(index, name, request)
            run = interactions[index:end]
            send = self._sender(rebase, role, rest, recorded, scenario)
            if is_read(recorded, role):
                answer, url = self._poll(run, send, scenario, step)
            else:
                answer, url = self._once(recorded, send, scenario, step)
            if answer is not None and documented is not None:
                self._judge_schema(documented, recorded, answer, url, step)
            result.steps.append(step)
            index = end
        if inbox is not None:
            step = Step(len(interactions), f"{cassette.family} notifications", "inbound notifications")
            step.differences = inbox.compare()
            step.attempts = 1
            result.steps.append(step)

    def _sender(
        self, rebase: Rebase, role: str, rest: str, recorded: Recorded, scenario: Scenario
    ) -> Callable[[], tuple[Answer | Difference, str]]:
        """Build the new request once (learned values as known now) and return a function that sends it."""
        auth, extra = rebase.auth(recorded)
        segments = rest.split("/")
        path = "/".join(scenario.substitute_segment(s, segments[i - 1] if i else "") for i, s in enumerate(segments))
        pairs = parse_qsl(recorded.query, keep_blank_values=True)
        substituted_pairs = [(k, scenario.substitute(v, k)) for k, v in pairs]
        query = urlencode(substituted_pairs) if substituted_pairs != pairs else recorded.query
        url = rebase.endpoints[role] + path + (f"?{query}" if query else "")
        headers = {k: str(scenario.substitute(v, k)) for k, v in recorded.headers.items() if k not in _NOT_FORWARDED}
        headers.update(extra)
        body = recorded.body
        ok, document = _json(body)
        if ok:
            # The personal values the recording sent, regenerated from the run: never the placeholder.
            substituted = restore(scenario.substitute(document), self.target.run)
            if substituted != document:
                body = json.dumps(substituted, ensure_ascii=False).encode()
            scenario.remember_sent(document)
        for segment in rest.split("/"):  # a number in a path names something; it is no echo of a body value
            scenario.remember_sent(int(segment) if segment.isdigit() else segment)
        for key, value in parse_qsl(recorded.query):
            scenario.remember_sent(value, key)

        def send() -> tuple[Answer | Difference, str]:
            try:
                response = self.http.request(recorded.method, url, headers=headers, content=body or None, auth=auth)
            except httpx.HTTPError as error:
                return Difference("request", Kind.UNREACHABLE, "", f"{type(error).__name__}: {clip(str(error))}"), url
            return Answer.of(response), url

        return send

    def _once(
        self, recorded: Recorded, send: Callable[[], tuple[Answer | Difference, str]], scenario: Scenario, step: Step
    ) -> tuple[Answer | None, str]:
        answer, url = send()
        step.attempts = 1
        if isinstance(answer, Difference):
            step.differences.append(answer)
            return None, url
        step.differences += compare_response(recorded, answer, scenario, step.operation)
        return answer, url

    def _poll(
        self, run: list[Recorded], send: Callable[[], tuple[Answer | Difference, str]], scenario: Scenario, step: Step
    ) -> tuple[Answer | None, str]:
        states = _states(run)
        current, deadline = 0, time.monotonic() + self.poll_timeout
        strange: list[Difference] = []  # answers the recording never gave at that point of the poll
        best: tuple[int, list[Difference], Answer, Scenario] | None = None  # closest to the final state so far
        while True:
            answer, url = send()
            step.attempts += 1
            if isinstance(answer, Difference):
                step.differences.append(answer)
                return None, url
            attempts = []
            for position in range(current, len(states)):
                trial = scenario.copy()
                found = compare_response(states[position][0], answer, trial, step.operation)
                attempts.append((position, trial, found))
                if not any(d.breaking for d in found):
                    break
            position, trial, found = attempts[-1]
            if not any(d.breaking for d in found):
                current = position
                if current == len(states) - 1:
                    scenario.adopt(trial)
                    step.differences += _unique(strange + found + self._stay(states[-1], send, scenario, step))
                    return answer, url
            elif len(states) > 1:  # an answer the recording never gave: reported against the closest recorded state
                strange += min(
                    (compare_response(state, answer, scenario.copy(), step.operation) for state, _count in states),
                    key=lambda found: sum(d.breaking for d in found),
                )
            if position == len(states) - 1:  # compared with the final state: is it the closest answer yet?
                breaking = sum(d.breaking for d in found)
                if best is None or breaking < best[0]:
                    best = breaking, found, answer, trial
            if time.monotonic() >= deadline:
                # The deadline passed without the final state: the answer closest to it says what changed.
                if best is None:
                    best = 0, compare_response(states[-1][0], answer, scenario, step.operation), answer, scenario
                scenario.adopt(best[3])
                step.differences += _unique(strange + best[1])
                return best[2], url
            time.sleep(POLL_INTERVAL)

    def _stay(
        self,
        final: tuple[Recorded, int],
        send: Callable[[], tuple[Answer | Difference, str]],
        scenario: Scenario,
        step: Step,
    ) -> list[Difference]:
        """The recording read its final state `count` times: the new target must keep it as long."""
        found: list[Difference] = []
        for _ in range(final[1] - 1):
            answer, _url = send()
            step.attempts += 1
            found += (
                [answer]
                if isinstance(answer, Difference)
                else compare_response(final[0], answer, scenario, step.operation)
            )
        return found

    def _judge_schema(self, documented: Any, recorded: Recorded, answer: Answer, url: str, step: Step) -> None:
        """A response that breaks its documented operation where the recorded one did not: breaking."""
        new = _schema_violation(documented, recorded.method, url, answer.status, answer.headers, answer.body)
        if not new:
            return
        old = _schema_violation(
            documented, recorded.method, url, recorded.status, recorded.response_headers, recorded.response_body
        )
        if not old:
            step.differences.append(Difference("schema", Kind.SCHEMA, "conforms", new))


def _states(run: list[Recorded]) -> list[tuple[Recorded, int]]:
    """The distinct consecutive states a poll saw, each with how many reads saw it."""
    states: list[tuple[Recorded, int]] = []
    for recorded in run:
        if states:
            last = states[-1][0]
            as_answer = Answer(recorded.status, recorded.response_headers, recorded.response_body)
            if not compare_response(last, as_answer, Scenario()):
                states[-1] = (last, states[-1][1] + 1)
                continue
        states.append((recorded, 1))
    return states


def _unique(differences: list[Difference]) -> list[Difference]:
    return list(dict.fromkeys(differences))


# --- Butler notifications ---------------------------------------------------------------------------------------


class _Inbox:
    """The notifications the new target sends during one scenario, paced and compared against the recorded ones.

    Only notifications about this scenario's pick requests count, on both sides: a late one about another scenario's
    request (its external id, sent by the suite, says whose it is) may sit in this scenario's cassette or arrive
    during its re-sending, depending on timing. One without an external id (order_modification) counts always."""

    def __init__(
        self, receiver: Any, source: Any, recorded: list[dict[str, Any]], timeout: float, scenario: Scenario
    ) -> None:
        self.receiver, self.timeout, self.scenario = receiver, timeout, scenario
        self.external_id_of = source.external_id_of  # the family's notification source says whose a notification is
        parsed = [(int(entry.get("after", 0)), _parsed(entry)) for entry in recorded]
        self.recorded = _once_per_id(parsed)
        with receiver.condition:
            self.start = len(receiver.received)

    @classmethod
    def for_target(cls, cassette: Cassette, family_target: Any, scenario: Scenario) -> _Inbox | None:
        source = registered()[cassette.family].notifications  # the family's notification source, if it has one
        if source is None:
            return None
        if "callback" not in family_target.capabilities:
            return None  # the target cannot be told where to send them: outbound responses only
        return cls(family_target.receiver, source(), cassette.inbound, family_target.notification_timeout, scenario)

    def _ours(self, external_id: str | None) -> bool:
        return external_id is None or external_id in self.scenario.sent_strings

    def _mine(self) -> list[Any]:
        """This scenario's notifications so far, as the new target sent them."""
        return [r for r in self.receiver.received[self.start :] if self._ours(r.external_id)]

    def _expected(self, before: int | None = None) -> list[Any]:
        """The recorded notifications about this scenario's requests (that had arrived before request `before`)."""
        return [
            document
            for after, document in self.recorded
            if (before is None or after < before) and self._ours(self.external_id_of(document))
        ]

    def _arrived(self) -> int:
        return len(self._mine())

    def wait(self, index: int) -> None:
        """Before recorded request `index`: as many notifications as the recording had received by then. One recorded
        as arriving after `index` exchanges may also have been caused by request `index` itself (it raced that
        request's recording), so it is awaited for a short grace only; before the next request, in full."""
        certain, possible = len(self._expected(index)), len(self._expected(index + 1))
        with self.receiver.condition:
            if certain:
                self.receiver.condition.wait_for(lambda: self._arrived() >= certain, self.timeout)
            if possible > certain:
                self.receiver.condition.wait_for(lambda: self._arrived() >= possible, NOTIFICATION_GRACE)

    def compare(self) -> list[Difference]:
        expected = self._expected()
        with self.receiver.condition:
            self.receiver.condition.wait_for(lambda: self._arrived() >= len(expected), self.timeout)
            arrived = [redaction.document(r.notification) for r in self._mine()]
        found = compare(expected, arrived, self.scenario, "notifications", origin="notifications")
        return [
            replace(d, kind=Kind.UNRECORDED) if d.kind is Kind.EXTRA and d.path.count("[") == 1 else d for d in found
        ]


def _parsed(entry: dict[str, Any]) -> Any:
    ok, document = _json(str(entry.get("body", "")).encode())
    return document if ok else entry.get("body")


def _once_per_id(notifications: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """A redelivered notification (same notification_id) is the same notification: compared once."""
    seen, kept = set(), []
    for after, notification in notifications:
        key = notification.get("notification_id") if isinstance(notification, dict) else None
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        kept.append((after, notification))
    return kept
