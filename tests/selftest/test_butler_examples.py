"""Every JSON example of seed 004 validates against specs/butler, and the committed copies are the seed's own.

Two examples are not strict JSON, and the tests say so rather than hide it:
- `cancelled` (Order Information after cancellation) has a trailing comma after `attributes`: it is asserted to be
  invalid JSON, then validated with exactly that one comma removed;
- the `lot_id in [...]` filter example wraps a string over several lines (raw line breaks inside a JSON string):
  strict parsing is asserted to fail, then it is parsed with `strict=False` and validated; the filter pattern allows
  whitespace between list items, so the wrapped filter itself is valid.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pickconform.butler import spec
from pickconform.paths import ROOT

SEED = ROOT.parent / "shared" / "seeds" / "004_145f9721e9ab7864.txt"
EXAMPLES = spec.DIR / "examples"
INDEX = tomllib.loads((EXAMPLES / "index.toml").read_text())["example"]
TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def seed_examples(text: str) -> list[str]:
    """The seed's JSON examples: each starts at a line `{` and ends at the next line `}` (their indentation)."""
    lines, found, start = text.split("\n"), [], None
    for number, line in enumerate(lines):
        if line == "{" and start is None:
            start = number
        elif line == "}" and start is not None:
            found.append("\n".join(lines[start : number + 1]) + "\n")
            start = None
    return found


def parse(text: str, treatment: str) -> Any:
    if treatment == "":
        return json.loads(text)
    with pytest.raises(json.JSONDecodeError) as refused:
        json.loads(text)
    if treatment == "raw-line-break":
        assert refused.value.msg == "Invalid control character at"
        return json.loads(text, strict=False)
    assert treatment == "trailing-comma", f"unknown treatment {treatment!r}"
    assert refused.value.msg == "Expecting property name enclosed in double quotes"
    repaired, count = TRAILING_COMMA.subn(r"\1", text)
    assert count == 1, "exactly one trailing comma is documented"
    return json.loads(repaired)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seeds are not beside this checkout")
def test_committed_examples_are_the_seeds_own() -> None:
    extracted = seed_examples(SEED.read_text())
    assert len(extracted) == len(INDEX) == 22
    for example, text in zip(INDEX, extracted, strict=True):
        assert (EXAMPLES / example["file"]).read_text() == text, example["file"]


@pytest.mark.parametrize("example", INDEX, ids=[e["file"] for e in INDEX])
def test_example_validates(example: dict[str, str]) -> None:
    document = parse((EXAMPLES / example["file"]).read_text(), example["treatment"])
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in spec.validator(example["schema"]).iter_errors(document)]
    assert errors == []


def test_non_strict_examples_are_named_as_such() -> None:
    treated = {e["file"]: e["treatment"] for e in INDEX if e["treatment"]}
    assert treated == {"02_filter_lot_id_in.json.txt": "raw-line-break", "16_cancelled.json.txt": "trailing-comma"}
    assert all(Path(name).suffix == ".txt" for name in treated)


def test_item_picked_examples_cover_every_container_state() -> None:
    states = set()
    for example in INDEX:
        if example["file"].split("_", 1)[1].startswith("item_picked"):
            document = parse((EXAMPLES / example["file"]).read_text(), example["treatment"])
            data = document["notification_data"]
            for holder in [data, *data["serviceRequests"]]:
                states.update(c["state"] for c in holder.get("actuals", {}).get("containers", []))
    assert states == {"complete", "item_missing", "physically_damaged", "unscannable"}


def test_schema_status_follows_lifecycle() -> None:
    """The order_information schema ties each state to the status lifecycle.json gives it."""
    schema = json.loads((spec.NOTIFICATIONS / "order_information.schema.json").read_text())
    tied = {
        rule["if"]["$ref"].rsplit("/", 1)[1]: rule["then"]["properties"]["status"]["const"]
        for rule in schema["allOf"]
        if "if" in rule
    }
    assert tied == spec.lifecycle().status
    assert set(schema["$defs"]["state"]["enum"]) == set(spec.lifecycle().status)


@pytest.mark.parametrize(
    ("state", "status"), [("fulfillable", "FAILED"), ("complete", "PROCESSING"), ("cancelled", "PROCESSED")]
)
def test_a_status_that_contradicts_the_state_is_refused(state: str, status: str) -> None:
    document = parse((EXAMPLES / "10_fulfillable.json").read_text(), "")
    document["notification_data"].update(state=state, status=status)
    assert spec.notification_errors(document)


def test_a_renamed_envelope_field_is_refused() -> None:
    document = parse((EXAMPLES / "15_order_modification.json").read_text(), "")
    document["notificationId"] = document.pop("notification_id")
    assert any("notification_id" in error for error in spec.notification_errors(document))
