"""The JSON Schema formats the specs use, checked the way their documents define them: one checker for the reference
(what it refuses) and for the suite's judging against the documents (what it calls documented)."""

from __future__ import annotations

from datetime import date, datetime

import jsonschema

__all__ = ["FORMATS"]

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    # RFC 3339: a date, a time and an offset (Z or ±hh:mm); fromisoformat alone also takes a bare date or no offset.
    if not isinstance(value, str):
        return True
    if len(value) < 20 or value[10] not in "Tt" or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
        raise ValueError(value)
    datetime.fromisoformat(value.replace("z", "Z"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError(value)
    return True
