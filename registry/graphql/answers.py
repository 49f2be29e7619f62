"""Answers to repeated read-only queries, kept per caller until the registry changes.

A dashboard asks the same few queries again and again, for every viewer and on every
refresh; at 10k datasets a page of departments with their systems and datasets is
thousands of resolved fields, most of a 100 ms answer spent in GraphQL execution each
time. Such an answer depends only on the registry's version, on the caller (identity,
role and clearance: what it may see), on the day (rules judged "as of today"), and on
the operation (text, name, variables); it is kept under exactly that key and all are
dropped when the store's version moves, here or in another process.

Only operations whose root fields read the registry alone are kept (``KEPT_ROOTS``:
entries, lists, counts, search): tokens, subscriptions and the change feed live outside
the registry's version or move with the clock, and mutations are never kept. Answers
with errors are not kept.
"""

from collections import OrderedDict
from datetime import date
from functools import lru_cache
from threading import Lock
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry.types import ExecutionResult

from registry.service import Caller

KEPT_ROOTS = frozenset(
    {
        "stats",
        "department",
        "system",
        "dataset",
        "field",
        "dataElement",
        "interface",
        "project",
        "need",
        "lookup",
        "departments",
        "systems",
        "datasets",
        "fields",
        "dataElements",
        "interfaces",
        "projects",
        "needs",
        "search",
        "suggest",
        "__typename",
    }
)
"""Root query fields whose answers depend on the registry and the caller only."""

MAX_KEPT = 256
"""Answers kept per process; the least recently used goes first."""

Key = tuple[str, str | None, str, str, str, int, str]


@lru_cache(maxsize=1024)
def keepable(query: str, operation_name: str | None) -> bool:
    """Whether the operation is one query made only of ``KEPT_ROOTS`` fields."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in KEPT_ROOTS
        for selection in operations[0].selection_set.selections
    )


class Answers:
    """The kept answers of one schema (one per server process), for one store version."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._kept: OrderedDict[Key, ExecutionResult] = OrderedDict()
        self._lock = Lock()

    @staticmethod
    def key(query: str, operation_name: str | None, variables: dict[str, Any] | None, caller: Caller) -> Key:
        return (
            query,
            operation_name,
            repr(sorted((variables or {}).items())),
            caller.identity,
            caller.role.value,
            int(caller.clearance),
            date.today().isoformat(),
        )

    def get(self, version: int, key: Key) -> ExecutionResult | None:
        with self._lock:
            if version != self._version:
                self._kept.clear()
                self._version = version
                return None
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def keep(self, version: int, key: Key, result: ExecutionResult) -> None:
        if result.errors:
            return
        with self._lock:
            if version != self._version:
                return  # the registry moved while this was answered
            self._kept[key] = result
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
