"""The words of the verdicts, declared once: a requirement's outcome in a conformance report, and what the upgrade
check says of a scenario, requirement or operation. Both are str enums: the reports write their values."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OUTCOMES", "DiffVerdict", "Outcome"]


class Outcome(StrEnum):
    """A requirement's verdict (README, "Five outcomes")."""

    PASS = "pass"  # judged, and nothing was found against it
    FAIL = "fail"  # the target broke a documented MUST (or anything, under --strict)
    WARN = "warn"  # the target departs from an interpretation, or breaks a SHOULD
    SKIP = "skip"  # not judged, with the reason
    ERROR = "error"  # the suite could not do its part


OUTCOMES = tuple(Outcome)  # in the order the reports show them


class DiffVerdict(StrEnum):
    """What `pickconform diff` says of a scenario, requirement or operation, worst first."""

    BREAKING = "breaking"
    CHANGED = "changed"  # non-breaking: an added field, another order, changed prose
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
