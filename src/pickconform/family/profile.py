"""Target profiles: a TOML file naming, per API family, where the target is and how to authenticate.

Secrets never live in the file: a profile names the environment variable that holds each one. Every problem with a
profile is a `ProfileError` whose message is one line naming the file, the table and the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pickconform.determinism import check_run_id
from pickconform.http.client import Limits
from pickconform.paths import FAMILIES
from pickconform.registry import family as registered_family

T = TypeVar("T")


class ProfileError(Exception):
    """A profile cannot be used; the message is a single line."""


@dataclass(frozen=True)
class TargetSettings:
    name: str = "remote"
    seed: int | None = None
    run_id: str | None = None  # unset: a fresh run id per run (README, "Run ids")
    max_response_bytes: int = 8 * 1024 * 1024  # decoded, per response: a larger one fails its exchange
    request_deadline: float = 30.0  # seconds, per request: from sending it to the last byte of the response
    evidence_chars: int = 4096  # of each body kept as evidence in the terminal and the reports

    def __post_init__(self) -> None:
        if self.max_response_bytes < 1024:
            raise ValueError("'max_response_bytes' must be at least 1024")
        if self.request_deadline <= 0:
            raise ValueError("'request_deadline' must be positive")
        if self.run_id is not None:
            check_run_id(self.run_id)  # it goes into every reference the suite sends

    @property
    def limits(self) -> Limits:
        """What one exchange with this target may cost."""
        return Limits(self.max_response_bytes, self.request_deadline, self.evidence_chars)


@dataclass(frozen=True)
class Profile:
    path: Path
    target: TargetSettings
    families: dict[str, Any] = field(default_factory=dict)


def load_profile(path: str | os.PathLike[str]) -> Profile:
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"target", *FAMILIES})
    if unknown:
        raise ProfileError(f"{path}: unknown table [{unknown[0]}] (expected target, {', '.join(FAMILIES)})")
    target = parse_table(document.get("target", {}), TargetSettings, f"{path}: [target]")
    families = {}
    for family in FAMILIES:
        if family in document:
            settings_cls = registered_family(family).Settings
            families[family] = parse_table(document[family], settings_cls, f"{path}: [{family}]")
    if not families:
        raise ProfileError(f"{path}: names no API family (add a [{'] or ['.join(FAMILIES)}] table)")
    return Profile(path=path, target=target, families=families)


def parse_table(table: Any, cls: type[T], where: str) -> T:
    """Build the dataclass `cls` from a TOML table, refusing unknown keys, missing values and wrong types."""
    if not isinstance(table, dict):
        raise ProfileError(f"{where} must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    for key in table:
        if key not in fields:
            raise ProfileError(f"{where}: unknown key '{key}' (expected one of: {', '.join(fields)})")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in table:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProfileError(f"{where}: missing '{name}'")
            continue
        values[name] = _convert(
            table[name], hints[name], f"{where[:-1]}.{name}]" if _is_table(hints[name]) else where, name
        )
    try:
        instance = cls(**values)
    except ValueError as exc:
        raise ProfileError(f"{where}: {exc}") from None
    return instance


def _is_table(hint: Any) -> bool:
    return any(dataclasses.is_dataclass(arg) for arg in (typing.get_args(hint) or (hint,)))


def _convert(value: Any, hint: Any, where: str, name: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(value, options[0], where, name)
    if dataclasses.is_dataclass(hint):
        return parse_table(value, hint, where)  # type: ignore[arg-type]
    if origin in (list, tuple):
        (item,) = typing.get_args(hint)[:1]
        if dataclasses.is_dataclass(item):  # an array of tables: each element is a table of its own
            if not isinstance(value, list):
                raise ProfileError(f"{where}: '{name}' must be a list of tables")
            items = [parse_table(v, item, f"{where[:-1]}[{i}]]") for i, v in enumerate(value)]  # type: ignore[arg-type]
            return tuple(items) if origin is tuple else items
        if not isinstance(value, list) or not all(isinstance(v, item) for v in value):
            raise ProfileError(f"{where}: '{name}' must be a list of {item.__name__}")
        return tuple(value) if origin is tuple else value
    if origin is dict:
        if not isinstance(value, dict):
            raise ProfileError(f"{where}: '{name}' must be a table, not {type(value).__name__}")
        return dict(value)
    expected = hint if isinstance(hint, type) else object
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # TOML writes 30 for 30.0
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ProfileError(f"{where}: '{name}' must be {expected.__name__}, not {type(value).__name__}")
    return value


def secret_from_env(variable: str, where: str) -> str:
    """Read a secret named by a profile; an unset variable is a profile error, an empty one too."""
    value = os.environ.get(variable, "")
    if not value:
        raise ProfileError(f"{where}: environment variable {variable} is not set")
    return value
