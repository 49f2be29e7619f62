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

``update_levels`` keeps every live node's level in a dict (a store that does not keep
them); ``update_stored`` does the same over levels kept sparse in the store, reading the
ones around the closure in one batch; ``replay`` recomputes a store's levels from
nothing, chunk by chunk, with the same update.
"""

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Protocol

from registry.schema.model import EDGE_SPECS
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

READING_LABELS = frozenset(
    label
    for edge_type, direction in DEPENDENTS
    for label in (EDGE_SPECS[edge_type].targets if direction == "out" else EDGE_SPECS[edge_type].sources)
)
"""The labels whose level is read from other nodes; any other node needs its own level."""
FLOORED = frozenset({"Review"})
"""The labels whose rule gives a level above public with no linked node to read it from
(a review decision naming nothing still present)."""
REPLAY_CHUNK = 5_000
"""Nodes a recomputation (``replay``) starts an update from at a time."""


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
    levels: dict[Key, int] = field(default_factory=dict)
    """Every live node of the closure, its new level."""
    known: Mapping[Key, int] = field(default_factory=dict)
    """The levels read from before the write: of the closure and the nodes around it."""


Read = Callable[[Collection[Key]], Mapping[Key, int]]
"""The levels from before a write of those of some nodes that have one, in one batch."""


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
    it wrote or retired. ``levels`` is changed in place; a node the write created is
    among the changed ones, whatever its level."""

    def read(keys: Collection[Key]) -> dict[Key, int]:
        found: dict[Key, int] = {}
        for key in keys:
            value = levels.get(NodeRef(*key))
            if value is not None:
                found[key] = value
        return found

    update = _update(read, graph, touched, None)
    for ref, value in update.changed.items():
        if value is None:
            levels.pop(ref, None)
        else:
            levels[ref] = value
    return update


def seeding(label: str, props: Mapping[str, Any]) -> bool:
    """Whether a node a write creates with ``props`` may need a level above public
    whatever it is linked to: by its own properties, or by a rule that needs no linked
    node (``FLOORED``). A created node for which this is false needs none unless a node
    it reads from does, and that node is either created and seeding, or stored before the
    write and an end of one of the write's edges (a new node has no older edges): the
    update started from those reaches it (``update_stored``'s ``starts``)."""
    return label in FLOORED or own_level(label, props) > 0


def update_stored(read: Read, graph: Graph, starts: Iterable[Key]) -> Update:
    """``update_levels`` over levels kept elsewhere and sparse (the embedded store's table:
    a node without a level needs none), read through ``read`` in one batch for the
    closure and the nodes around it; only the levels that moved are in ``changed``.

    ``starts`` are where the update starts: every node the write touched that was stored
    before it (written, retired, an end of an edge it wrote or retired) and the created
    ones for which ``seeding`` holds; all of a write's touched nodes do too, at a cost.
    The other created nodes then need no level unless the closure reaches them: none of
    them is read by a stored node (an edge between the two would make the stored one a
    start, and the closure holds what reads a start), so the levels outside the closure
    are those from before the write, and a created node outside it needs none, as its
    absence from the table says. A province's first import of public datasets and fields
    then walks no closure, where starting from every node it wrote read each one's
    properties and edges back (most of the import's time and memory)."""
    return _update(read, graph, starts, 0)


def _update(read: Read, graph: Graph, touched: Iterable[Key], absent: int | None) -> Update:
    """Every edge a rule reads is read first, a batch per rule, then every level read from
    before the write in one batch (``read``), then the rules run. ``absent``: what a node
    ``read`` leaves out needed before (None: it was not live)."""
    update = Update(closure=closure(graph, touched))
    props = graph.props(update.closure)
    new = update.levels
    new.update((node, own_level(node[0], attrs)) for node, attrs in props.items())
    by_label: dict[str, list[Key]] = {}
    for node in props:  # the rules' outcome does not depend on the order
        found = by_label.get(node[0])
        if found is None:
            by_label[node[0]] = [node]
        else:
            found.append(node)
    datasets, fields = by_label.get("Dataset", []), by_label.get("Field", [])
    needs = by_label.get("Need", [])
    holders = graph.linked(datasets, "HOLDS", "in")
    readers: dict[Key, list[Key]] = dict(graph.linked(datasets, "HAS_FIELD", "out"))
    sources = graph.linked(fields, "DERIVED_FROM", "out")
    exposed = graph.linked(by_label.get("Interface", []), "EXPOSED_VIA", "in")
    built = graph.linked(by_label.get("Project", []), "BUILDS", "out")
    requesters = graph.linked(needs, "NEEDS", "in")
    targets = graph.linked(needs + by_label.get("SharingRequest", []), "FOR", "out")
    reviewed = graph.linked(by_label.get("Review", []), "REVIEWS", "out")
    wanted = set(update.closure)
    for links in (holders, sources, exposed, built, requesters, targets, reviewed):
        for others in links.values():
            wanted.update(others)
    known = update.known = read(wanted)
    del wanted
    for key in update.closure - props.keys():
        if key in known:
            update.changed[NodeRef(*key)] = None

    def level(node: Key) -> int:
        found = new.get(node)
        return known.get(node, 0) if found is None else found

    for dataset, held in holders.items():
        least = min((level(s) for s in held), default=0)
        if least > 0:
            new[dataset] = max(new[dataset], least)
    _lineage(new, level, props, readers, sources, fields)
    for node, exposing in exposed.items():
        if exposing:
            new[node] = max(new[node], min(level(d) for d in exposing))
    for node, building in built.items():
        if building:
            new[node] = min(level(s) for s in building)
    for node in needs:
        new[node] = max([level(n) for n in requesters.get(node, []) + targets.get(node, [])], default=0)
    for node in by_label.get("SharingRequest", []):
        new[node] = max([level(n) for n in targets.get(node, [])], default=0)
    for node in by_label.get("Review", []):
        new[node] = max([level(n) for n in reviewed.get(node, [])], default=INTRANET)
    for key, value in new.items():
        if known.get(key, absent) != value:
            update.changed[NodeRef(*key)] = value
    return update


