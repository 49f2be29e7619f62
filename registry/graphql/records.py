"""Provenance and history as GraphQL types: who wrote what, from where, when."""

from typing import Any

import strawberry
from strawberry.scalars import JSON

from registry.schema.records import HistoryEntry as HistoryRecord
from registry.schema.records import Provenance as ProvenanceRecord


@strawberry.type(description="Where a node or edge came from: source file or API call, import batch, who, when.")
class Provenance:
    source: str
    batch: str
    by: str
    at: str

    @classmethod
    def of(cls, prov: ProvenanceRecord) -> "Provenance":
        return cls(source=prov.source, batch=prov.batch, by=prov.by, at=prov.at)


@strawberry.type(description="One property's value before and after a change (null where absent).")
class PropertyChange:
    property: str
    old: JSON | None
    new: JSON | None


@strawberry.type(description="One change to a node or to an edge touching it, oldest first.")
class HistoryEntry:
    seq: int
    op: str
    subject: str
    changes: list[PropertyChange]
    provenance: Provenance

    @classmethod
    def of(cls, entry: HistoryRecord) -> "HistoryEntry":
        changes: list[PropertyChange] = []
        for name, pair in sorted(entry.changes.items()):
            old, new = _pair(pair)
            changes.append(PropertyChange(property=name, old=old, new=new))
        return cls(
            seq=entry.seq, op=entry.op, subject=entry.subject, changes=changes, provenance=Provenance.of(entry.prov)
        )


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, value
