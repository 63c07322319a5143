"""Volatile values: which values another implementation may choose differently, and how `pickconform diff` compares
recorded and new responses. All the rules are here, in one place:

- **Echoes are compared by value.** A value the suite sent earlier in the scenario (a string under any key; an
  integer under the same key, plural or singular) must come back unchanged.
- **Identifiers the target assigned are compared by shape and consistency.** A value under an identifier key (`id`,
  `*_id`, `*Id`, `ids`, `*_reference(s)`, `cursor`, ...) that the suite did not send is *learned*: the recorded value
  maps to the new one, the same recorded value must map to the same new value everywhere in the scenario (and no two
  recorded values to one new value), and later requests carry the new value where they carried the recorded one
  (strings anywhere, also inside text such as a GraphQL query; integers only as a path segment or under an
  identifier key, since small numbers such as `1` are also quantities and constants).
- **Timestamps the target made up are compared by shape** (an RFC 3339 date-time on both sides).
- **Prose** (`message`, `detail`, `faultstring`, ...) may change: a non-breaking change. The identifiers it names
  are compared as identifiers, place by place: prose that differs only by them is unchanged.
- **Everything else must be equal.** A changed status code, content type, value or JSON type, a removed field, an
  array element missing or extra, a volatile value of another shape, an inconsistent identifier: breaking. An added
  field, an array whose elements are all there in another order: non-breaking, except where order is promised
  (`ORDERED`).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pickconform.outcomes import DiffVerdict

ID_KEY = re.compile(r"(?:^|_)(?:id|ids|reference|references|cursor)$|[a-z](?:Id|Ids|Cursor)$")
PROSE_KEYS = frozenset({"message", "detail", "details", "description", "faultstring", "error_description", "reason"})
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
# Learned strings shorter than this are replaced only as whole values, never inside text (too likely to collide).
MIN_EMBEDDED = 6
# Arrays whose order is a promise: Butler notifications arrive in lifecycle order (BUTLER-NOTIFY-ORDER).
ORDERED = frozenset({"notifications"})
_REORDER_LIMIT = 200
_MISSING = object()
_INDEX = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")  # a whole number in prose (split keeps it at the odd places)
_JSONAPI_RESOURCE = re.compile(
    r"\$\.(?:data|included)(?:\[\d+\])?"
)  # longer arrays are compared in order only (matching permutations is quadratic)


BREAKING, CHANGED, UNCHANGED = DiffVerdict.BREAKING, DiffVerdict.CHANGED, DiffVerdict.UNCHANGED


class Kind(StrEnum):
    """How a new response differs from the recorded one; every kind breaks the upgrade but those `NOT_BREAKING`."""

    STATUS = "status"
    CONTENT_TYPE = "content-type"
    REMOVED = "removed"
    TYPE = "type"
    VALUE = "value"
    LENGTH = "length"
    MISSING = "missing"
    EXTRA = "extra"
    # A notification the recording had not received when its scenario ended: a late one may have been recorded in
    # the next scenario's cassette, so it is reported, not counted as breaking. A missing or different one is.
    UNRECORDED = "unrecorded"
    FORMAT = "format"
    INCONSISTENT = "inconsistent"
    BODY = "body"
    SCHEMA = "schema"
    UNREACHABLE = "unreachable"
    ADDED = "added"
    REORDERED = "reordered"
    ORDER = "order"
    TEXT = "text"

    @property
    def breaking(self) -> bool:
        return self not in NOT_BREAKING


NOT_BREAKING = frozenset({Kind.UNRECORDED, Kind.ADDED, Kind.REORDERED, Kind.TEXT})


@dataclass(frozen=True)
class Difference:
    """One way a new response differs from the recorded one, at a JSON path (`$.data.id`) or `status`/`headers.*`."""

    path: str
    kind: Kind
    recorded: str = ""
    new: str = ""

    @property
    def breaking(self) -> bool:
        return self.kind.breaking

    def describe(self) -> str:
        change = f": {self.recorded} → {self.new}" if self.recorded or self.new else ""
        return f"{self.path} {self.kind}{change}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "breaking": self.breaking, "recorded": self.recorded,
                "new": self.new}  # fmt: skip


def verdict(differences: list[Difference]) -> str:
    if any(d.breaking for d in differences):
        return BREAKING
    return CHANGED if differences else UNCHANGED


def is_id_key(key: str) -> bool:
    return bool(ID_KEY.search(key))


def is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and bool(TIMESTAMP.fullmatch(value))


def _singular(key: str) -> str:
    return key[:-1] if key.endswith("s") else key


def _tag(value: Any) -> str | None:
    """Which values can be learned: strings and integers (booleans are not identifiers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return "str"
    if isinstance(value, int):
        return "int"
    return None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(value: Any) -> str:
    """What a volatile value is compared by: its JSON type, and for strings whether it is a date-time or empty."""
    if isinstance(value, str):
        return "date-time" if is_timestamp(value) else ("empty string" if not value else "string")
    return "integer" if _tag(value) == "int" else json_type(value)


def clip(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def hint(key: str) -> str:
    """The resource type an identifier key names (`product_id` → product, `orderIds` → order); '' for `id`."""
    base = re.sub(r"(?:_ids?|Ids?)$", "", key)
    return "" if base in ("id", "ids") else _singular(base).lower()


def _is_resource(scope: str) -> bool:
    """A JSON:API type, or the top-level id of a document: an identifier of a resource the scenario created."""
    return "$" not in scope or scope.endswith(("$.id", "$.data.id"))


@dataclass
class Scenario:
    """What one scenario has learned so far: recorded → new identifiers, and the values the suite sent.

    Strings are identifiers everywhere in the scenario. Numbers are identifiers per resource type (product 33 and
    goods out 33 are different things): the type is the JSON:API `type` beside an `id`, else where the number was
    found; a request names it by its key (`product_id`) or by the collection before it in a path (`/goods_outs/33`).
    """

    bindings: dict[tuple[str, str, Any], Any] = field(default_factory=dict)  # (scope, tag, recorded) → new
    reverse: dict[tuple[str, str, Any], Any] = field(default_factory=dict)  # (scope, tag, new) → recorded
    sent_strings: set[str] = field(default_factory=set)
    sent_ints: dict[int, set[str]] = field(default_factory=dict)  # value → singular keys it was sent under

    def copy(self) -> Scenario:
        return copy.deepcopy(self)

    def adopt(self, other: Scenario) -> None:
        self.bindings, self.reverse = other.bindings, other.reverse

    def bind(self, recorded: Any, new: Any, scope: str = "") -> bool:
        """Learn recorded → new; False if that contradicts what was learned (either direction, within the scope)."""
        tag, new_tag = _tag(recorded), _tag(new)
        if tag is None or new_tag is None:
            return True
        scope = scope if tag == "int" else ""
        key, back = (scope, tag, recorded), (scope, new_tag, new)
        if key in self.bindings:
            return self.bindings[key] == new
        if back in self.reverse and self.reverse[back] != recorded:
            return False
        self.bindings[key], self.reverse[back] = new, recorded
        return True

    def learned(self, value: Any, *, scope: str | None = None, named: str = "") -> tuple[bool, Any]:
        """The new value of a learned identifier. Numbers: in `scope` exactly when given; else the latest learned
        of the type `named` (a hint such as `product`), or with no hint the latest learned of any type."""
        tag = _tag(value)
        if tag == "str":
            found = self.bindings.get(("", tag, value), _MISSING)
            return (False, None) if found is _MISSING else (True, found)
        if tag != "int":
            return False, None
        if scope is not None:
            found = self.bindings.get((scope, tag, value), _MISSING)
            return (False, None) if found is _MISSING else (True, found)
        candidates = [(s, new) for (s, t, recorded), new in self.bindings.items() if t == tag and recorded == value]
        if named:
            candidates = [(s, new) for s, new in candidates if _singular(s).lower() == named]
        else:  # an unnamed number (`ids: [1]`) is the latest created resource, not a nested line's id
            candidates = [(s, new) for s, new in candidates if _is_resource(s)] or candidates
        return (True, candidates[-1][1]) if candidates else (False, None)

    def remember_sent(self, value: Any, key: str = "") -> None:
        """Note the suite's own values in a recorded request (learned ones are the target's, not the suite's)."""
        if isinstance(value, dict):
            for k, v in value.items():
                self.remember_sent(v, k)
        elif isinstance(value, list):
            for item in value:
                self.remember_sent(item, key)
        elif not self.learned(value, named=hint(key))[0]:
            if _tag(value) == "str":
                self.sent_strings.add(value)
            elif _tag(value) == "int":
                self.sent_ints.setdefault(value, set()).add(_singular(key))

    def substitute(self, value: Any, key: str = "") -> Any:
        """A recorded request value as it must be sent now: learned identifiers replaced by their new values."""
        if isinstance(value, dict):
            return {k: self.substitute(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(item, key) for item in value]
        if _tag(value) == "int" and not is_id_key(key):
            return value  # a quantity or a constant, not an identifier
        if _tag(value) == "int" and _singular(key) in self.sent_ints.get(value, set()):
            return value  # the suite sent this number under this key before it was learned: its own constant
        known, new = self.learned(value, named=hint(key))
        if known:
            return new
        if isinstance(value, str):
            return self.substitute_text(value)
        return value

    def substitute_text(self, text: str) -> str:
        """Learned strings inside a text (a GraphQL query, a path segment, prose) replaced by their new values."""
        for (_scope, tag, recorded), new in self.bindings.items():
            if tag == "str" and len(recorded) >= MIN_EMBEDDED and recorded in text and isinstance(new, str):
                text = text.replace(recorded, new)
        return text

    def same_prose(self, recorded: str, new: str) -> bool:
        """Prose names identifiers too ("already processed: 28"): the texts are the same but for learned strings,
        and for numbers that are, each in its place, a learned identifier and its new value. The same number may
        also be a quantity in the same text ("product 5 ...: 8 needed, 5 available"), so numbers are matched place by
        place, never replaced throughout."""
        before, after = _NUMBER.split(self.substitute_text(recorded)), _NUMBER.split(new)
        if len(before) != len(after):
            return False
        learned = {(was, now) for (_scope, tag, was), now in self.bindings.items() if tag == "int"}
        for index, (was, now) in enumerate(zip(before, after, strict=True)):
            if was != now and (index % 2 == 0 or (int(was), int(now)) not in learned):
                return False  # text around the numbers differs, or a number that is no learned identifier does
        return True

    def sent(self, value: Any, key: str) -> bool:
        """Whether the suite sent this value earlier in the scenario (a string anywhere, a number under this key)."""
        if _tag(value) == "str":
            return value in self.sent_strings
        return _tag(value) == "int" and _singular(key) in self.sent_ints.get(value, set())

    def substitute_segment(self, segment: str, collection: str = "") -> str:
        """A path segment; a number is named by the collection segment before it (`/goods_outs/33`)."""
        known, new = self.learned(segment)
        if not known and segment.isdigit():
            known, new = self.learned(int(segment), named=_singular(collection).lower())
        return str(new) if known else self.substitute_text(segment)


# --- comparing a recorded document with a new one ---------------------------------------------------------------


def compare(
    recorded: Any, new: Any, scenario: Scenario, path: str = "$", key: str = "", origin: str = ""
) -> list[Difference]:
    """Every difference between a recorded JSON document and the new one; learns identifiers into `scenario`.
    `origin` names the operation that answered it: an untyped number's identity is (operation, place)."""
    if isinstance(recorded, dict) and isinstance(new, dict):
        found: list[Difference] = []
        for k, v in recorded.items():
            where = f"{path}.{k}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else f"{path}[{json.dumps(k)}]"
            if k not in new:
                found.append(Difference(where, Kind.REMOVED, clip(v), ""))
            elif k == "id" and isinstance(recorded.get("type"), str) and _JSONAPI_RESOURCE.fullmatch(path):
                # A JSON:API resource object: its type scopes its id, in every operation that answers it.
                found += _compare_scalars(v, new[k], scenario, where, k, origin, recorded["type"])
            else:
                found += compare(v, new[k], scenario, where, k, origin)
        for k in new.keys() - recorded.keys():
            found.append(Difference(f"{path}.{k}", Kind.ADDED, "", clip(new[k])))
        return found
    if isinstance(recorded, list) and isinstance(new, list):
        return _compare_arrays(recorded, new, scenario, path, key, origin)
    return _compare_scalars(recorded, new, scenario, path, key, origin)


def _compare_arrays(
    recorded: list[Any], new: list[Any], scenario: Scenario, path: str, key: str, origin: str
) -> list[Difference]:
    if len(recorded) != len(new):
        return _align(recorded, new, scenario, path, key, origin)
    trial = scenario.copy()
    in_order = [d for index, (r, n) in enumerate(zip(recorded, new, strict=True))
                for d in compare(r, n, trial, f"{path}[{index}]", key, origin)]  # fmt: skip
    if not any(d.breaking for d in in_order) or len(recorded) > _REORDER_LIMIT:
        scenario.adopt(trial)
        return in_order
    # The same elements in another order: a change, breaking only where order is promised.
    matched, unused, reordered = scenario.copy(), list(range(len(new))), []
    for r in recorded:
        for position in unused:
            attempt = matched.copy()
            if not any(d.breaking for d in compare(r, new[position], attempt, path, key, origin)):
                matched = attempt
                unused.remove(position)
                reordered.append(position)
                break
        else:
            scenario.adopt(trial)
            return in_order
    scenario.adopt(matched)
    return [Difference(path, Kind.ORDER if path in ORDERED else Kind.REORDERED, "", f"order {reordered}")]


def _align(
    recorded: list[Any], new: list[Any], scenario: Scenario, path: str, key: str, origin: str
) -> list[Difference]:
    """Arrays of different lengths: which recorded elements are missing and which new ones are extra, matching
    elements in order (the first new one, from the last match on, that compares without a breaking difference)."""
    if max(len(recorded), len(new)) > _REORDER_LIMIT:
        return [Difference(path, Kind.LENGTH, f"{len(recorded)} items", f"{len(new)} items")]
    found, cursor, used = [], 0, set()
    for index, element in enumerate(recorded):
        for position in range(cursor, len(new)):
            attempt = scenario.copy()
            if not any(d.breaking for d in compare(element, new[position], attempt, f"{path}[{index}]", key, origin)):
                scenario.adopt(attempt)
                used.add(position)
                cursor = position + 1
                break
        else:
            found.append(Difference(f"{path}[{index}]", Kind.MISSING, clip(element), ""))
    found += [Difference(f"{path}[{i}]", Kind.EXTRA, "", clip(new[i])) for i in range(len(new)) if i not in used]
    return found


def _compare_scalars(
    recorded: Any, new: Any, scenario: Scenario, path: str, key: str, origin: str, scope: str | None = None
) -> list[Difference]:
    if json_type(recorded) != json_type(new):
        return [Difference(path, Kind.TYPE, f"{json_type(recorded)} {clip(recorded)}", f"{json_type(new)} {clip(new)}")]
    tag = _tag(recorded)
    # A number without a type beside it is scoped by where it is (the operation, and a place such as
    # `$.data.attributes.lines_changes[].id`), and is the learned one only when its key names the type (`product_id`):
    # a bare `id` elsewhere is a new identifier.
    where = scope if scope is not None else f"{origin} {_INDEX.sub('[]', path)}".strip()
    known, expected = scenario.learned(recorded, scope=where) if tag == "int" else scenario.learned(recorded)
    if tag == "int" and not known and scope is None and hint(key):
        known, expected = scenario.learned(recorded, named=hint(key))
    if known and (tag == "str" or is_id_key(key)):
        if new == expected:
            return []
        return [Difference(path, Kind.INCONSISTENT, f"{clip(recorded)} (seen as {clip(expected)} before)", clip(new))]
    echoed = scenario.sent(recorded, key)
    if not echoed and (is_timestamp(recorded) or (tag is not None and is_id_key(key))):
        if shape(recorded) != shape(new):
            return [Difference(path, Kind.FORMAT, f"{shape(recorded)} {clip(recorded)}", f"{shape(new)} {clip(new)}")]
        if is_id_key(key) and not scenario.bind(recorded, new, where):
            return [
                Difference(path, Kind.INCONSISTENT, clip(recorded), f"{clip(new)} (already the new value of another)")
            ]
        return []
    if recorded == new:
        return []
    if key in PROSE_KEYS and isinstance(recorded, str) and isinstance(new, str):
        return [] if scenario.same_prose(recorded, new) else [Difference(path, Kind.TEXT, clip(recorded), clip(new))]
    return [Difference(path, Kind.VALUE, clip(recorded), clip(new))]
