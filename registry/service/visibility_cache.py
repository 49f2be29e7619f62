"""What each clearance may not see, kept until the store's next write.

``registry.service.visibility`` decides the rule (the clearance each node needs); this
module keeps its consequences per clearance so that a request pays for none of them
twice: the hidden set, the same set split by label, the caller's projection for the
analyses, and the counts of ``stats``. Everything is dropped together when the store's
version moves, so no view can outlive the write that made it stale, except what a write
made in this process carries across (``after_write``): the levels, the hidden sets and
the counts, moved by what that write changed. Levels cost a projection of the whole
registry, so they are computed only when a caller below the highest clearance first asks.

One write is an exception: a review decision (``after_review``). It changes no other
entry's level and nothing any analysis reads, so the whole projection each clearance's
analyses run on is kept across it, and with it every result remembered on that graph
(``registry.analysis.memo``): confirming or dismissing a finding in the work queue would
otherwise recompute every analysis of the registry for the next page.
"""

from collections import Counter
from collections.abc import Collection, Mapping
from threading import Lock

import networkx as nx

from registry.schema.enums import Clearance
from registry.schema.records import LEVELS, ApplyResult, EdgeRef, Key, NodeRef
from registry.service.levels import StoreGraph, update_levels
from registry.service.shared import SharedResults
from registry.service.visibility import HIGHEST_LEVEL, hidden_from, levels_of
from registry.store.base import Store
from registry.store.projection import visible_subgraph

LEVELS_RESULT = "levels"
"""The name every node's level is shared under (``registry.service.shared``)."""
GraphKey = tuple[Clearance, frozenset[str] | None, frozenset[str] | None]
Stats = dict[str, dict[str, int]]


