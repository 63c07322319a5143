"""What never reaches a cassette, report or log: credentials and personal data. One set of rules, used everywhere."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"})
# Keys whose values are credentials (token endpoints, client credentials) or personal data (delivery addresses).
SECRET_KEYS = frozenset(
    {
        "access_token", "refresh_token", "id_token", "token", "client_secret", "password",
        "name", "address_1", "address_2", "address_3", "email_address", "email", "phone_number", "phone",
        "contact_name", "company_name",
    }
)  # fmt: skip
_FORM_SECRET = re.compile(r"((?:^|&)(?:client_secret|password|refresh_token|client_assertion)=)[^&]*")
# In text that does not parse as JSON (a body cut off at a limit or a deadline): a secret key's string value.
_TEXT_SECRET = re.compile(r'("(?:' + "|".join(sorted(SECRET_KEYS)) + r')"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)')

# A redacted Authorization header keeps the slot of the credential it carried, never the token (`Bearer
# <redacted:clarus/tenant>`), so `pickconform diff` can re-send the request with the same slot's credential of another
# target; the slot travels on the request (`pickconform.http.auth` names it), and a token no slot issued (malformed,
# expired) stays plain `<redacted>`.
_LABELLED = re.compile(r"Bearer <redacted(?::[^>]*)?>")


# The personal values the suite has sent in this process (`pickconform.personal`): whatever the target echoes back,
# in an error text, an echoed field or a header, is redacted too, not only the values under a personal key.
_SENT: set[str] = set()
_SENT_LOCK = threading.Lock()
_sent_pattern: re.Pattern[str] | None = None
_MIN_PERSONAL = 4  # shorter values would match inside unrelated text


def remember(*values: str) -> None:
    """Personal values the suite sends: redacted wherever they appear from now on."""
    global _sent_pattern
    new = {v for v in values if isinstance(v, str) and len(v) >= _MIN_PERSONAL and v != REDACTED} - _SENT
    if not new:
        return
    with _SENT_LOCK:
        _SENT.update(new)
        ordered = sorted(_SENT, key=len, reverse=True)  # a longer value before one it contains
        _sent_pattern = re.compile("|".join(re.escape(v) for v in ordered))


def scrub(value: str) -> str:
    """Any text (an error message, a header value) with every personal value the suite sent replaced."""
    pattern = _sent_pattern
    if pattern is None or not value:
        return value
    return pattern.sub(REDACTED, value)


def authorization(value: str, credential: str = "") -> str:
    """A redacted Authorization value: `Bearer <redacted:SLOT>` for a bearer token of a named credential slot, else
    `<redacted>` (idempotent)."""
    if _LABELLED.fullmatch(value):
        return value
    scheme, _, _ = value.partition(" ")
    return f"Bearer <redacted:{credential}>" if credential and scheme.lower() == "bearer" else REDACTED


def headers(items: dict[str, str], credential: str = "") -> dict[str, str]:
    """Headers with every secret value replaced; `credential`: the slot of the request's credential, if named."""
    return {
        k: (
            authorization(v, credential)
            if k.lower() == "authorization"
            else REDACTED
            if k.lower() in SECRET_HEADERS
            else scrub(v)
        )
        for k, v in items.items()
    }


def document(value: Any) -> Any:
    """A JSON document with every secret or personal value replaced (idempotent)."""
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_KEYS and v is not None else document(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [document(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def fragment(text: str) -> str:
    """The first bytes of a body cut off at a limit (not parseable as a whole): any secret key's value removed, and
    any personal value the suite sent."""
    return scrub(_TEXT_SECRET.sub(rf'\1"{REDACTED}"', text))


def body(text: str, content_type: str = "") -> str:
    """A request or response body with secrets removed; bodies that are neither JSON nor a form pass unchanged."""
    if "x-www-form-urlencoded" in content_type:
        return scrub(_FORM_SECRET.sub(rf"\1{REDACTED}", text))
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # a short text keeps what it shows, less any secret value in it
        return fragment(text) if len(text) < 200 else "<unparsed body>"
    return json.dumps(document(parsed), ensure_ascii=False)


def stored_body(raw: bytes | str | None, content_type: str = "") -> bytes | str | None:
    """A body as it is stored or compared (bytes or text, as given): `body`'s redaction, but the very same value when
    nothing in it was secret (JSON re-serialisation is not byte-exact, and an unchanged body must still match)."""
    if not raw:
        return raw
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    redacted = body(text, content_type)
    if redacted == text:
        return raw
    return redacted.encode() if isinstance(raw, bytes) else redacted
