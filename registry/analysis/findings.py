"""What every finding shares: a JSON-ready form, so the CLI, the GraphQL layer and the
benchmarks serialise results the same way without knowing each result type."""

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import numpy as np

from registry.schema.records import NodeRef


def jsonable(value: Any) -> Any:
    """Recursively turn results into plain JSON values (NodeRefs become ``Label:key``)."""
    if isinstance(value, NodeRef):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.floating):
        return round(float(value), 4)
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, np.integer):
        return int(value)
    return value


class Serialisable:
    """Mixin for the frozen result dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = jsonable(self)
        return data
