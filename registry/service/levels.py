"""Clearance levels kept up to date by each write instead of recomputed over the registry.

``required_levels`` (``registry.service.visibility``) computes every node's level from a
projection of the whole registry: 15 s and several GB at 100k datasets, after every write.
A write changes few levels: those of the nodes it touched and of the nodes whose level is
read from theirs (a dataset's fields, the fields derived from them, their interfaces, the
needs for them, ...). ``update_levels`` finds that closure through the store's edges,
resets it to the nodes' own levels and runs the same rules over it, reading the levels
of everything outside it, which the write cannot have changed. The rules are a least
fixpoint (levels only rise while it runs), so recomputing the closure from its own
levels gives exactly what a full computation gives, also when a level falls.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from registry.schema.records import Direction, NodeRef
from registry.service.visibility import own_level

DEPENDENTS: tuple[tuple[str, Direction], ...] = (
    ("HOLDS", "out"),  # a system's datasets take the level of their holders
    ("BUILDS", "in"),  # a project's level is the least of the systems it builds
    ("NEEDS", "out"),  # a need, its requester's
    ("FOR", "in"),  # and its target's
    ("HAS_FIELD", "out"),  # a dataset's fields, its level (and its declassification)
    ("HAS_FIELD", "in"),  # a field's dataset, the level of its fields
    ("DERIVED_FROM", "in"),  # a field's derived fields, its level along lineage
    ("EXPOSED_VIA", "out"),  # a dataset's interfaces, the least of what they expose
)
"""From a node to the nodes whose level is read from its level or properties."""


class Graph(Protocol):
    """What the update reads: live nodes' properties and live edges, a batch at a time."""

    def props(self, refs: Collection[NodeRef]) -> dict[NodeRef, dict[str, Any]]:
        """The properties of those of ``refs`` that are live (absent: retired or unknown)."""
        ...

    def linked(self, refs: Collection[NodeRef], edge_type: str, direction: Direction) -> dict[NodeRef, list[NodeRef]]:
        """For each of ``refs``, its neighbours over live ``edge_type`` edges that way."""
        ...


@dataclass
class Update:
    """What an update did: the closure it recomputed and the levels that moved."""

    closure: set[NodeRef] = field(default_factory=set)
    changed: dict[NodeRef, int | None] = field(default_factory=dict)
    """New level by node; None for a node that is gone."""


CLOSURE_LIMIT = 50_000
"""Past this many nodes an update is no cheaper than recomputing every level, and its
fixpoint over a wide lineage can cost far more (a department's import at 10k datasets
was measured at over a minute of CPU): the caller then recomputes from scratch."""


class TooWide(Exception):
    """The write reaches more nodes than an incremental update is worth."""


def closure(graph: Graph, touched: Iterable[NodeRef], limit: int | None = None) -> set[NodeRef]:
    """``touched`` and every node whose level is read, directly or not, from theirs;
    ``TooWide`` past ``limit`` nodes (default ``CLOSURE_LIMIT``)."""
    cap = CLOSURE_LIMIT if limit is None else limit
    seen = set(touched)
    frontier = list(seen)
    while frontier:
        if len(seen) > cap:
            raise TooWide(f"{len(seen)} nodes")
        found: set[NodeRef] = set()
        for edge_type, direction in DEPENDENTS:
            for others in graph.linked(frontier, edge_type, direction).values():
                found.update(others)
        frontier = [ref for ref in found if ref not in seen]
        seen.update(frontier)
    return seen


