"""The personal data the suite sends (a goods out's delivery address), derived from the run, and how it is found
again: every value is remembered as it is made, so that redaction finds it wherever the target echoes it back (an error
text, an echoed field, a header), and `pickconform diff` regenerates the very values a recording sent where the
cassette keeps only `<redacted>`.

An address derives from the run (seed, run id, clock) and the goods out's reference, which the request carries in
clear: nothing else is needed to send the same address again.
"""

from __future__ import annotations

from typing import Any

from pickconform.determinism import RunContext
from pickconform.http import redaction

__all__ = ["delivery_address", "restore"]


def delivery_address(run: RunContext, reference: str) -> dict[str, str]:
    """The delivery address of the goods out with this reference, in this run (remembered for redaction)."""
    values = run.values(f"delivery-address\x1f{reference}")
    address = {
        "name": f"Customer {values.token('name', 6)}",
        "address_1": f"{values.integer('street', 1, 999)} Main Street",
        "postcode": "AB1 2CD",
        "country_code": "GB",
        "email_address": f"{values.token('email', 6)}@example.com",
        "phone_number": "+44 20 7946 0958",
    }
    redaction.remember(*(value for key, value in address.items() if key in redaction.SECRET_KEYS))
    return address


def restore(document: Any, run: RunContext) -> Any:
    """A recorded request body with its redacted delivery address regenerated (the same values the recording sent),
    so a re-sent request is the request that was recorded, not one carrying the placeholder."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        return document
    data = document["data"]
    attributes = data.get("attributes")
    address = ((data.get("relationships") or {}).get("address") or {}).get("data")
    fields = address.get("attributes") if isinstance(address, dict) else None
    if not isinstance(attributes, dict) or not isinstance(fields, dict) or redaction.REDACTED not in fields.values():
        return document
    original = delivery_address(run, str(attributes.get("reference", "")))
    restored = {
        key: original.get(key, value) if value == redaction.REDACTED else value for key, value in fields.items()
    }
    return {**document, "data": {**data, "relationships": {**data["relationships"], "address": {
        **data["relationships"]["address"], "data": {**address, "attributes": restored}}}}}  # fmt: skip
