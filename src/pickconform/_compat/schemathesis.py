"""Schemathesis names that are not exported publicly (its public ones, such as `schemathesis.Response` and
`schemathesis.errors.FailureGroup`, are used directly elsewhere)."""

from __future__ import annotations

import schemathesis

from pickconform._compat import require

try:
    from schemathesis.core import NOT_SET
    from schemathesis.core.transport import status_code_matches
    from schemathesis.generation.hypothesis.builder import ApiOperationMark
    from schemathesis.generation.meta import CaseMetadata
except ImportError as error:  # pragma: no cover - only on an upgrade of Schemathesis
    require(False, "schemathesis", schemathesis.__version__, f"an internal name ({error})")

__all__ = ["NOT_SET", "ApiOperationMark", "CaseMetadata", "status_code_matches"]
