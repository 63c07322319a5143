"""The cassette file: vcrpy's JSON format, one file per test, written atomically, with pickconform's additions.

Beside vcrpy's `interactions` (the test's outbound HTTP), a cassette holds `inbound` (requests the target sent to the
suite, each with its place among the outbound ones), `shared` (which interactions were made once per session),
`cases` (a fuzz test's Schemathesis cases) and `pickconform` (what it was recorded with: run, target, spec digests).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request
from vcr.serialize import CASSETTE_FORMAT_VERSION
from vcr.serializers import compat

from pickconform import __version__
from pickconform._compat import vcrpy as vcr_internals
from pickconform.determinism import RunContext
from pickconform.paths import SPECS

__all__ = [
    "CASES_KEY",
    "INBOUND_KEY",
    "LOADED",
    "METADATA_KEY",
    "SHARED_KEY",
    "AtomicPersister",
    "Metadata",
    "cassette_path",
    "recorded_run",
    "shared_exchanges",
    "spec_digests",
    "write_atomically",
]

METADATA_KEY = "pickconform"
INBOUND_KEY = "inbound"
SHARED_KEY = "shared"  # indices of the interactions made once per session (tokens, capabilities, callback)
CASES_KEY = "cases"  # a fuzz test's Schemathesis cases, in the order it ran them (see `pickconform.fuzzing`)


@dataclass(frozen=True)
class Metadata:
    """What a cassette was recorded with, stored beside its interactions."""

    run: RunContext
    target: str
    families: tuple[str, ...]
    # Per family, its role URLs' paths and tenant names (`pickconform.targets.slots.describe`): what `diff` re-bases
    # onto another target.
    slots: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.run.as_dict(),
            "target": self.target,
            "families": list(self.families),
            "pickconform_version": __version__,
            "specs": spec_digests(),
            "slots": self.slots,
        }


# Under specs/ but no contract of a target: the schema of pickconform's own report.json.
NOT_A_CONTRACT = frozenset({"report.schema.json"})


def spec_digests(specs: Path = SPECS) -> dict[str, str]:
    """sha256 of every file under specs/ that states a target's contract (relative POSIX path → digest): a change
    makes a recording stale."""
    return {
        path.relative_to(specs).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(specs.rglob("*"))
        if path.is_file() and path.relative_to(specs).as_posix() not in NOT_A_CONTRACT
    }


def cassette_path(directory: Path, nodeid: str) -> Path:
    """One file per test, named from its node id (readable, and unique: a digest disambiguates long or odd ids)."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.removeprefix("tests/conformance/"))[:120].strip("_")
    return directory / f"{readable}-{hashlib.sha256(nodeid.encode()).hexdigest()[:8]}.json"