def update_levels(levels: dict[NodeRef, int], graph: Graph, touched: Iterable[NodeRef]) -> Update:
    """Bring ``levels`` (every live node's level before the write) up to date with a write
    that touched ``touched``: the nodes it wrote or retired and both ends of every edge
    it wrote or retired. ``levels`` is changed in place."""
    update = Update(closure=closure(graph, touched))
    props = graph.props(update.closure)
    for ref in update.closure - props.keys():
        if levels.pop(ref, None) is not None:
            update.changed[ref] = None
    live = sorted(props)
    new = {ref: own_level(ref.label, attrs) for ref, attrs in props.items()}

    def level(ref: NodeRef) -> int:
        found = new.get(ref)
        return levels.get(ref, 0) if found is None else found

    by_label: dict[str, list[NodeRef]] = {}
    for ref in live:
        by_label.setdefault(ref.label, []).append(ref)
    datasets, fields = by_label.get("Dataset", []), by_label.get("Field", [])
    holders = graph.linked(datasets, "HOLDS", "in")
    for dataset in datasets:
        held = [level(s) for s in holders.get(dataset, [])]
        if held and min(held) > 0:
            new[dataset] = max(new[dataset], min(held))
    members = graph.linked(datasets, "HAS_FIELD", "out")
    owners = graph.linked(fields, "HAS_FIELD", "in")
    sources = graph.linked(fields, "DERIVED_FROM", "out")
    owner_props = graph.props([owners[f][0] for f in fields if owners.get(f)])
    lineage: list[tuple[NodeRef, NodeRef | None, list[NodeRef]]] = []
    for ref in fields:
        owner = owners[ref][0] if owners.get(ref) else None
        declassified = bool(props[ref].get("declassified")) or (
            owner is not None and bool(owner_props.get(owner, {}).get("declassified"))
        )
        lineage.append((ref, owner, [] if declassified else sources.get(ref, [])))
    changed = True
    while changed:
        changed = False
        for ref, owner, derived_from in lineage:
            old = new[ref]
            value = old if owner is None else max(old, level(owner))
            for source in derived_from:
                value = max(value, level(source))
            if value != old:
                new[ref], changed = value, True
        for dataset in datasets:
            old = new[dataset]
            value = max([old, *(level(f) for f in members.get(dataset, []))])
            if value != old:
                new[dataset], changed = value, True
    interfaces = by_label.get("Interface", [])
    for ref, exposed in graph.linked(interfaces, "EXPOSED_VIA", "in").items():
        if exposed:
            new[ref] = max(new[ref], min(level(d) for d in exposed))
    projects = by_label.get("Project", [])
    for ref, built in graph.linked(projects, "BUILDS", "out").items():
        if built:
            new[ref] = min(level(s) for s in built)
    needs = by_label.get("Need", [])
    requesters = graph.linked(needs, "NEEDS", "in")
    targets = graph.linked(needs, "FOR", "out")
    for ref in needs:
        related = [level(n) for n in requesters.get(ref, [])] + [level(n) for n in targets.get(ref, [])]
        new[ref] = max(related, default=0)
    for ref, value in new.items():
        if levels.get(ref) != value:
            levels[ref] = value
            update.changed[ref] = value
    return update


class StoreGraph:
    """``Graph`` over a store's batched reads (``get_nodes`` and ``edges``)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def props(self, refs: Collection[NodeRef]) -> dict[NodeRef, dict[str, Any]]:
        by_label: dict[str, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.key)
        found: dict[NodeRef, dict[str, Any]] = {}
        for label, keys in by_label.items():
            for key, record in self.store.get_nodes(label, keys).items():
                found[NodeRef(label, key)] = record.props
        return found

    def linked(self, refs: Collection[NodeRef], edge_type: str, direction: Direction) -> dict[NodeRef, list[NodeRef]]:
        out: dict[NodeRef, list[NodeRef]] = {}
        if not refs:
            return out
        ends = getattr(self.store, "linked_ends", None)
        if ends is not None:
            # ends only, straight from the store's rows: records with properties and
            # provenance for every edge of a province were most of an update's time
            known = {(r.label, r.key): r for r in refs}
            for label, key, other_label, other_key in ends(list(refs), edge_type, direction):
                out.setdefault(known[label, key], []).append(NodeRef(other_label, other_key))
            return out
        for edge in self.store.edges(list(refs), direction=direction, types=[edge_type]):
            if direction == "out":
                out.setdefault(edge.src, []).append(edge.dst)
            else:
                out.setdefault(edge.dst, []).append(edge.src)
        return out