def _lineage(
    new: dict[Key, int],
    level: Callable[[Key], int],
    props: Mapping[Key, Mapping[str, Any]],
    readers: dict[Key, list[Key]],
    sources: Mapping[Key, list[Key]],
    fields: list[Key],
) -> None:
    """The fixpoint of ``required_levels`` over the closure's datasets and fields: a field
    takes its dataset's level and, unless declassified, its sources'; a dataset takes its
    fields'. Every rule is a maximum, so a rise is pushed along to the nodes that read it
    and each link is followed once per rise (levels take a handful of values): linear in
    the closure. Sweeping every field until nothing moved cost a pass per step of the
    longest chain of links. ``readers``: each closure dataset's fields (extended here
    with who reads each node); ``sources``: each closure field's sources."""
    # each field's dataset, from the same edges read the other way: a field in the closure
    # has its dataset there too (HAS_FIELD in is a dependent), so reading every field's
    # HAS_FIELD again (a province's two million) would find nothing new
    owners: dict[Key, Key] = {}
    for dataset, held in reversed(readers.items()):  # the first dataset of a field wins
        owners.update(zip(held, repeat(dataset)))
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


def replay(store: Any, put: Callable[[Mapping[Key, int | None]], None], chunk: int = REPLAY_CHUNK) -> None:
    """Every live node's level computed anew into an empty sparse table (``put`` writes,
    ``store.stored_levels`` reads back), a chunk at a time, never over a projection of
    the whole registry (which does not fit at national size): first the nodes that read
    no other node's level (outside ``READING_LABELS``: systems, departments, ...), their
    own level, final at once; then ``update_stored`` started from ``chunk`` datasets at a
    time, then from the other reading labels' nodes (fields only where no live dataset
    holds them, ``iter_unreached``: the others were in their dataset's closure). Memory is that of one chunk's
    closure: the chunk, the nodes whose level is read from it, and the levels read.

    Exact, whatever the chunks: let k(n) be the last chunk whose closure holds n (every
    reading node is in one: it is started from, or is a field of a dataset that is). A
    node m whose level n reads has n among its dependents (``DEPENDENTS``), so every
    closure holding m holds n and k(m) <= k(n); nodes of a cycle of dependence (lineage
    deriving in a circle) hold each other and share one k. In chunk k(n), then, each of
    n's inputs is in the closure, recomputed with it, or outside with k(m) < k(n): final
    already (by induction on the chunks) and read from the table. The closure's nodes
    with k > k(n) feed no node with k = k(n), so the update's fixpoint gives n exactly
    what ``required_levels`` gives it on the whole registry; later closures never hold
    n again. Levels read before their final chunk are overwritten by it.
    ``tests/service/test_levels_stored.py`` checks it against ``required_levels``."""
    graph = StoreGraph(store)

    def read(keys: Collection[Key]) -> Mapping[Key, int]:
        found: Mapping[Key, int] = store.stored_levels(keys_by_label(keys))
        return found

    labels = sorted(store.label_counts())
    for label in labels:
        if label not in READING_LABELS:
            for keys in _chunks(label, _keys(store.iter_node_names(label)), chunk):
                props = graph.props(keys)
                put({key: level for key, attrs in props.items() if (level := own_level(label, attrs))})
    for label in sorted(READING_LABELS & set(labels), key=lambda name: name != "Dataset"):
        starts: Iterable[str] = (
            store.iter_unreached(label, "HAS_FIELD") if label == "Field" else _keys(store.iter_node_names(label))
        )
        for touched in _chunks(label, starts, chunk):
            changed = update_stored(read, graph, touched).changed
            put({(ref.label, ref.key): level for ref, level in changed.items()})


def _keys(names: Iterable[tuple[str, str | None]]) -> Iterator[str]:
    return (key for key, _name in names)


def _chunks(label: str, keys: Iterable[str], size: int) -> Iterator[list[Key]]:
    """``keys`` of ``label`` as nodes, ``size`` at a time."""
    batch: list[Key] = []
    for key in keys:
        batch.append((label, key))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
