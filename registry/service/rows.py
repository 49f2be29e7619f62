"""The registry row by row as one caller may read it (``RegistryService.rows``).

A caller cleared for everything reads the store as it is, retired entries and all
history included (an administrator's export restores a registry exactly). Any other
caller reads the live entries it may see, the edges whose two ends it may see, and the
history of those only: retired entries are left out, since their clearance is not known
(levels are computed on the live graph), and leaving them out cannot leak.

Levels kept in the store are sparse (a node without one needs none), so a node written
after the hidden keys were read would read as visible. Such a caller's rows are read at
the version the hidden keys are exact for, checked as they are read (``_at``): a single
SQLite statement reads one snapshot, and the connection keeps it while the statement
runs, so the version read after a stream's first row is the version of all its rows; it
is read again every ``CHECK_EVERY`` rows for the streams made of several statements. A
write in between ends the read with ``Busy``: the same request may simply be tried again.
"""

from collections.abc import Callable, Collection, Iterator
from typing import TypeVar

from registry.schema.records import EdgeRecord, HistoryEntry, NodeRecord
from registry.schema.rows import EdgeEnds, LinkedGroup, edge_ends, linked_groups, node_names
from registry.service.errors import Busy
from registry.service.visibility_cache import BUSY_MESSAGE
from registry.store.base import Store

Visible = Callable[[str, str], bool]
"""Whether the caller may read the node (label, key)."""
T = TypeVar("T")
CHECK_EVERY = 10_000
"""Rows read between two checks of the store's version."""


class CallerRows:
    def __init__(
        self,
        store: Store,
        visible: Visible | None,
        version: int | None = None,
        hidden_of: Callable[[str], frozenset[str]] | None = None,
    ) -> None:
        """``visible`` None: everything (the highest clearance); ``version``: the store
        version ``visible`` holds for, checked as rows are read (None: ``visible`` knows
        every node, and one it does not know is hidden); ``hidden_of``, when given: every
        key of a label that ``visible`` rejects."""
        self._store = store
        self._visible = visible
        self._version = version
        self._hidden_of = hidden_of

    def _at(self, rows: Iterator[T]) -> Iterator[T]:
        """``rows``, each given out only while the store is at ``_version``."""
        version = self._version
        if version is None:
            yield from rows
            return
        for n, row in enumerate(rows):
            if n % CHECK_EVERY == 0 and self._store.version() != version:
                raise Busy(BUSY_MESSAGE)
            yield row

    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]:
        visible = self._visible
        if visible is None:
            return self._store.iter_nodes(labels, include_retired=include_retired)
        return (n for n in self._at(self._store.iter_nodes(labels)) if visible(n.label, n.key))

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]:
        visible = self._visible
        if visible is None:
            return self._store.iter_edges(types, include_retired=include_retired)
        return (
            e
            for e in self._at(self._store.iter_edges(types))
            if visible(e.src.label, e.src.key) and visible(e.dst.label, e.dst.key)
        )

    def iter_edge_ends(self, types: Collection[str]) -> Iterator[EdgeEnds]:
        visible = self._visible
        ends = edge_ends(self._store, types)
        if visible is None:
            return ends
        return (e for e in self._at(ends) if visible(e[1], e[2]) and visible(e[3], e[4]))

    def iter_node_names(self, label: str) -> Iterator[tuple[str, str | None]]:
        visible = self._visible
        names = node_names(self._store, label)
        if visible is None:
            return names
        return ((key, name) for key, name in self._at(names) if visible(label, key))

    def iter_linked_groups(self, edge_type: str, label: str) -> Iterator[LinkedGroup]:
        visible = self._visible
        groups = linked_groups(self._store, edge_type, label)
        if visible is None:
            return groups
        hidden = None if self._hidden_of is None else self._hidden_of(label)
        return _visible_groups(self._at(groups), label, visible, hidden)

    def iter_history(self) -> Iterator[HistoryEntry]:
        visible = self._visible
        if visible is None:
            return self._store.iter_history()
        return (h for h in self._at(self._store.iter_history()) if _shown(h, visible))


def _shown(entry: HistoryEntry, visible: Visible) -> bool:
    if entry.edge is not None:
        return visible(entry.edge.src.label, entry.edge.src.key) and visible(entry.edge.dst.label, entry.edge.dst.key)
    return entry.node is not None and visible(entry.node.label, entry.node.key)


def _visible_groups(
    groups: Iterator[LinkedGroup], label: str, visible: Visible, hidden: frozenset[str] | None
) -> Iterator[LinkedGroup]:
    """Groups whose source the caller may see, holding only the targets it may see. With
    ``hidden`` (every key of ``label`` the caller may not see) a group none of whose
    targets is hidden, nearly all of them, is passed on after one set operation in C,
    not a call per target (20M fields at national size)."""
    for source_label, source, keys, names in groups:
        if not visible(source_label, source):
            continue
        if hidden is not None and hidden.isdisjoint(keys):
            yield source_label, source, keys, names
            continue
        shown = [visible(label, key) for key in keys]
        if all(shown):
            yield source_label, source, keys, names
        elif any(shown):
            yield (
                source_label,
                source,
                [k for k, s in zip(keys, shown, strict=True) if s],
                [n for n, s in zip(names, shown, strict=True) if s],
            )
