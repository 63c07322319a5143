"""Clarus checks shared by scenarios: refusals, and error codes wherever the profile says a vendor keeps them."""

from __future__ import annotations

import httpx

from pickconform.clarus.target import ClarusTarget
from pickconform.verdict import check, expect, pointer

# Code → (symbol, requirement). Seed 000 §Error Codes; 318 from the vendor's "Process and consolidate picks" page.
ERRORS = {
    36: ("empty_ids_provided", "CLARUS-ERR-36"),
    37: ("invalid_ids_provided", "CLARUS-ERR-37"),
    39: ("not_enough_stocks_for_picking", "CLARUS-ERR-39"),
    59: ("goods_out_already_allocated", "CLARUS-ERR-59"),
    318: ("goods_outs_with_different_pick_types_cannot_be_consolidated", "CLARUS-ERR-318"),
}


def refused(response: httpx.Response, requirement: str, what: str) -> None:
    """The target refused the request with a 4xx (not a 2xx, not a 5xx): the documents give no status for errors."""
    check(
        400 <= response.status_code < 500,
        requirement,
        f"{what}: expected a 4xx refusal, got {response.status_code}",
        response,
    )


def error_code(response: httpx.Response, target: ClarusTarget, code: int, requirement: str | None = None) -> None:
    """A 4xx carrying the numeric code (a string or a JSON number) and its symbol (seed 000 §Error Codes)."""
    symbol, default_requirement = ERRORS[code]
    requirement = requirement or default_requirement
    refused(response, requirement, f"error {code} {symbol}")
    try:
        document = response.json()
    except ValueError:
        document = None
    found_code = pointer(document, target.error_code_pointer)
    expect(
        found_code is not None and str(found_code) == str(code),
        requirement,
        f"expected error code {code} at {target.error_code_pointer}, found {found_code!r}",
        response,
    )
    found_symbol = pointer(document, target.error_symbol_pointer)
    expect(
        found_symbol == symbol,
        requirement,
        f"expected symbol {symbol} at {target.error_symbol_pointer}, found {found_symbol!r}",
        response,
    )
