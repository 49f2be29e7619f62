"""One entry of any kind in one generic shape, for the entry pages: its properties as
stored, where it came from, its history and its relations both ways.

The per-kind types (``Department``, ``System``, …) serve clients that know what they ask
for; a page showing any entry alike needs the same few things of every kind, so a new
property or relation appears on the page without a page change. Reads go through the
service: a hidden entry is absent exactly like a missing one, and a hidden neighbour is
not among the relations.
"""

from typing import cast

import strawberry
from strawberry.scalars import JSON

from registry.graphql.explore import MAX_NEIGHBOURS, EntryInput, GraphNode, graph_node, records_of
from registry.graphql.nodes import Ctx
from registry.graphql.records import HistoryEntry, Provenance
from registry.schema.records import NodeRecord, NodeRef
from registry.service import InvalidInput


@strawberry.type(description="A relation of an entry: its type, which way it points, the entry at the other end.")
class Relation:
    type: str
    direction: str = strawberry.field(description="`out` when the entry is the relation's source, else `in`.")
    other: GraphNode
    properties: JSON


@strawberry.type
class RelationPage:
    items: list[Relation]
    total_count: int


@strawberry.type(description="Any entry: properties, provenance, history and relations.")
class Entry:
    node: GraphNode
    properties: JSON
    created: Provenance
    updated: Provenance
    record: strawberry.Private[NodeRecord]

    @strawberry.field(description="Changes to the entry and to the relations touching it, oldest first.")
    def history(self, info: Ctx) -> list[HistoryEntry]:
        context = info.context
        return [HistoryEntry.of(h) for h in context.service.history(context.caller, self.record.ref)]

    @strawberry.field(description="Relations both ways, by type then by the other end, at most `first`.")
    def relations(self, info: Ctx, first: int = 200) -> RelationPage:
        if not 0 < first <= MAX_NEIGHBOURS:
            raise InvalidInput(f"first must be between 1 and {MAX_NEIGHBOURS}")
        service, caller = info.context.service, info.context.caller
        ref = self.record.ref
        edges = sorted(
            service.edges(caller, [ref], direction="both"),
            key=lambda e: (e.type, e.src != ref, e.dst if e.src == ref else e.src),
        )
        shown = edges[:first]
        records = records_of(info, {e.dst if e.src == ref else e.src for e in shown})
        items = []
        for edge in shown:
            other = edge.dst if edge.src == ref else edge.src
            if other in records:
                items.append(
                    Relation(
                        type=edge.type,
                        direction="out" if edge.src == ref else "in",
                        other=graph_node(records[other]),
                        properties=cast(JSON, dict(edge.props)),
                    )
                )
        return RelationPage(items=items, total_count=len(edges))


@strawberry.type
class EntryQuery:
    @strawberry.field(description="Any entry by kind and key; null when missing or hidden from the caller.")
    def entry(self, info: Ctx, entry: EntryInput) -> Entry | None:
        ref: NodeRef = entry.ref()
        record = records_of(info, {ref}).get(ref)
        if record is None:
            return None
        return Entry(
            node=graph_node(record),
            properties=cast(JSON, dict(record.props)),
            created=Provenance.of(record.created),
            updated=Provenance.of(record.updated),
            record=record,
        )
