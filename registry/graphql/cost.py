"""What one operation may cost, estimated before it runs and counted while it runs.

Depth and alias limits alone let 30 aliases of a depth-11 query over data elements and
their fields return 92 MB in 41 s on the 63-dataset demo. The estimate multiplies down
the selection: a field with ``first`` contributes that many nodes (a connection without
it, a default page), any other list field a typical fan-out (``LIST_GUESS``), a single
object one; aliases and fragments add up like the fields they stand for. An operation
estimated above ``max_cost`` is refused before execution with the estimate in the
message. The estimate can be wrong for an unusual registry, so nodes actually returned
are also counted (``RegistryContext.charge``) and an operation that goes past
``max_nodes`` is stopped with a clear error instead of growing without bound.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from registry.graphql.connection import DEFAULT_PAGE
from registry.service import InvalidInput

LIST_GUESS = 10
"""Assumed length of a list field without ``first`` (a dataset's fields, a system's
datasets): the demo's mean is below it."""


class TooCostly(InvalidInput):
    """An operation would return, or has returned, more than its limit allows."""


class _Estimate:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: Any) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables or {}

    def _first(self, node: FieldNode) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                found = self.variables.get(value.name.value)
                return found if isinstance(found, int) else None
        return None

    def cost(self, selections: SelectionSetNode | None, parent: Any, paged: bool = False) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, paged)
            elif isinstance(selection, InlineFragmentNode):
                kind = self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                total += self.cost(selection.selection_set, kind, paged)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    kind = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(fragment.selection_set, kind, paged)
        return total

    def _field(self, node: FieldNode, parent: Any, paged: bool) -> int:
        name = node.name.value
        if name.startswith("__") or node.selection_set is None:
            return 0
        fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        definition = fields.get(name)
        if definition is None:
            return 0
        kind = definition.type
        while isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        is_list = isinstance(kind, GraphQLList)
        while isinstance(kind, GraphQLNonNull | GraphQLList):
            kind = kind.of_type
        if "first" in definition.args:
            first = self._first(node)
            multiplier, inner_paged = (DEFAULT_PAGE if first is None else max(first, 0)), True
        else:
            multiplier, inner_paged = (1 if paged or not is_list else LIST_GUESS), False
        return multiplier * (1 + self.cost(node.selection_set, kind, inner_paged))


def estimate(schema: GraphQLSchema, document: Any, operation_name: str | None, variables: Any) -> int:
    """Nodes the operation would return, as estimated from ``first`` and nesting."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    estimator = _Estimate(schema, fragments, variables)
    total = 0
    for operation in chosen[:1]:
        root = schema.get_root_type(operation.operation)
        total += estimator.cost(operation.selection_set, root)
    return total


def cost_limiter(max_cost: int) -> type[SchemaExtension]:
    """An extension refusing, before execution, an operation estimated above ``max_cost``."""

    class CostLimiter(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is not None and context.result is None:
                cost = estimate(context.schema._schema, document, context.operation_name, context.variables)
                if cost > max_cost:
                    error = GraphQLError(
                        f"this query would return about {cost:,} nodes, more than the {max_cost:,} one query may "
                        "ask for: ask for fewer (first), nest less, or split it",
                        original_error=TooCostly("query too costly"),
                    )
                    context.result = ExecutionResult(data=None, errors=[error])
            yield

    return CostLimiter
