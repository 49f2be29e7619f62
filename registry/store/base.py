"""The Store protocol: what the service needs from a graph store, nothing more.

A store is deliberately ignorant of validation, permissions and visibility (the service
decides those) and knows only labelled nodes with natural keys, typed edges, provenance
and history. ``exclude`` parameters let the service hide nodes without the store knowing
why.
"""

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import networkx as nx

from registry.schema.records import (
    ApplyResult,
    ChangeSet,
    Direction,
    EdgeRecord,
    HistoryEntry,
    NodeRecord,
    NodeRef,
    Provenance,
)


class StoreError(Exception):
    """A store could not be opened or did not answer; the message is safe to show."""


@runtime_checkable
class Store(Protocol):
    url: str

    def version(self) -> int:
        """Increases with every committed write; caches key on it."""
        ...

    def ping(self) -> None:
        """Raise StoreError if the store cannot answer."""
        ...

    def apply(self, changes: ChangeSet, prov: Provenance, *, dry_run: bool = False) -> ApplyResult:
        """Upsert and retire atomically: either all of ``changes`` is committed or none.
        Upserts merge properties; an upsert of a retired node or edge revives it; retiring
        a node retires its edges. With ``dry_run`` the outcome is computed and rolled back."""
        ...

    def get_nodes(
        self, label: str, keys: Collection[str], *, include_retired: bool = False
    ) -> dict[str, NodeRecord]: ...

    def find_nodes(
        self,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        exclude: Collection[str] = (),
        after: str | None = None,
        limit: int | None = None,
    ) -> list[NodeRecord]:
        """Live nodes ordered by key, after the key ``after``. ``where`` compares top-level
        properties for equality; ``text`` is a case-insensitive substring of the name."""
        ...

    def count_nodes(
        self,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        exclude: Collection[str] = (),
    ) -> int: ...

    def edges(
        self,
        nodes: Sequence[NodeRef],
        *,
        direction: Direction = "out",
        types: Collection[str] | None = None,
    ) -> list[EdgeRecord]:
        """Live edges touching any of ``nodes``; one call for a whole page (DataLoaders)."""
        ...

    def history(self, ref: NodeRef) -> list[HistoryEntry]:
        """Changes to the node and to the edges that touch it, oldest first."""
        ...

    def label_counts(self) -> dict[str, int]: ...

    def edge_type_counts(self) -> dict[str, int]: ...

    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]: ...

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]: ...

    def iter_history(self) -> Iterator[HistoryEntry]: ...

    def restore(
        self,
        nodes: Iterable[NodeRecord],
        edges: Iterable[EdgeRecord],
        history: Iterable[HistoryEntry],
    ) -> None:
        """Load records exactly as exported (provenance and history kept), atomically;
        used to move a registry between stores."""
        ...

    def projection(
        self, labels: Collection[str] | None = None, edge_types: Collection[str] | None = None
    ) -> nx.MultiDiGraph:
        """The live graph (or the named part) as networkx, cached until ``version`` moves.
        Nodes are ``NodeRef``s with attributes ``label`` and the node's properties; edges
        are keyed by type. Callers must not mutate it."""
        ...

    def close(self) -> None: ...
