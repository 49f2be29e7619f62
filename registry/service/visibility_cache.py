"""What each clearance may not see, kept until the store's next write.

``registry.service.visibility`` decides the rule (the clearance each node needs); this
module keeps its consequences per clearance so that a request pays for none of them
twice: the hidden set, the same set split by label, the caller's projection for the
analyses, and the counts of ``stats``. Everything is dropped together when the store's
version moves, so no view can outlive the write that made it stale, except what a write
made in this process carries across (``after_write``): the hidden sets and the counts,
moved by the levels that write changed.

Where the levels live depends on the store. The embedded store keeps them in its own
file (``SQLiteStore.write_levels``: a sparse table stamped with the version it is exact
for), so a process reads what a caller may not see with one query on the level, and
every write through a service brings the table up to date (``update_stored``) in one
write transaction checked against the stamp. A table that is stale (a file from before
it, a write made without the service, a crash between a write and its levels) is
recomputed chunk by chunk (``replay``), never over a projection of the whole registry,
which at national size does not fit in memory. Other stores (Neo4j) keep every node's
level in memory, computed over a projection when a caller below the highest clearance
first asks and shared with the other processes through ``registry.service.shared``.

One write is an exception: a review decision (``after_review``). It changes no other
entry's level and nothing any analysis reads, so the whole projection each clearance's
analyses run on is kept across it, and with it every result remembered on that graph
(``registry.analysis.memo``): confirming or dismissing a finding in the work queue would
otherwise recompute every analysis of the registry for the next page.
"""

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from threading import Lock
from typing import Protocol, TypeVar, cast

import networkx as nx

from registry.schema.enums import Clearance
from registry.schema.records import LEVELS, ApplyResult, EdgeRef, Key, NodeRef, keys_by_label
from registry.service.errors import Busy
from registry.service.levels import StoreGraph, Update, replay, update_levels, update_stored
from registry.service.shared import SharedResults
from registry.service.visibility import HIGHEST_LEVEL, hidden_from, levels_of
from registry.store.base import Store, StoreBusy
from registry.store.projection import visible_subgraph

CARRY_LIMIT = 200_000
"""The most nodes a write may touch and still carry the counts across it (``_carried``,
which reads every node and edge around them): one department's catalogue at 100k
datasets touches some tens of thousands, a province's load 2M, whose keys alone held half
a GB to the end of the load, and after which one recount costs less than carrying."""
LEVELS_RESULT = "levels"
"""The name every node's level is shared under (``registry.service.shared``), for a store
that does not keep them."""
GraphKey = tuple[Clearance, frozenset[str] | None, frozenset[str] | None]
Stats = dict[str, dict[str, int]]
Split = dict[str, frozenset[str]]
ATTEMPTS = 5
"""Reads of the stored levels a request tries while other processes keep writing."""
Put = Callable[[Mapping[Key, int | None]], None]
BUSY_MESSAGE = "登记库在读取期间被其他程序反复修改，请稍后重试"
"""What a read says when other processes kept writing through every attempt."""
R = TypeVar("R")
V = TypeVar("V")


class LevelStore(Protocol):
    """What a store that keeps the levels offers (``SQLiteStore``): not part of the Store
    protocol, found by ``write_levels``."""

    def levels_stamp(self) -> int | None: ...

    def stored_levels(self, keys: Mapping[str, Collection[str]]) -> dict[Key, int]: ...

    def levels_above(self, level: int) -> tuple[int, dict[str, dict[str, int]]] | None: ...

    def write_levels(
        self, work: Callable[[Put], None], *, since: int | None, version: int | None = None
    ) -> int | None: ...

    def nodes_around(self, refs: Collection[NodeRef], batch: str) -> list[tuple[NodeRef, bool, bool]]: ...

    def edges_around(self, refs: Collection[NodeRef], batch: str) -> list[tuple[EdgeRef, bool, bool]]: ...

    def retired_keys(self) -> dict[str, set[str]]: ...


