"""How a check fails: a `Violation` names the requirement, says what was expected, and shows the exchange."""

from __future__ import annotations

from typing import Any

import httpx

from pickconform.client import Exchange


class Violation(AssertionError):
    """The target broke a requirement. Rendered without a traceback: requirement, message, request and response."""

    def __init__(self, requirement: str, message: str, exchange: Exchange | httpx.Response | None = None) -> None:
        if isinstance(exchange, httpx.Response):
            exchange = Exchange.from_response(exchange)
        self.requirement, self.message, self.exchange = requirement, message, exchange
        text = f"[{requirement}] {message}"
        if exchange is not None:
            text += "\n" + exchange.describe()
        super().__init__(text)


class SetupFailed(AssertionError):
    """The target refused the data a scenario needs: the scenario cannot judge its requirement (all of the test's
    requirements fail, since nothing was verified)."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"setup failed: {what}\n{Exchange.from_response(response).describe()}")


def check(condition: object, requirement: str, message: str, exchange: Exchange | httpx.Response | None = None) -> None:
    if not condition:
        raise Violation(requirement, message, exchange)


def json_body(response: httpx.Response, requirement: str) -> Any:
    """The response's JSON, or a violation of `requirement` saying it was not JSON."""
    try:
        return response.json()
    except ValueError:
        raise Violation(requirement, "expected a JSON body", response) from None


def pointer(document: Any, path: str) -> Any:
    """Resolve a JSON pointer (RFC 6901); None when any step is missing."""
    current = document
    for raw in path.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current
