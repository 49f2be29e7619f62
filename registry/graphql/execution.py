"""GraphQL execution with a short path for plain leaf fields.

A dashboard page of departments with their systems and datasets, or of datasets with
their fields, is thousands of objects of two or three scalar fields each. graphql-core
executes every such field alone: a path entry, a resolve-info object, the resolver
(strawberry's wrapper around an attribute read), then the value's completion through
the non-null wrapper down to the scalar's serialisation; profiled at 10k datasets that
was about half of an executed page. Most of it is bookkeeping a plain attribute does not
need.

``LeafExecutor`` reads such fields directly: a field whose resolver is strawberry's
default (an attribute of the object, no resolver function, no field extension or
permission), whose type is a scalar or enum (nullable or not), with no middleware in
the operation, is read with the same attribute read and serialised with the same
``coerce_output_value`` graphql-core would call; for a neighbour list the service kept
(``registry.graphql.views``) the rows are completed once per selection and shared.
Anything else, and any such field
whose value is missing where it may not be, or cannot be serialised, or whose read
raises, goes through graphql-core's own path, which then produces the error exactly
as before (the read is a property of a record: reading it twice has no effect).
"""

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    TypeNameMetaFieldDef,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from registry.graphql.views import NodeList


class _Leaf(NamedTuple):
    read: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    non_null: bool


_Plan = tuple[_Leaf | None, ...]


class LeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """The executor strawberry builds for each operation (``execution_context_class``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # per (object type, collected field set): the field set is memoised by graphql-core
        # for the whole operation and kept alive here, so its id is not reused
        self._plans: dict[tuple[str, int], tuple[Any, _Plan | None]] = {}
        manager = self.middleware_manager
        self._plain = manager is None or not getattr(manager, "middlewares", ())

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for (response_name, details), leaf in zip(grouped_field_set.items(), plan, strict=True):
            if leaf is not None:
                try:
                    value = leaf.read(source_value)
                    if value is None:
                        if not leaf.non_null:
                            results[response_name] = None
                            continue
                    else:
                        coerced = leaf.coerce(value)
                        if coerced is not None and coerced is not Undefined:
                            results[response_name] = coerced
                            continue
                except Exception:  # graphql-core's path below reports it
                    pass
            results[response_name] = None  # keeps the field's place in the answer
            rest[response_name] = details
        if not rest:
            return results
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(others, dict):
            return _merge(results, rest, others)

        async def merged() -> dict[str, Any]:
            return _merge(results, rest, await others)

        return merged()

    def complete_list_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A list of objects whose selected fields are all plain leaves is completed in
        one loop, without graphql-core's per-item path, completion and field execution;
        any item that does not fit sends the whole list down graphql-core's path."""
        rows = self._leaf_rows(return_type.of_type, field_details_list, info, path, result)
        if rows is not None:
            return rows
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def _leaf_rows(self, item_type: Any, field_details_list: Any, info: Any, path: Any, items: Any) -> Any:
        if not isinstance(items, list | tuple):
            return None
        if isinstance(item_type, GraphQLNonNull):
            item_type = item_type.of_type
        if not isinstance(item_type, GraphQLObjectType) or self.get_stream_usage(field_details_list, path):
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(item_type, field_details_list)
        if new_defer_usages:
            return None
        plan = self._plan(item_type, grouped_field_set)
        leaves = [leaf for leaf in plan or () if leaf is not None]
        if plan is None or len(leaves) < len(plan):
            return None
        if isinstance(items, NodeList):
            # the same selection of the same kept neighbours completes to the same rows
            selection = (item_type.name, *((name, d[0].node.name.value) for name, d in grouped_field_set.items()))
            kept = items.rows.get(selection)
            if kept is None:
                kept = self._completed(item_type, grouped_field_set, leaves, info, items)
                if kept is not None:
                    items.rows[selection] = kept
            return kept
        return self._completed(item_type, grouped_field_set, leaves, info, items)

    @staticmethod
    def _completed(
        item_type: GraphQLObjectType, grouped_field_set: Any, leaves: list[_Leaf], info: Any, items: Any
    ) -> list[dict[str, Any]] | None:
        """Each item's plain leaves, as graphql-core would complete them, or None where an
        item needs graphql-core's own path."""
        fields = list(zip(grouped_field_set, leaves, strict=True))
        is_type_of = item_type.is_type_of
        rows: list[dict[str, Any]] = []
        try:
            for item in items:
                if item is None or (is_type_of is not None and is_type_of(item, info) is not True):
                    return None
                row: dict[str, Any] = {}
                for response_name, leaf in fields:
                    value = leaf.read(item)
                    if value is None:
                        if leaf.non_null:
                            return None
                        row[response_name] = None
                        continue
                    coerced = leaf.coerce(value)
                    if coerced is None or coerced is Undefined:
                        return None
                    row[response_name] = coerced
                rows.append(row)
        except Exception:  # graphql-core's path reports it
            return None
        return rows

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> _Plan | None:
        """For each field of the set, how to read it directly, or None for the full path;
        None for the whole set when no field of it can be read directly."""
        key = (parent_type.name, id(grouped_field_set))
        found = self._plans.get(key)
        if found is not None:
            return found[1]
        plan = tuple(self._leaf(parent_type, details[0].node.name.value) for details in grouped_field_set.values())
        kept = plan if self._plain and any(leaf is not None for leaf in plan) else None
        self._plans[key] = (grouped_field_set, kept)
        return kept

    def _leaf(self, parent_type: GraphQLObjectType, name: str) -> _Leaf | None:
        if name == "__typename":
            typename = parent_type.name
            return _Leaf(lambda _source: typename, str, True)
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None or field_def is TypeNameMetaFieldDef:
            return None
        kind, non_null = field_def.type, False
        if isinstance(kind, GraphQLNonNull):
            kind, non_null = kind.of_type, True
        resolve = field_def.resolve
        if (
            resolve is None
            or not isinstance(kind, GraphQLScalarType | GraphQLEnumType)
            or not getattr(resolve, "_is_default", False)
        ):
            return None
        definition = field_def.extensions.get("strawberry-definition")
        if definition is not None and definition.default_resolver is getattr:
            read: Callable[[Any], Any] = operator.attrgetter(definition.python_name)
        else:
            read = lambda source: resolve(source, None)  # noqa: E731 - strawberry's own basic-field wrapper
        return _Leaf(read, kind.coerce_output_value, non_null)


def _merge(results: dict[str, Any], rest: dict[str, Any], others: dict[str, Any]) -> dict[str, Any]:
    """The fields graphql-core executed, in their places; one it left out stays out."""
    for name in rest:
        if name in others:
            results[name] = others[name]
        else:
            del results[name]
    return results