class VisibilityCache:
    def __init__(self, store: Store, results: SharedResults) -> None:
        self.store = store
        self.results = results
        self.stored = getattr(store, "write_levels", None) is not None
        """Whether the store keeps the levels (``SQLiteStore.write_levels``)."""
        self._stored = cast(LevelStore, store)
        """The store's levels, read only when ``stored``."""
        self._version: int | None = None
        self._levels: dict[NodeRef, int] | None = None
        """Every live node's level, for a store that does not keep them."""
        self._map: dict[NodeRef, int] | None = None
        """The stored levels above 0 as one mapping, for the projections (``LEVELS``)."""
        self._hidden: dict[Clearance, frozenset[NodeRef]] = {}
        self._split: dict[Clearance, Split] = {}
        self._graphs: dict[GraphKey, nx.MultiDiGraph] = {}
        self._analysed: dict[Clearance, nx.MultiDiGraph] = {}
        """The whole projection per clearance (no selection), which the analyses run on;
        unlike the other views it is kept across review decisions."""
        self._stats: dict[Clearance, Stats] = {}
        self._lock = Lock()

    def _refresh(self, *, levels: bool = True) -> None:
        """Drop what the last write made stale; for a store that does not keep levels,
        compute every node's level only when asked, since that costs a projection of the
        whole registry. Called under the lock."""
        version = self.store.version()
        if version != self._version:
            self._levels = self._map = None
            self._hidden.clear()
            self._split.clear()
            self._graphs.clear()
            self._analysed.clear()
            self._stats.clear()
            self._version = version
        if levels and not self.stored and self._levels is None:
            self._levels = self.results.get(LEVELS_RESULT, lambda: levels_of(self.store.projection()))

    def _exact(self) -> bool:
        """Make the stored levels exact for the store's version: recomputed chunk by chunk
        (``replay``) when the stamp is not the version; whether they were. Called under
        the lock."""
        if self._stored.levels_stamp() == self.store.version():
            return False
        self._stored.write_levels(lambda put: replay(self.store, put), since=None)
        return True

    def make_exact(self) -> bool:
        """Recompute the stored levels now if they are stale (whether they were), rather
        than in the first request of a caller below the highest clearance: what a server
        or a benchmark opening a file from before the levels table may do first."""
        with self._lock:
            return self.stored and self._exact()

    def _above(self, level: int) -> dict[str, dict[str, int]]:
        """The stored levels above ``level`` by key by label, exact for the version the
        views hold for (the views are dropped and read again when a write came between).
        Called under the lock."""
        for _ in range(ATTEMPTS):
            self._refresh(levels=False)
            found = self._stored.levels_above(level)
            if found is None:
                self._exact()
                continue
            version, above = found
            if version == self._version:
                return above
        raise Busy(BUSY_MESSAGE)

    def tracking(self) -> int | None:
        """The store version the levels hold for, when they are current: then a write
        updates them (``after_write``) instead of leaving the next reader to recompute
        them all."""
        with self._lock:
            version = self.store.version()
            if self.stored:
                return version if self._stored.levels_stamp() == version else None
            return version if self._levels is not None and self._version == version else None

    def after_write(
        self,
        before: int | None,
        result: ApplyResult,
        touched: set[Key] | None,
        batch: str | None = None,
        seeds: Collection[Key] | None = None,
    ) -> None:
        """Bring the levels, the hidden sets and the counts up to date with a committed
        write (batch ``batch``) that touched ``touched`` (see ``registry.service.levels``):
        only the nodes whose level moved enter or leave each hidden set, and the counts
        move by what changed at the nodes touched or moved (``_carried``). Projections are
        per version and rebuilt when next asked. Levels kept in memory are copied, not
        changed in place: an analysis still running on the previous projection keeps
        that version's levels. ``seeds``: where the update of stored levels starts
        (``update_stored``; None: from every node touched); levels kept in memory hold
        every live node, a created one too, so they are updated from all of ``touched``.
        ``touched`` None: too many to carry the counts by (over ``CARRY_LIMIT``), allowed
        only with stored levels and ``seeds``; the next reader recounts."""
        if before is None or not result.changed:
            return
        with self._lock:
            if self._carry_write(before, result.version, touched, batch, seeds):
                self._analysed.clear()

    def _carry_write(
        self,
        before: int,
        version: int,
        touched: set[Key] | None,
        batch: str | None,
        seeds: Collection[Key] | None = None,
    ) -> bool:
        """Update the levels for the write from ``before`` to ``version`` (in the store's
        table, or a copy of those kept in memory: an analysis still running on the
        previous projection keeps that version's levels) and carry the views across it;
        whether they were carried. Not when another write came between, or the levels
        were not current for ``before``: the next reader recomputes. Called under the
        lock."""
        update: Update | None = None
        starts = touched if seeds is None else seeds
        if self.stored and starts is not None:
            update = self._store_update(before, version, starts)
        elif touched is not None and self._levels is not None and self._version == before and version == before + 1:
            levels = dict(self._levels)
            update = update_levels(levels, StoreGraph(self.store), touched)
            self._levels = levels
            self._share(levels, version)
        if update is None or self._version != before:
            return False
        self._carry(update, touched, batch, version)
        return True

    def _store_update(self, before: int, version: int, starts: Collection[Key]) -> Update | None:
        """The stored levels brought from ``before`` to ``version``, the version one write
        made, by an update from ``starts`` (``update_stored``'s starts), in one write
        transaction that refuses when the table was not exact for ``before`` or another
        write came since (the next reader recomputes them); the update, or None when
        refused, or when another process held the file too long: the write is committed,
        so it must not fail now (its caller would be told nothing was written and its
        listeners never hear of it); the table stays stale and the next reader recomputes
        it. Called under the lock."""
        if version != before + 1:
            return None
        done: list[Update] = []

        def work(put: Put) -> None:
            update = update_stored(self._read, StoreGraph(self.store), starts)
            put({(ref.label, ref.key): level for ref, level in update.changed.items()})
            done.append(update)

        try:
            stamped = self._stored.write_levels(work, since=before, version=version)
        except StoreBusy:
            return None
        return done[0] if stamped is not None and done else None

    def _read(self, keys: Collection[Key]) -> Mapping[Key, int]:
        return self._stored.stored_levels(keys_by_label(keys))

    def after_review(
        self,
        before: int,
        result: ApplyResult,
        review: NodeRef,
        batch: str | None = None,
    ) -> bool:
        """Carry the views across a committed write of one review decision (``review``,
        batch ``batch``), made at store version ``before``; whether they were carried. The
        review's level moves by the levels' own rule (its REVIEWS edges), and nothing else's
        does. The analysed projections are kept: they lack the new ``Review`` node, which
        no analysis reads (the pages read decisions from the store). If any other write
        came between, nothing is carried and the next reader recomputes, as after any
        write."""
        if not result.changed:
            return False
        with self._lock:
            if self._carry_write(before, result.version, {(review.label, review.key)}, batch):
                return True
            if self.stored or self._levels is not None or self._version != before or result.version != before + 1:
                return False
            # levels never computed in this process: only the counts and selections move
            self._stats.clear()
            self._graphs.clear()
            self._version = result.version
            return True

    def _carry(self, update: Update, touched: set[Key] | None, batch: str | None, version: int) -> None:
        """Move the hidden sets, hidden keys by label and counts from the version before a
        write that touched ``touched`` to ``version``, the one it made, by the levels
        that moved (``update``). Called under the lock."""
        changed = update.changed
        for clearance, hidden in list(self._hidden.items()):
            added = {ref for ref, level in changed.items() if level is not None and level > clearance}
            self._hidden[clearance] = frozenset((hidden - changed.keys()) | added)
        for clearance, split in list(self._split.items()):
            self._split[clearance] = _moved(split, changed, clearance)
        self._stats = self._carried(update, touched, batch, version) if self.stored else {}
        self._graphs.clear()
        self._map = None
        self._version = version
        self._share_stats(version)

    def _carried(
        self, update: Update, touched: Collection[Key] | None, batch: str | None, version: int
    ) -> dict[Clearance, Stats]:
        """The counts kept for the version before a write, moved to the version it made: a
        node counts where it was created, retired or revived or its level moved, an edge
        where it was created, retired or revived or an end's level moved, and every such
        node or edge is at a node the write touched or whose level moved, so
        ``SQLiteStore.nodes_around`` and ``edges_around`` those nodes find them all with
        whether each was live before the write. The levels before and after are the
        update's for its closure and the stored ones elsewhere (the write moved none
        there). Recounting instead read every edge at every hidden node (seconds at 100k
        datasets, on the first dashboard after each import). Empty, so that the next
        reader recounts, where the store cannot tell (no batch) or another write has come
        since."""
        if not self._stats or batch is None or touched is None:
            return {}
        refs = {*(NodeRef(*key) for key in touched), *update.changed}
        nodes = self._stored.nodes_around(refs, batch)
        edges = self._stored.edges_around(refs, batch)
        ends = {(end.label, end.key) for edge, _, _ in edges for end in (edge.src, edge.dst)}
        outside = self._read(ends - update.closure)
        if self.store.version() != version:
            return {}
        closure, known, levels = update.closure, update.known, update.levels

        def old(key: Key) -> int:
            return known.get(key, 0) if key in closure else outside.get(key, 0)

        def new(key: Key) -> int:
            return levels.get(key, 0) if key in closure else outside.get(key, 0)

        carried: dict[Clearance, Stats] = {}
        for clearance, stats in self._stats.items():
            counts, links = Counter(stats["nodes"]), Counter(stats["edges"])
            for ref, was_live, live in nodes:
                key = (ref.label, ref.key)
                counts[ref.label] += int(live and new(key) <= clearance) - int(was_live and old(key) <= clearance)
            for edge, was_live, live in edges:
                src, dst = (edge.src.label, edge.src.key), (edge.dst.label, edge.dst.key)
                seen = was_live and old(src) <= clearance and old(dst) <= clearance
                sees = live and new(src) <= clearance and new(dst) <= clearance
                links[edge.type] += int(sees) - int(seen)
            carried[clearance] = _positive(counts, links)
        return carried

    def _share(self, levels: dict[NodeRef, int], version: int) -> None:
        """Hand levels kept in memory and up to date by a write to the other processes
        serving the store."""
        state = self.results.state()
        if state[0] == version:
            self.results.put(LEVELS_RESULT, state, levels)

    def _share_stats(self, version: int) -> None:
        """Hand counts carried across a write to the other processes serving the store."""
        state = self.results.state()
        if state[0] == version:
            for clearance, stats in self._stats.items():
                self.results.put(_stats_name(clearance), state, stats)

    def _known_levels(self) -> dict[NodeRef, int]:
        """Every live node's level (a store that does not keep them); called under the lock."""
        self._refresh()
        return self._levels or {}

    def levels(self) -> Mapping[NodeRef, int]:
        """The clearance each live node needs, as the projections carry it (``LEVELS``):
        from the store, the nodes needing some (a node missing needs none); otherwise
        every live node."""
        with self._lock:
            if not self.stored:
                return self._known_levels()
            self._refresh(levels=False)
            if self._map is None:
                above = self._above(0)
                self._map = {NodeRef(label, key): level for label, keys in above.items() for key, level in keys.items()}
            return self._map

    def row_filter(
        self, clearance: Clearance
    ) -> tuple[Callable[[str, str], bool], int | None, Callable[[str], frozenset[str]] | None]:
        """Whether a caller cleared for ``clearance`` may read a node, for the registry read
        row by row (``RegistryService.rows``), and the store version it holds for, which
        the rows check as they are read (``registry.service.rows``): by the stored hidden
        keys, a node written after them would read as needing nothing. A retired node has
        no stored level, so the retired keys of that version are hidden too (their
        history would otherwise be shown). Levels kept in memory hold every live node,
        and a node they do not know is taken as hidden: no version to check. The node is
        given as (label, key), not as a ``NodeRef``: a national registry's rows are read
        20M fields at a time, and making a reference of each was about half of what a public
        caller's compact projection cost beyond an administrator's (47.7 CPU s at 1M).
        Third, from stored levels, the keys of a label the check rejects (hidden or
        retired), so that a dataset's twenty fields are checked by one set operation
        rather than twenty calls; None where the levels are in memory, since a node they
        do not know is hidden too."""
        if not self.stored:
            levels = self.levels()
            return (lambda label, key: levels.get(NodeRef(label, key), HIGHEST_LEVEL + 1) <= clearance), None, None
        with self._lock:
            for _ in range(ATTEMPTS):
                split, version = self._stored_split(clearance), self._version
                retired = self._stored.retired_keys()
                if self.store.version() == version:
                    break
            else:
                raise Busy(BUSY_MESSAGE)
        none: frozenset[str] = frozenset()

        rejected: dict[str, frozenset[str]] = {}
        """label -> its hidden and retired keys in one set, made when the label is first asked"""

        def hidden_of(label: str) -> frozenset[str]:
            found = rejected.get(label)
            if found is not None:
                return found
            hidden, gone = split.get(label, none), retired.get(label, none)
            union = rejected[label] = hidden | gone if gone else hidden
            return union

        def visible(label: str, key: str) -> bool:
            found = rejected.get(label)
            return key not in (hidden_of(label) if found is None else found)

        return visible, version, hidden_of

    def _stored_split(self, clearance: Clearance) -> Split:
        """The stored hidden keys by label for ``clearance``, of the version the views hold
        for (``_version`` when it returns). Called under the lock."""
        self._refresh(levels=False)
        split = self._split.get(clearance)
        if split is None:
            split = {label: frozenset(keys) for label, keys in self._above(int(clearance)).items()}
            self._split[clearance] = split
        return split

    def hidden(self, clearance: Clearance) -> frozenset[NodeRef]:
        return self.hidden_at(clearance)[0]

    def hidden_at(self, clearance: Clearance) -> tuple[frozenset[NodeRef], int | None]:
        """The hidden set and the store version it holds for, read together (None: the
        highest clearance, from which nothing is hidden at any version)."""
        if clearance >= HIGHEST_LEVEL:
            # nothing needs more than the highest clearance: skip the levels, which
            # cost O(registry) after each write (every import checks its caller)
            return frozenset(), None
        with self._lock:
            return self._hidden_locked(clearance), self._version

    def _hidden_locked(self, clearance: Clearance) -> frozenset[NodeRef]:
        """The hidden set of the version the views hold for (``_version`` when it
        returns). Called under the lock."""
        self._refresh(levels=False)
        hidden = self._hidden.get(clearance)
        if hidden is None:
            if self.stored:
                split = self._stored_split(clearance)
                hidden = frozenset(NodeRef(label, key) for label, keys in split.items() for key in keys)
            else:
                hidden = hidden_from(self._known_levels(), clearance)
            self._hidden[clearance] = hidden
        return hidden

    def read_hidden(self, clearance: Clearance, reader: Callable[[frozenset[NodeRef]], R]) -> R:
        """``reader`` given the hidden set, its answer returned only if no write (here or
        by another process on the same file) came between reading the hidden set and the
        end of ``reader``'s reads of the store: an entry written in between would be in
        the store's answer and not in the set that should cut it."""
        return self._checked(self.hidden_at, clearance, reader)

    def read_split(self, clearance: Clearance, reader: Callable[[Split], R]) -> R:
        """``read_hidden`` with the hidden keys by label (``hidden_by_label``)."""
        return self._checked(self.split_at, clearance, reader)

    def _checked(
        self, view: Callable[[Clearance], tuple[V, int | None]], clearance: Clearance, reader: Callable[[V], R]
    ) -> R:
        """``reader`` over ``view``'s answer for ``clearance``, tried again while the store's
        version moved during it, and ``Busy`` after ``ATTEMPTS``. The highest clearance is
        not checked: nothing is hidden from it at any version."""
        for _ in range(ATTEMPTS):
            seen, version = view(clearance)
            answer = reader(seen)
            if version is None or self.store.version() == version:
                return answer
        raise Busy(BUSY_MESSAGE)

    def required_clearance(self, ref: NodeRef) -> int:
        """The level ``ref`` needs. From the store, read between two looks at the stamp and
        the version finding them equal and unmoved: the one row is read apart from the
        stamp, and a write by another process landing after the table was made exact would
        otherwise read as needing nothing (no row yet)."""
        with self._lock:
            if not self.stored:
                return self._known_levels().get(ref, 0)
            key = (ref.label, ref.key)
            for _ in range(ATTEMPTS):
                self._exact()
                version = self.store.version()
                level = int(self._read([key]).get(key, 0))
                if self._stored.levels_stamp() == version == self.store.version():
                    return level
        raise Busy(BUSY_MESSAGE)

    def hidden_by_label(self, clearance: Clearance) -> Split:
        return self.split_at(clearance)[0]

    def split_at(self, clearance: Clearance) -> tuple[Split, int | None]:
        """The hidden keys by label and the store version they hold for (None: the highest
        clearance), read together: from the stored levels by their index (one query per
        clearance and version), or split once per hidden set of the same version: walking
        the whole set (tens of thousands of fields on a province registry) for every page,
        count and batch of a request was a large part of a dashboard query's time, and a
        key looked up in its label's set costs less than hashing a NodeRef."""
        if clearance >= HIGHEST_LEVEL:
            return {}, None
        with self._lock:
            if self.stored:
                return self._stored_split(clearance), self._version
            hidden = self._hidden_locked(clearance)
            split = self._split.get(clearance)
            if split is None:
                by_label: dict[str, set[str]] = {}
                for ref in hidden:
                    by_label.setdefault(ref.label, set()).add(ref.key)
                split = self._split[clearance] = {name: frozenset(keys) for name, keys in by_label.items()}
            return split, self._version

    def graph(
        self, clearance: Clearance, labels: Collection[str] | None, edge_types: Collection[str] | None
    ) -> nx.MultiDiGraph:
        """The projection with what ``clearance`` may not see cut out, one per clearance and
        selection until the store changes. It carries the levels (``LEVELS``, see
        ``levels``: a node missing needs none), as judged on the whole registry: analyses
        asking about classification read them.
        Without a selection it is the analysed projection, kept across review decisions
        (``after_review``). The projection must be of the version the hidden set holds
        for, with no write since: an entry written in between would be in it and not cut."""
        whole = labels is None and edge_types is None
        for _ in range(ATTEMPTS):
            hidden, version = self.hidden_at(clearance)
            if whole:
                with self._lock:
                    kept = self._analysed.get(clearance) if self._version == self.store.version() else None
                if kept is not None:
                    return kept
            full = self.store.projection(labels, edge_types)
            if version is None or full.graph.get("version") == version == self.store.version():
                break
        else:
            raise Busy(BUSY_MESSAGE)
        if LEVELS not in full.graph:
            full.graph[LEVELS] = self.levels()
        if not hidden:
            if whole:
                self._keep(clearance, full)
            return full
        key = (
            clearance,
            None if labels is None else frozenset(labels),
            None if edge_types is None else frozenset(edge_types),
        )
        with self._lock:
            graph = self._graphs.get(key)
            if graph is None or graph.graph.get("version") != full.graph.get("version"):
                graph = visible_subgraph(full, hidden)
                graph.graph["version"] = full.graph.get("version")
                self._graphs[key] = graph
        if whole:
            self._keep(clearance, graph)
        return graph

    def _keep(self, clearance: Clearance, graph: nx.MultiDiGraph) -> None:
        """Remember ``graph`` as the clearance's analysed projection if it is of the version
        the views hold for (a write may have come between building and keeping it)."""
        with self._lock:
            if graph.graph.get("version") == self._version:
                self._analysed[clearance] = graph

    def stats(self, clearance: Clearance) -> Stats:
        """Counts per label and edge type; kept per clearance and carried across writes
        (``_carried``), shared with the other processes serving the store, and recounted
        only when neither holds: subtracting what is hidden reads every edge of every
        hidden node."""
        self.hidden_by_label(clearance)
        with self._lock:
            kept = self._stats.get(clearance)
        if kept is None:
            version = self.store.version()
            # the hidden set is read inside: counts are shared under the state read first
            kept = self.results.get(_stats_name(clearance), lambda: self.read_split(clearance, self._count))
            with self._lock:
                if self._version == version:
                    self._stats[clearance] = kept
        return {part: dict(counts) for part, counts in kept.items()}

    def _count(self, by_label: Split) -> Stats:
        nodes = Counter(self.store.label_counts())
        nodes.subtract({label: len(keys) for label, keys in by_label.items()})
        edges = Counter(self.store.edge_type_counts())
        touching = getattr(self.store, "edge_type_counts_touching", None)
        if by_label and touching is not None:
            edges.subtract(touching(by_label))
        elif by_label:
            hidden = sorted(NodeRef(label, key) for label, keys in by_label.items() for key in keys)
            for edge in self.store.edges(hidden, direction="both"):
                edges[edge.type] -= 1
        return _positive(nodes, edges)


def _stats_name(clearance: Clearance) -> str:
    """What a clearance's counts are shared under (``registry.service.shared``)."""
    return f"stats@{int(clearance)}"


def _positive(nodes: Counter[str], edges: Counter[str]) -> Stats:
    return {
        "nodes": {k: v for k, v in sorted(nodes.items()) if v > 0},
        "edges": {k: v for k, v in sorted(edges.items()) if v > 0},
    }


def _moved(split: Split, changed: Mapping[NodeRef, int | None], clearance: Clearance) -> Split:
    """A clearance's hidden keys by label moved by the levels a write changed, by label
    where it changed: splitting the whole set again cost the first request after an
    import 0.6 s at 100k datasets."""
    by_label = dict(split)
    moved: dict[str, tuple[set[str], set[str]]] = {}
    for ref, level in changed.items():
        gone, new = moved.setdefault(ref.label, (set(), set()))
        (new if level is not None and level > clearance else gone).add(ref.key)
    for label, (gone, new) in moved.items():
        keys = (by_label.get(label, frozenset()) - gone) | new
        if keys:
            by_label[label] = keys
        else:
            by_label.pop(label, None)
    return by_label
