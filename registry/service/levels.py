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
from itertools import repeat
from typing import Any, Protocol

from registry.schema.records import Direction, Key, NodeRef, keys_by_label
from registry.service.visibility import INTRANET, LEVEL_PROPERTIES, own_level

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


class Graph(Protocol):
    """What the update reads: live nodes' properties and live edges, a batch at a time,
    nodes named by ``Key``."""

    def props(self, keys: Collection[Key]) -> dict[Key, Mapping[str, Any]]:
        """At least the ``LEVEL_PROPERTIES`` of those of ``keys`` that are live (absent:
        retired or unknown)."""
        ...

    def linked(self, keys: Collection[Key], edge_type: str, direction: Direction) -> dict[Key, list[Key]]:
        """For each of ``keys``, its neighbours over live ``edge_type`` edges that way."""
        ...


@dataclass
class Update:
    """What an update did: the closure it recomputed and the levels that moved."""

    closure: set[Key] = field(default_factory=set)
    changed: dict[NodeRef, int | None] = field(default_factory=dict)
    """New level by node; None for a node that is gone."""


def closure(graph: Graph, touched: Iterable[Key]) -> set[Key]:
    """``touched`` and every node whose level is read, directly or not, from theirs: one
    batch of edge reads per step away from ``touched``, each over the new nodes only."""
    seen = set(touched)
    frontier = list(seen)
    while frontier:
        frontier = [key for key in _beyond(graph, frontier) if key not in seen]
        seen.update(frontier)
    return seen


def _beyond(graph: Graph, keys: list[Key]) -> set[Key]:
    """The dependents of ``keys`` that are not among them: by the graph's own
    ``linked_beyond`` when it has one (``StoreGraph`` over the embedded store, which keeps
    the edges between two of ``keys`` out of Python), else edge type by edge type."""
    beyond = getattr(graph, "linked_beyond", None)
    if beyond is not None:
        found: set[Key] = beyond(keys, DEPENDENTS)
        return found
    found = set()
    for edge_type, direction in DEPENDENTS:
        for others in graph.linked(keys, edge_type, direction).values():
            found.update(others)
    found.difference_update(keys)
    return found


def update_levels(levels: dict[NodeRef, int], graph: Graph, touched: Iterable[Key]) -> Update:
    """Bring ``levels`` (every live node's level before the write) up to date with a write
    that touched ``touched``: the nodes it wrote or retired and both ends of every edge
    it wrote or retired. ``levels`` is changed in place."""
    update = Update(closure=closure(graph, touched))
    props = graph.props(update.closure)
    for label, key in update.closure - props.keys():
        ref = NodeRef(label, key)
        if levels.pop(ref, None) is not None:
            update.changed[ref] = None
    new = {node: own_level(node[0], attrs) for node, attrs in props.items()}

    def level(node: Key) -> int:
        found = new.get(node)
        return levels.get(NodeRef(*node), 0) if found is None else found

    by_label: dict[str, list[Key]] = {}
    for node in props:  # the rules' outcome does not depend on the order
        found = by_label.get(node[0])
        if found is None:
            by_label[node[0]] = [node]
        else:
            found.append(node)
    datasets = by_label.get("Dataset", [])
    for dataset, held in graph.linked(datasets, "HOLDS", "in").items():
        least = min((level(s) for s in held), default=0)
        if least > 0:
            new[dataset] = max(new[dataset], least)
    _lineage(new, level, graph, props, datasets, by_label.get("Field", []))
    for node, exposed in graph.linked(by_label.get("Interface", []), "EXPOSED_VIA", "in").items():
        if exposed:
            new[node] = max(new[node], min(level(d) for d in exposed))
    for node, built in graph.linked(by_label.get("Project", []), "BUILDS", "out").items():
        if built:
            new[node] = min(level(s) for s in built)
    needs = by_label.get("Need", [])
    requesters = graph.linked(needs, "NEEDS", "in")
    targets = graph.linked(needs + by_label.get("SharingRequest", []), "FOR", "out")
    for node in needs:
        new[node] = max([level(n) for n in requesters.get(node, []) + targets.get(node, [])], default=0)
    for node in by_label.get("SharingRequest", []):
        new[node] = max([level(n) for n in targets.get(node, [])], default=0)
    reviewed = graph.linked(by_label.get("Review", []), "REVIEWS", "out")
    for node in by_label.get("Review", []):
        new[node] = max([level(n) for n in reviewed.get(node, [])], default=INTRANET)
    for (label, key), value in new.items():
        ref = NodeRef(label, key)
        if levels.get(ref) != value:
            levels[ref] = value
            update.changed[ref] = value
    return update


