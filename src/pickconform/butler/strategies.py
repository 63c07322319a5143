"""Hypothesis strategies for the Butler fuzz tests, where generating from the spec alone is too slow. Kept apart from
`pickconform.butler.spec`, which the reference implementation imports too: it needs neither Hypothesis nor
Schemathesis."""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

__all__ = ["FILTER_PARAMETER_FORMAT", "filter_parameters", "register"]

FILTER_PARAMETER_FORMAT = "butler-filter-parameter"  # specs/butler/openapi.yaml, FilterParameter


def filter_parameters() -> st.SearchStrategy[str]:
    """Strings of seed 004's filter form, `key = 'value'` or `key in ['a', 'b']`, drawn directly: the same language as
    the FilterParameter pattern (which still validates them), without Hypothesis building it from the regex, which
    took most of a Butler fuzz run (its regex strategy filtered and padded each draw)."""
    space = st.sampled_from(["", " ", "  ", "\n"])
    key = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
    value = st.text(st.characters(exclude_characters="'\n", codec="utf-8"), max_size=12).map(lambda v: f"'{v}'")
    values = st.lists(st.tuples(space, value, space), min_size=1, max_size=4).map(
        lambda items: ",".join(f"{before}{v}{after}" for before, v, after in items)
    )
    equals = st.tuples(st.just("="), space, value).map("".join)
    within = st.tuples(st.just("in"), space, st.just("["), values, st.just("]")).map("".join)
    return st.tuples(space, key, space, equals | within, space).map("".join)


def register() -> None:
    """Schemathesis draws the FilterParameter format from `filter_parameters` (called by the Butler fuzz tests)."""
    schemathesis.openapi.format(FILTER_PARAMETER_FORMAT, filter_parameters())
