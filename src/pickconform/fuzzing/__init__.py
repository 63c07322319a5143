"""Fuzzing with Schemathesis: the adapter that sends its cases through the suite's client and judges them on
requirements (`adapter`), the recorded cases that let a fuzz test replay offline (`cases`), the run's settings
(`settings`), and a test's cases sent concurrently (`pipeline`)."""

from __future__ import annotations

from pickconform.fuzzing.adapter import (
    INFERRED,
    SETUP,
    content_type_conformance,
    documented_status,
    fuzz_collection,
    fuzz_test,
    graphql,
    is_setup_operation,
    judge,
    judged_operations,
    negative_data_rejection,
    not_a_server_error,
    openapi,
    operation_for,
    response_schema_conformance,
    send,
    status_code_conformance,
)
from pickconform.fuzzing.cases import Cases, cassette_cases, decode_case, encode_case, follow_links
from pickconform.fuzzing.documented import documented_only, request_is_documented, response_is_documented
from pickconform.fuzzing.pipeline import LIVE_WIDTH, Pipeline
from pickconform.fuzzing.settings import FuzzSettings, current, fuzzing_with

__all__ = [
    "INFERRED",
    "LIVE_WIDTH",
    "SETUP",
    "Cases",
    "FuzzSettings",
    "Pipeline",
    "cassette_cases",
    "content_type_conformance",
    "current",
    "decode_case",
    "documented_only",
    "documented_status",
    "encode_case",
    "follow_links",
    "fuzz_collection",
    "fuzz_test",
    "fuzzing_with",
    "graphql",
    "is_setup_operation",
    "judge",
    "judged_operations",
    "negative_data_rejection",
    "not_a_server_error",
    "openapi",
    "operation_for",
    "request_is_documented",
    "response_is_documented",
    "response_schema_conformance",
    "send",
    "status_code_conformance",
]
