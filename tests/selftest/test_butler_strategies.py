"""The strategies the Butler fuzz tests draw from instead of the spec's regexes stay inside the spec's language."""

from __future__ import annotations

import re

import yaml
from hypothesis import given, settings

from pickconform.butler import spec, strategies

FILTER_PARAMETER = yaml.safe_load(spec.OPENAPI.read_text())["components"]["schemas"]["FilterParameter"]


@settings(max_examples=300, database=None, derandomize=True)
@given(strategies.filter_parameters())
def test_every_drawn_filter_parameter_matches_the_specs_pattern(drawn: str) -> None:
    assert FILTER_PARAMETER["format"] == strategies.FILTER_PARAMETER_FORMAT
    assert re.search(FILTER_PARAMETER["pattern"], drawn), drawn