class VisibilityCache:
    def __init__(self, store: Store, results: SharedResults) -> None:
        self.store = store
        self.results = results
        self._version: int | None = None
        self._levels: dict[NodeRef, int] | None = None
        self._hidden: dict[Clearance, frozenset[NodeRef]] = {}
        self._split: dict[Clearance, tuple[frozenset[NodeRef], dict[str, frozenset[str]]]] = {}
        self._graphs: dict[GraphKey, nx.MultiDiGraph] = {}
        self._analysed: dict[Clearance, nx.MultiDiGraph] = {}
        """The whole projection per clearance (no selection), which the analyses run on;
        unlike the other views it is kept across review decisions."""
        self._stats: dict[Clearance, Stats] = {}
        self._lock = Lock()

    def _refresh(self, *, levels: bool = True) -> None:
        """Drop what the last write made stale; compute every node's level only when asked,
        since that costs a projection of the whole registry. Called under the lock."""
        version = self.store.version()
        if version != self._version:
            self._levels = None
            self._hidden.clear()
            self._graphs.clear()
            self._analysed.clear()
            self._stats.clear()
            self._version = version
        if levels and self._levels is None:
            self._levels = self.results.get(LEVELS_RESULT, lambda: levels_of(self.store.projection()))

    def tracking(self) -> int | None:
        """The store version the levels hold for, when they are current: then a write
        updates them (``after_write``) instead of leaving the next reader to recompute
        them all over a projection of the whole registry."""
        with self._lock:
            version = self.store.version()
            return version if self._levels is not None and self._version == version else None

    def after_write(self, before: int | None, result: ApplyResult, touched: set[Key], batch: str | None = None) -> None:
        """Bring the levels, the hidden sets and the counts up to date with a committed
        write (batch ``batch``) that touched ``touched`` (see ``registry.service.levels``):
        only the nodes whose level moved enter or leave each hidden set, and the counts
        move by what changed at the nodes touched or moved (``_carried``). Projections are
        per version and rebuilt when next asked. The levels are copied, not changed in
        place: an analysis still running on the previous projection keeps that version's
        levels."""
        if before is None or not result.changed:
            return
        with self._lock:
            if self._levels is None or self._version != before or result.version != before + 1:
                return  # another writer came between: the next reader recomputes
            self._carry(self._levels, touched, batch, result.version)
            self._analysed.clear()

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
            if self._version != before or result.version != before + 1:
                return False
            if self._levels is not None:
                self._carry(self._levels, {(review.label, review.key)}, batch, result.version)
            else:
                self._stats.clear()
                self._graphs.clear()
                self._version = result.version
            return True

    def _carry(self, old: dict[NodeRef, int], touched: set[Key], batch: str | None, version: int) -> None:
        """Move the levels, hidden sets, hidden keys by label and counts from the version
        before a write that touched ``touched`` to ``version``, the one it made. The levels
        are copied, not changed in place: an analysis still running on the previous
        projection keeps that version's levels. Called under the lock."""
        levels = dict(old)
        changed = update_levels(levels, StoreGraph(self.store), touched).changed
        for clearance, hidden in list(self._hidden.items()):
            added = {ref for ref, level in changed.items() if level is not None and level > clearance}
            removed = {ref for ref in changed if ref not in added}
            self._hidden[clearance] = frozenset((hidden - removed) | added)
            self._carry_split(clearance, hidden, added, removed)
        self._stats = self._carried(old, levels, changed, touched, batch, version)
        self._levels = levels
        self._graphs.clear()
        self._version = version
        self._share(levels, version)

    def _carry_split(
        self, clearance: Clearance, hidden: frozenset[NodeRef], added: set[NodeRef], removed: set[NodeRef]
    ) -> None:
        """Move the clearance's hidden keys by label (``hidden_by_label``) from ``hidden``
        to the set a write made of it, by label where it changed: splitting the whole set
        again cost the first request after an import 0.6 s at 100k datasets."""
        split = self._split.get(clearance)
        if split is None or split[0] is not hidden:
            return
        by_label = dict(split[1])
        for label in {ref.label for ref in added | removed}:
            gone = {ref.key for ref in removed if ref.label == label}
            new = {ref.key for ref in added if ref.label == label}
            keys = (by_label.get(label, frozenset()) - gone) | new
            if keys:
                by_label[label] = keys
            else:
                by_label.pop(label, None)
        self._split[clearance] = (self._hidden[clearance], by_label)

    def _carried(
        self,
        old: Mapping[NodeRef, int],
        new: Mapping[NodeRef, int],
        changed: Mapping[NodeRef, int | None],
        touched: Collection[Key],
        batch: str | None,
        version: int,
    ) -> dict[Clearance, Stats]:
        """The counts kept for the version before a write (``old`` levels), moved to the
        version it made (``new`` levels): a node counts where its level moved (created,
        retired and revived nodes among them), an edge where it was created, retired or
        revived or an end's level moved, and every such edge has an end the write touched
        or whose level moved, so ``SQLiteStore.edges_around`` those nodes finds them all
        with whether each was live before the write. Recounting instead read every edge
        at every hidden node (seconds at 100k datasets, on the first dashboard after each
        import). Empty, so that the next reader recounts, where the store cannot tell
        (no ``edges_around``, no batch) or another write has come since."""
        around = getattr(self.store, "edges_around", None)
        if not self._stats or around is None or batch is None:
            return {}
        edges: list[tuple[EdgeRef, bool, bool]] = around({*(NodeRef(*key) for key in touched), *changed}, batch)
        if self.store.version() != version:
            return {}
        carried: dict[Clearance, Stats] = {}
        for clearance, stats in self._stats.items():
            nodes, links = Counter(stats["nodes"]), Counter(stats["edges"])
            for ref, level in changed.items():
                was = old.get(ref)
                nodes[ref.label] += int(level is not None and level <= clearance) - int(
                    was is not None and was <= clearance
                )
            for edge, was_live, live in edges:
                seen = was_live and old.get(edge.src, 0) <= clearance and old.get(edge.dst, 0) <= clearance
                sees = live and new.get(edge.src, 0) <= clearance and new.get(edge.dst, 0) <= clearance
                links[edge.type] += int(sees) - int(seen)
            carried[clearance] = _positive(nodes, links)
        return carried

    def _share(self, levels: dict[NodeRef, int], version: int) -> None:
        """Hand levels and counts kept up to date by a write to the other processes
        serving the store."""
        state = self.results.state()
        if state[0] == version:
            self.results.put(LEVELS_RESULT, state, levels)
            for clearance, stats in self._stats.items():
                self.results.put(_stats_name(clearance), state, stats)

    def _known_levels(self) -> dict[NodeRef, int]:
        self._refresh()
        return self._levels or {}

    def levels(self) -> dict[NodeRef, int]:
        """The clearance every live node needs."""
        with self._lock:
            return self._known_levels()

    def hidden(self, clearance: Clearance) -> frozenset[NodeRef]:
        with self._lock:
            self._refresh(levels=False)
            if clearance >= HIGHEST_LEVEL:
                # nothing needs more than the highest clearance: skip the levels, which
                # cost O(registry) after each write (every import checks its caller)
                return frozenset()
            if clearance not in self._hidden:
                self._hidden[clearance] = hidden_from(self._known_levels(), clearance)
            return self._hidden[clearance]

    def required_clearance(self, ref: NodeRef) -> int:
        with self._lock:
            return self._known_levels().get(ref, 0)

    def hidden_by_label(self, clearance: Clearance) -> dict[str, frozenset[str]]:
        """The hidden keys by label, split once per hidden set: walking the whole set (tens
        of thousands of fields on a province registry) for every page, count and batch of
        a request was a large part of a dashboard query's time, and a key looked up in its
        label's set costs less than hashing a NodeRef."""
        hidden = self.hidden(clearance)
        if not hidden:
            return {}
        with self._lock:
            split = self._split.get(clearance)
            if split is None or split[0] is not hidden:
                by_label: dict[str, set[str]] = {}
                for ref in hidden:
                    by_label.setdefault(ref.label, set()).add(ref.key)
                split = (hidden, {name: frozenset(keys) for name, keys in by_label.items()})
                self._split[clearance] = split
            return split[1]

    def graph(
        self, clearance: Clearance, labels: Collection[str] | None, edge_types: Collection[str] | None
    ) -> nx.MultiDiGraph:
        """The projection with what ``clearance`` may not see cut out, one per clearance and
        selection until the store changes. It carries every node's level (``LEVELS``), as
        judged on the whole registry: analyses asking about classification read them.
        Without a selection it is the analysed projection, kept across review decisions
        (``after_review``)."""
        hidden = self.hidden(clearance)
        whole = labels is None and edge_types is None
        if whole:
            with self._lock:
                kept = self._analysed.get(clearance) if self._version == self.store.version() else None
            if kept is not None:
                return kept
        full = self.store.projection(labels, edge_types)
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
        self.hidden(clearance)
        with self._lock:
            kept = self._stats.get(clearance)
        if kept is None:
            version = self.store.version()
            # the hidden set is read inside: counts are shared under the state read first
            kept = self.results.get(
                _stats_name(clearance), lambda: self._count(self.hidden(clearance), self.hidden_by_label(clearance))
            )
            with self._lock:
                if self._version == version:
                    self._stats[clearance] = kept
        return {part: dict(counts) for part, counts in kept.items()}

    def _count(self, hidden: frozenset[NodeRef], by_label: dict[str, frozenset[str]]) -> Stats:
        nodes = Counter(self.store.label_counts())
        nodes.subtract({label: len(keys) for label, keys in by_label.items()})
        edges = Counter(self.store.edge_type_counts())
        touching = getattr(self.store, "edge_type_counts_touching", None)
        if hidden and touching is not None:
            edges.subtract(touching(by_label))
        elif hidden:
            for edge in self.store.edges(sorted(hidden), direction="both"):
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