class AtomicPersister:
    """vcrpy's filesystem persister, but written through a temp file in the same directory and `os.replace`d, and
    with the pickconform metadata beside the interactions."""

    def __init__(
        self,
        metadata: dict[str, Any] | None = None,
        shared: list[tuple[Request, Any]] | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self.metadata, self.read_only = metadata, read_only
        self.saved = False
        self.shared = list(shared or ())  # replay: every cassette's shared exchanges, offered to this one
        self.shared_indices: list[int] = []  # record: which of this cassette's interactions are shared
        self.loaded_metadata: dict[str, Any] = {}
        self.inbound: list[dict[str, Any]] = []  # record: filled while the test runs; replay: what was recorded
        self.cases: list[dict[str, Any]] | None = None  # a fuzz test's cases, recorded or to replay

    def load_cassette(self, cassette_path: str | os.PathLike[str], serializer: Any) -> tuple[list[Any], list[Any]]:
        path = Path(cassette_path)
        if not self.read_only or not path.is_file():
            raise CassetteNotFoundError()  # a recording starts empty: its interactions are exactly this run's
        document = json.loads(path.read_text(encoding="utf-8"))
        self.loaded_metadata = document.get(METADATA_KEY, {})
        self.inbound = list(document.get(INBOUND_KEY, []))
        self.cases = document.get(CASES_KEY)
        requests, responses = _interactions(document)
        # A shared exchange sits in whichever cassette needed it first; offering them all to every cassette (after
        # its own) makes a replay independent of test order, subset and xdist distribution.
        for request, response in self.shared:
            requests.append(request)
            responses.append(response)
        return requests, responses

    def save_cassette(
        self, cassette_path: str | os.PathLike[str], cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        if self.read_only:
            return  # a replay never rewrites what it replays
        # The format is vcrpy's JSON cassette; bodies that are not UTF-8 (fuzzing sends such) are stored as base64.
        document: dict[str, Any] = {
            "version": CASSETTE_FORMAT_VERSION,
            "interactions": [
                {
                    "request": _encoded(vcr_internals.request_to_dict(request), ("body",)),
                    "response": _encoded(response, ("body", "string")),
                }
                for request, response in zip(cassette_dict["requests"], cassette_dict["responses"], strict=True)
            ],
        }
        if self.inbound:
            document[INBOUND_KEY] = self.inbound
        if self.shared_indices:
            document[SHARED_KEY] = self.shared_indices
        if self.cases is not None:
            document[CASES_KEY] = self.cases
        if self.metadata is not None:
            document[METADATA_KEY] = self.metadata
        write_atomically(Path(cassette_path), json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        self.saved = True


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never a partial one (the rename is atomic within a filesystem)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is chosen before the file exists, so an interruption right after its creation still removes it.
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def shared_exchanges(directory: Path) -> list[tuple[Request, Any]]:
    """Every recorded exchange made once per session (see `shared`), from all cassettes."""
    found: dict[tuple[str, str, Any], tuple[Request, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        with contextlib.suppress(ValueError, KeyError, OSError, IndexError):
            document = json.loads(path.read_text(encoding="utf-8"))
            requests, responses = _interactions(document)
            for index in document.get(SHARED_KEY, []):
                request, response = requests[index], responses[index]
                found.setdefault((request.method, request.uri, request.body), (request, response))
    return list(found.values())


def _encoded(value: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    value = compat.convert_to_unicode(copy.deepcopy(value))
    holder = value
    for key in where[:-1]:
        holder = holder[key]
    body = holder.get(where[-1])
    if isinstance(body, bytes):  # still bytes after convert_to_unicode: not UTF-8
        holder[where[-1]] = {"base64": base64.b64encode(body).decode("ascii")}
    return value


def _decoded(value: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    holder = value
    for key in where[:-1]:
        holder = holder[key]
    body = holder.get(where[-1])
    if isinstance(body, dict) and "base64" in body:
        holder[where[-1]] = base64.b64decode(body["base64"])
    return value


LOADED = "_pickconform_loaded"  # on a request read from a cassette (and on vcrpy's deep copies of it)


def _interactions(document: dict[str, Any]) -> tuple[list[Request], list[dict[str, Any]]]:
    requests, responses = [], []
    for interaction in document["interactions"]:
        requests.append(vcr_internals.request_from_dict(_decoded(interaction["request"], ("body",))))
        setattr(requests[-1], LOADED, True)  # filtered when it was recorded (`Filters.request` passes it as it is)
        responses.append(compat.convert_to_bytes(_decoded(interaction["response"], ("body", "string"))))
    return requests, responses


def recorded_run(directory: Path) -> RunContext | None:
    """The seed, run id and clock a directory of cassettes was recorded with (replay must send the same values)."""
    for path in sorted(Path(directory).glob("*.json")):
        with contextlib.suppress(ValueError, KeyError, TypeError, OSError):
            meta = json.loads(path.read_text(encoding="utf-8"))[METADATA_KEY]
            return RunContext(int(meta["seed"]), str(meta["run_id"]), datetime.fromisoformat(meta["clock"]))
    return None