def _lineage(
    new: dict[Key, int],
    level: Callable[[Key], int],
    graph: Graph,
    props: Mapping[Key, Mapping[str, Any]],
    datasets: list[Key],
    fields: list[Key],
) -> None:
    """The fixpoint of ``required_levels`` over the closure's datasets and fields: a field
    takes its dataset's level and, unless declassified, its sources'; a dataset takes its
    fields'. Every rule is a maximum, so a rise is pushed along to the nodes that read it
    and each link is followed once per rise (levels take a handful of values): linear in
    the closure. Sweeping every field until nothing moved cost a pass per step of the
    longest chain of links."""
    readers: dict[Key, list[Key]] = dict(graph.linked(datasets, "HAS_FIELD", "out"))
    # each field's dataset, from the same edges read the other way: a field in the closure
    # has its dataset there too (HAS_FIELD in is a dependent), so reading every field's
    # HAS_FIELD again (a province's two million) would find nothing new
    owners: dict[Key, Key] = {}
    for dataset, held in reversed(readers.items()):  # the first dataset of a field wins
        owners.update(zip(held, repeat(dataset)))
    sources = graph.linked(fields, "DERIVED_FROM", "out")
    # the loop below runs for every field of a province: dict lookups inline, a call to
    # ``level`` only for a node outside the closure
    none: Mapping[str, Any] = {}
    for ref in fields:
        value = new[ref]
        owner = owners.get(ref)
        if owner is not None:
            readers.setdefault(ref, []).append(owner)
            above = new.get(owner)
            if above is None:
                above = level(owner)
            if above > value:
                value = above
        if not (props[ref].get("declassified") or (owner is not None and props.get(owner, none).get("declassified"))):
            for source in sources.get(ref, ()):
                above = new.get(source)
                if above is None:
                    above = level(source)
                else:
                    readers.setdefault(source, []).append(ref)
                if above > value:
                    value = above
        new[ref] = value
    # a level of 0 raises nobody: only the nodes above it start the pushing
    queue = deque(ref for ref in readers if new[ref] > 0)
    while queue:
        ref = queue.popleft()
        value = new[ref]
        for reader in readers[ref]:
            if reader in new and new[reader] < value:
                new[reader] = value
                if reader in readers:
                    queue.append(reader)


class StoreGraph:
    """``Graph`` over a store's batched reads: the embedded store's own walks
    (``node_props``, ``linked_ends``, ``linked_beyond``) when it has them, else
    ``get_nodes`` and ``edges``."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def props(self, keys: Collection[Key]) -> dict[Key, Mapping[str, Any]]:
        found: dict[Key, Mapping[str, Any]] = {}
        read = getattr(self.store, "node_props", None)
        for label, members in keys_by_label(keys).items():
            if read is not None:  # the level's properties only (SQLiteStore.node_props): small maps
                found.update(((label, key), props) for key, props in read(label, members, LEVEL_PROPERTIES))
                continue
            for key, record in self.store.get_nodes(label, members).items():
                found[label, key] = record.props
        return found

    @property
    def linked_beyond(self) -> Callable[[Collection[Key], Sequence[tuple[str, Direction]]], set[Key]] | None:
        """A closure's step in the store (``SQLiteStore.linked_beyond``), if it has one."""
        beyond = getattr(self.store, "linked_beyond", None)
        if beyond is None:
            return None

        def step(keys: Collection[Key], links: Sequence[tuple[str, Direction]]) -> set[Key]:
            found: set[Key] = beyond(keys_by_label(keys), links)
            return found

        return step

    def linked(self, keys: Collection[Key], edge_type: str, direction: Direction) -> dict[Key, list[Key]]:
        out: dict[Key, list[Key]] = {}
        if not keys:
            return out
        ends = getattr(self.store, "linked_ends", None)
        if ends is not None:
            # ends only, straight from the store's rows: records with properties and
            # provenance for every edge of a province were most of an update's time
            for label, key, other_label, other_key in ends(keys_by_label(keys), edge_type, direction):
                found = out.get((label, key))
                if found is None:
                    out[label, key] = [(other_label, other_key)]
                else:
                    found.append((other_label, other_key))
            return out
        refs = [NodeRef(label, key) for label, key in keys]
        for edge in self.store.edges(refs, direction=direction, types=[edge_type]):
            near, far = (edge.src, edge.dst) if direction == "out" else (edge.dst, edge.src)
            out.setdefault((near.label, near.key), []).append((far.label, far.key))
        return out
