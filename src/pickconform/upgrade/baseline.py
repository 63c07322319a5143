"""The baseline of `pickconform diff`: the recorded scenarios of a cassette directory, as diff re-sends them."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pickconform import cassettes
from pickconform.paths import FAMILIES

# Fuzzing cassettes are not scenarios: their generated cases read lists and ids other tests created, so re-sent alone
# they would differ on any target. Their checks (schema, no 5xx) are the run's business.
FUZZING = re.compile(r"/test_fuzz\.py::")


class BaselineError(Exception):
    """The baseline directory cannot be diffed; the message is one line."""


@dataclass(frozen=True)
class Recorded:
    """One recorded exchange, as diff needs it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes

    @property
    def identity(self) -> tuple[Any, ...]:
        """Same identity, same request: a repeated read is a poll."""
        return self.method, self.path, self.query, self.body, self.headers.get("authorization")


@dataclass(frozen=True)
class Cassette:
    name: str
    test: str
    requirements: tuple[str, ...]
    family: str
    slots: dict[str, Any]
    interactions: list[Recorded]
    inbound: list[dict[str, Any]]


def _bytes(value: Any) -> bytes:
    if isinstance(value, dict) and "base64" in value:
        return base64.b64decode(value["base64"])
    if isinstance(value, str):
        return value.encode()
    return value or b""


def _first(headers: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): (v[0] if isinstance(v, list) and v else str(v)) for k, v in headers.items()}


def _recorded(interaction: dict[str, Any]) -> Recorded:
    request, response = interaction["request"], interaction["response"]
    parts = urlsplit(request["uri"])
    return Recorded(
        method=request["method"].upper(),
        path=parts.path,
        query=parts.query,
        headers=_first(request.get("headers", {})),
        body=_bytes(request.get("body")),
        status=int(response["status"]["code"]),
        response_headers=_first(response.get("headers", {})),
        response_body=_bytes(response.get("body", {}).get("string")),
    )


NOT_RESENT_FUZZING = (
    "a fuzzing cassette: its generated cases read lists and ids other tests created, so re-sent alone it would differ "
    "on any target; its checks (schema, no 5xx) are a run's (pickconform run)"
)


def load(
    directory: Path,
    families: Iterable[str] = FAMILIES,
    requirements: Iterable[str] = (),
    not_resent: list[dict[str, Any]] | None = None,
) -> list[Cassette]:
    """The cassettes of a directory, selected by family and requirement; a one-line `BaselineError` otherwise.
    `not_resent`: gets the selected cassettes diff does not re-send, each with the reason (the reports list them)."""
    if not directory.is_dir():
        raise BaselineError(f"--baseline {directory}: no such directory of cassettes")
    wanted_families, wanted = set(families), set(requirements)
    found, unlabelled, cassettes_seen = [], 0, 0
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            meta = document[cassettes.METADATA_KEY]
            interactions = [_recorded(i) for i in document["interactions"]]
        except (ValueError, KeyError, TypeError, OSError):
            continue  # not a pickconform cassette
        cassettes_seen += 1
        test = str(meta.get("test", ""))
        if not meta.get("slots") or not test:
            unlabelled += 1
            continue
        family = next((f for f in FAMILIES if test.startswith(f"tests/conformance/{f}/")), None)
        tested = tuple(meta.get("requirements", ()))
        if family not in wanted_families or (wanted and not wanted.intersection(tested)):
            continue
        if FUZZING.search(test):
            if not_resent is not None:
                not_resent.append(
                    {"cassette": path.name, "test": test, "family": family or "other",
                     "requirements": list(tested), "reason": NOT_RESENT_FUZZING}
                )  # fmt: skip
            continue
        if family not in meta["slots"]:
            continue
        found.append(
            Cassette(path.name, test, tested, family, meta["slots"][family], interactions, document.get("inbound", []))
        )
    if not cassettes_seen:
        raise BaselineError(f"--baseline {directory}: no pickconform cassette in it")
    if unlabelled and not found:
        raise BaselineError(
            f"--baseline {directory}: recorded without target slots (an older pickconform); re-record it with --record"
        )
    if not found:
        raise BaselineError(f"--baseline {directory}: no cassette of the selected families and requirements")
    return found
