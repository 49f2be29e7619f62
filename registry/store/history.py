"""History as every store presents it.

Stores keep only updates, retirements and revivals. A creation is told by the record's
``created`` provenance; what the record held when created is its current state with the
later changes undone, newest first. This keeps bulk loads from writing each row twice
while "what did department X declare on date D" stays answerable.
"""

from collections.abc import Sequence

from registry.schema.records import EdgeRef, HistoryEntry, NodeRef, Props, Provenance


def props_before(current: Props, later: Sequence[HistoryEntry]) -> Props:
    props = dict(current)
    for entry in sorted(later, key=lambda e: e.seq, reverse=True):
        for name, (old, _new) in entry.changes.items():
            if old is None:
                props.pop(name, None)
            else:
                props[name] = old
    return props


def creation_entry(
    node: NodeRef | None,
    edge: EdgeRef | None,
    current: Props,
    created: Provenance,
    stored: Sequence[HistoryEntry],
) -> HistoryEntry:
    mine = [h for h in stored if (node is not None and h.node == node) or (edge is not None and h.edge == edge)]
    initial = props_before(current, mine)
    return HistoryEntry(
        seq=0,
        subject=str(node if node is not None else edge),
        op="create",
        changes={name: [None, value] for name, value in sorted(initial.items())},
        prov=created,
        node=node,
        edge=edge,
    )
