"""A test's evidence log: its exchanges with the target, set-up calls included, and (Butler) the notifications the
receiver took meanwhile, in the order they happened, with the requirement's violating exchange marked and each
exchange as a copy-as-curl line.

Bounded: the first `HEAD` and the last `TAIL` exchanges of a test (the full count is kept), bodies clipped to `BODY`
characters, at most `NOTIFICATIONS` notifications. Redacted: exchanges as every exchange is (`pickconform.http.client.
Exchange`), notifications through `pickconform.http.redaction`; a curl line names each secret as an environment
variable, never its value.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from typing import Any

from pickconform.http import redaction
from pickconform.http.client import Exchange

__all__ = ["BODY", "HEAD", "NOTIFICATIONS", "TAIL", "curl", "env_var", "test_log"]

HEAD, TAIL = 10, 20  # exchanges kept of a test: how it set up, and how it ended
BODY = 1000  # characters of each body in the log (a finding's own exchange keeps the run's evidence limit)
NOTIFICATIONS = 40

_CLIPPED = re.compile(r"\.\.\. \((\d+) chars\)$")
_AUTHORIZATION = re.compile(r"(?:(\w+) )?<redacted(?::([^>]*))?>")
_NOT_REPLAYED = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})


def env_var(slot: str) -> str:
    """The environment variable a curl line reads a secret from: named after its credential slot (`clarus/tenant`
    → `CLARUS_TENANT_TOKEN`), or after the header it goes in."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", slot).strip("_").upper()
    return name if name.endswith("TOKEN") else f"{name}_TOKEN" if name else "TOKEN"


def curl(exchange: dict[str, Any]) -> str:
    """The exchange's request as a curl command: secrets as environment variables (`$CLARUS_TENANT_TOKEN`), values
    quoted for a POSIX shell. Personal data stays `<redacted>`: fill it in before sending."""
    parts = ["curl", "-X", shlex.quote(str(exchange["method"])), shlex.quote(str(exchange["url"]))]
    for name, value in exchange["request_headers"].items():
        header = re.sub(r"[^A-Za-z0-9-]", "", name)
        if header.lower() in _NOT_REPLAYED:
            continue
        secret = _AUTHORIZATION.fullmatch(value) if redaction.REDACTED[:-1] in value else None
        if secret is not None:
            scheme, slot = secret.group(1), secret.group(2) or ("" if header.lower() == "authorization" else header)
            parts += ["-H", f'"{header}: {scheme + " " if scheme else ""}${env_var(slot)}"']
        else:
            parts += ["-H", shlex.quote(f"{header}: {value}")]
    body = str(exchange.get("request_body") or "")
    if body:
        parts += ["--data-raw", _form_secrets(body) if _FORM_SECRET.search(body) else shlex.quote(body)]
    return " ".join(parts)


_FORM_SECRET = re.compile(r"(?:^|&)([A-Za-z_]+)=" + re.escape(redaction.REDACTED))


def _form_secrets(body: str) -> str:
    """A form body whose redacted secrets (a token request's client_secret) are read from the environment:
    `'grant_type=client_credentials&client_secret='"$CLIENT_SECRET"`."""
    quoted, start = [], 0
    for found in _FORM_SECRET.finditer(body):
        end = found.end() - len(redaction.REDACTED)
        quoted += [shlex.quote(body[start:end]), f'"${env_var(found.group(1)).removesuffix("_TOKEN")}"']
        start = found.end()
    quoted.append(shlex.quote(body[start:]) if body[start:] else "")
    return "".join(quoted)


def _clip(text: str, limit: int = BODY) -> str:
    """A body clipped to `limit` characters, saying how long it was (also when it came clipped already)."""
    if len(text) <= limit:
        return text
    found = _CLIPPED.search(text)
    return text[:limit] + f"... ({found.group(1) if found else len(text)} chars)"


def _key(exchange: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if not exchange:
        return None
    return tuple(exchange.get(k) for k in ("method", "url", "request_body", "status", "response_body"))


def _notification(received: Any) -> dict[str, Any]:
    document = redaction.document(received.notification)
    data = document.get("notification_data") if isinstance(document, dict) else None
    data = data if isinstance(data, dict) else {}
    requests = data.get("serviceRequests")
    first = requests[0] if isinstance(requests, list) and requests and isinstance(requests[0], dict) else {}
    state = data.get("state", first.get("state"))
    return {
        "kind": "notification",
        "notification_id": str(document.get("notification_id", "")) if isinstance(document, dict) else "",
        "notification_type": str(document.get("notification_type", "")) if isinstance(document, dict) else "",
        "state": state if isinstance(state, str) else None,
        "order": received.external_id,
        "valid": received.valid,
        "body": _clip(json.dumps(document, ensure_ascii=False), 2 * BODY),
    }


def test_log(
    exchanges: list[tuple[float, Exchange]], count: int, notifications: list[Any], findings: list[Any]
) -> dict[str, Any]:
    """The evidence log of one test: `count` exchanges in all, `notifications` as the Butler receiver keeps them
    (`Received`: notification, external_id, at, valid), those kept (`exchanges`, with when each was logged) and
    the notifications merged in time order; an exchange equal to a finding's is marked with its requirements."""
    violated: dict[tuple[Any, ...], list[str]] = {}
    for finding in findings:
        key = _key(finding.exchange)
        if key is not None:
            violated.setdefault(key, []).append(finding.requirement)
    timed: list[tuple[float, dict[str, Any]]] = []
    for at, exchange in exchanges:
        entry = dataclasses.asdict(exchange)
        violates = sorted(set(violated.get(_key(entry) or (), [])))
        entry |= {"request_body": _clip(exchange.request_body), "response_body": _clip(exchange.response_body)}
        timed.append((at, {"kind": "exchange", **entry, "curl": curl(entry), "violates": violates}))
    kept = notifications[-NOTIFICATIONS:]
    for received in kept:
        entry = _notification(received)
        named = entry["notification_id"]  # a lifecycle finding names the notifications it is about
        entry["violates"] = sorted({f.requirement for f in findings if named and named in f.message})
        timed.append((received.at, entry))
    timed.sort(key=lambda pair: pair[0])
    return {
        "exchanges": count,
        "exchanges_omitted": max(count - len(exchanges), 0),
        "notifications": len(notifications),
        "notifications_omitted": len(notifications) - len(kept),
        "entries": [entry for _, entry in timed],
    }
