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

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Protocol

from registry.schema.records import Direction, NodeRef
from registry.service.visibility import INTRANET, own_level

DEPENDENTS: tuple[tuple[str, Direction], ...] = (
    ("HOLDS", "out"),  # a system's datasets take the level of their holders
    ("BUILDS", "in"),  # a project's level is the least of the systems it builds
    ("NEEDS", "out"),  # a need, its requester's
    ("FOR", "in"),  # a need or a sharing request, its target's
    ("HAS_FIELD", "out"),  # a dataset's fields, its level (and its declassification)
    ("HAS_FIELD", "in"),  # a field's dataset, the level of its fields
    ("DERIVED_FROM", "in"),  # a field's derived fields, its level along lineage
    ("EXPOSED_VIA", "out"),  # a dataset's interfaces, the least of what they expose
    ("REVIEWS", "in"),  # a review decision, the highest level of what it names
)
"""From a node to the nodes whose level is read from its level or properties."""

_ORDER = attrgetter("label", "key")
"""``NodeRef``'s own order, as a key made in C: the dataclass's comparison is a Python
call per comparison, seconds for a province's nodes."""


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


def closure(graph: Graph, touched: Iterable[NodeRef]) -> set[NodeRef]:
    """``touched`` and every node whose level is read, directly or not, from theirs: one
    batch of edge reads per step away from ``touched``, each over the new nodes only."""
    seen = set(touched)
    frontier = list(seen)
    while frontier:
        frontier = [ref for ref in _beyond(graph, frontier) if ref not in seen]
        seen.update(frontier)
    return seen


def _beyond(graph: Graph, refs: list[NodeRef]) -> set[NodeRef]:
    """The dependents of ``refs`` that are not among them: by the graph's own
    ``linked_beyond`` when it has one (``StoreGraph`` over the embedded store, which keeps
    the edges between two of ``refs`` out of Python), else edge type by edge type."""
    beyond = getattr(graph, "linked_beyond", None)
    if beyond is not None:
        found: set[NodeRef] = beyond(refs, DEPENDENTS)
        return found
    found = set()
    for edge_type, direction in DEPENDENTS:
        for others in graph.linked(refs, edge_type, direction).values():
            found.update(others)
    found.difference_update(refs)
    return found


def update_levels(levels: dict[NodeRef, int], graph: Graph, touched: Iterable[NodeRef]) -> Update:
    """Bring ``levels`` (every live node's level before the write) up to date with a write
    that touched ``touched``: the nodes it wrote or retired and both ends of every edge
    it wrote or retired. ``levels`` is changed in place."""
    update = Update(closure=closure(graph, touched))
    props = graph.props(update.closure)
    for ref in update.closure - props.keys():
        if levels.pop(ref, None) is not None:
            update.changed[ref] = None
    new = {ref: own_level(ref.label, attrs) for ref, attrs in props.items()}

    def level(ref: NodeRef) -> int:
        found = new.get(ref)
        return levels.get(ref, 0) if found is None else found

    by_label: dict[str, list[NodeRef]] = {}
    for ref in sorted(props, key=_ORDER):
        by_label.setdefault(ref.label, []).append(ref)
    datasets = by_label.get("Dataset", [])
    for dataset, held in graph.linked(datasets, "HOLDS", "in").items():
        least = min((level(s) for s in held), default=0)
        if least > 0:
            new[dataset] = max(new[dataset], least)
    _lineage(new, level, graph, props, datasets, by_label.get("Field", []))
    for ref, exposed in graph.linked(by_label.get("Interface", []), "EXPOSED_VIA", "in").items():
        if exposed:
            new[ref] = max(new[ref], min(level(d) for d in exposed))
    for ref, built in graph.linked(by_label.get("Project", []), "BUILDS", "out").items():
        if built:
            new[ref] = min(level(s) for s in built)
    needs = by_label.get("Need", [])
    requesters = graph.linked(needs, "NEEDS", "in")
    targets = graph.linked(needs + by_label.get("SharingRequest", []), "FOR", "out")
    for ref in needs:
        new[ref] = max([level(n) for n in requesters.get(ref, []) + targets.get(ref, [])], default=0)
    for ref in by_label.get("SharingRequest", []):
        new[ref] = max([level(n) for n in targets.get(ref, [])], default=0)
    reviewed = graph.linked(by_label.get("Review", []), "REVIEWS", "out")
    for ref in by_label.get("Review", []):
        new[ref] = max([level(n) for n in reviewed.get(ref, [])], default=INTRANET)
    for ref, value in new.items():
        if levels.get(ref) != value:
            levels[ref] = value
            update.changed[ref] = value
    return update


def _lineage(
    new: dict[NodeRef, int],
    level: Callable[[NodeRef], int],
    graph: Graph,
    props: Mapping[NodeRef, Mapping[str, Any]],
    datasets: list[NodeRef],
    fields: list[NodeRef],
) -> None:
    """The fixpoint of ``required_levels`` over the closure's datasets and fields: a field
    takes its dataset's level and, unless declassified, its sources'; a dataset takes its
    fields'. Every rule is a maximum, so a rise is pushed along to the nodes that read it
    and each link is followed once per rise (levels take a handful of values): linear in
    the closure. Sweeping every field until nothing moved cost a pass per step of the
    longest chain of links."""
    readers: dict[NodeRef, list[NodeRef]] = dict(graph.linked(datasets, "HAS_FIELD", "out"))
    # each field's dataset, from the same edges read the other way: a field in the closure
    # has its dataset there too (HAS_FIELD in is a dependent), so reading every field's
    # HAS_FIELD again (a province's two million) would find nothing new
    owners: dict[NodeRef, NodeRef] = {}
    for dataset, held in readers.items():
        for item in held:
            owners.setdefault(item, dataset)
    sources = graph.linked(fields, "DERIVED_FROM", "out")
    for ref in fields:
        owner = owners.get(ref)
        if owner is not None:
            readers.setdefault(ref, []).append(owner)
            new[ref] = max(new[ref], level(owner))
        declassified = bool(props[ref].get("declassified")) or (
            owner is not None and bool(props.get(owner, {}).get("declassified"))
        )
        if not declassified:
            for source in sources.get(ref, []):
                if source in new:
                    readers.setdefault(source, []).append(ref)
                new[ref] = max(new[ref], level(source))
    queue = deque(readers)
    while queue:
        ref = queue.popleft()
        value = new[ref]
        for reader in readers[ref]:
            if reader in new and new[reader] < value:
                new[reader] = value
                if reader in readers:
                    queue.append(reader)


class StoreGraph:
    """``Graph`` over a store's batched reads (``get_nodes`` and ``edges``)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def props(self, refs: Collection[NodeRef]) -> dict[NodeRef, dict[str, Any]]:
        by_label: dict[str, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.key)
        found: dict[NodeRef, dict[str, Any]] = {}
        read = getattr(self.store, "node_props", None)
        for label, keys in by_label.items():
            if read is not None:  # properties only, not a record per node (see SQLiteStore.node_props)
                found.update((NodeRef(label, key), props) for key, props in read(label, keys))
                continue
            for key, record in self.store.get_nodes(label, keys).items():
                found[NodeRef(label, key)] = record.props
        return found

    @property
    def linked_beyond(self) -> Callable[[Collection[NodeRef], Sequence[tuple[str, Direction]]], set[NodeRef]] | None:
        """The store's ``linked_beyond`` (a closure's step in the store), if it has one."""
        return getattr(self.store, "linked_beyond", None)

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
