"""GraphQL polling of pick processing requests: both documented query shapes, from specs/clarus/schema.graphql."""

from __future__ import annotations

import base64
import fnmatch
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync

from pickconform.paths import SPECS
from pickconform.reference.clarus import mutants as m
from pickconform.reference.clarus.store import ClarusStore
from pickconform.reference.mutants import Faults

MAX_PAGE = 100


def _as_value_type(value: Any, operand: Any) -> Any:
    """IdInputType operands are GraphQL IDs (strings): compare them with an integer column as integers."""
    if isinstance(value, int) and isinstance(operand, str):
        return int(operand) if operand.lstrip("-").isdigit() and len(operand) < 20 else operand
    if isinstance(value, int) and isinstance(operand, list):
        return [_as_value_type(value, item) for item in operand]
    return operand


def _matches(value: Any, condition: dict[str, Any]) -> bool:
    for operator, raw in condition.items():
        if raw is None:
            continue
        operand = _as_value_type(value, raw)
        text = value if isinstance(value, str) else str(value)
        if operator == "eq" and value != operand:
            return False
        if operator == "in" and value not in operand:
            return False
        if operator == "filled" and (value is not None) != operand:
            return False
        if operator in ("gt", "gteq", "lt", "lteq"):
            if value is None or type(value) is not type(operand):
                return False
            if not {"gt": value > operand, "gteq": value >= operand, "lt": value < operand, "lteq": value <= operand}[
                operator
            ]:
                return False
        if operator in ("like", "ilike"):
            pattern = str(operand).replace("%", "*").replace("_", "?")
            if operator == "ilike":
                text, pattern = text.lower(), pattern.lower()
            if not fnmatch.fnmatchcase(text, pattern):
                return False
        if operator == "between" and (len(operand) != 2 or not operand[0] <= text <= operand[1]):
            return False
        if operator == "from" and not text >= str(operand):
            return False
        if operator == "to" and not text <= str(operand):
            return False
    return True


def _cursor(node: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(f"ppr:{node['id']}".encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("ppr:"))
    except (ValueError, UnicodeDecodeError):
        return 0


class ClarusGraphQL:
    def __init__(self, store: ClarusStore, faults: Faults) -> None:
        self.store, self.faults = store, faults
        self.schema: GraphQLSchema = build_schema((SPECS / "clarus" / "schema.graphql").read_text())
        query = self.schema.query_type
        assert query is not None
        query.fields["pickProcessingRequests"].resolve = self._connection
        query.fields["pick_processing_requests"].resolve = self._namespace
        namespace = self.schema.type_map["PickProcessingRequestsNamespace"]
        namespace.fields["all"].resolve = self._connection  # type: ignore[attr-defined]

    def _namespace(self, _root: Any, info: Any) -> dict[str, Any]:
        if self.faults.active(m.GRAPHQL_SEED_SHAPE_ONLY):
            raise ValueError("Field 'pick_processing_requests' doesn't exist on type 'Query'")
        return {}

    def _connection(
        self,
        _root: Any,
        info: Any,
        filter: dict[str, Any] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        nodes = self.store.pick_processing_requests(info.context["tenant"])
        for field, condition in (filter or {}).items():
            if condition:
                nodes = [node for node in nodes if _matches(node.get(field), condition)]
        start = _after(after)
        nodes = [node for node in nodes if int(node["id"]) > start]
        size = max(0, min(first if first is not None else MAX_PAGE, MAX_PAGE))
        page = nodes[:size]
        if self.faults.active(m.STATUS_OUTSIDE_ENUM):
            page = [node | {"status": "in_progress"} if node["status"] == "pending" else node for node in page]
        return {
            "edges": [{"cursor": _cursor(node), "node": node} for node in page],
            "pageInfo": {"hasNextPage": len(nodes) > size, "endCursor": _cursor(page[-1]) if page else None},
        }

    def execute(
        self, tenant: str, query: str, variables: dict[str, Any] | None, operation: str | None
    ) -> dict[str, Any]:
        result = graphql_sync(
            self.schema, query, variable_values=variables, operation_name=operation, context_value={"tenant": tenant}
        )
        return result.formatted
