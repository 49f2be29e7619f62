"""The Store protocol: what the service needs from a graph store, nothing more.

A store is deliberately ignorant of validation, permissions and visibility (the service
decides those) and knows only labelled nodes with natural keys, typed edges, provenance
and history. ``exclude`` parameters let the service hide nodes without the store knowing
why.
"""

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
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
from registry.schema.rows import GraphRows


class StoreError(Exception):
    """A store could not be opened or did not answer; the message is safe to show."""


class StoreBusy(StoreError):
    """Another writer held the store for longer than a write may wait."""


class StoreMoved(StoreError):
    """Another program wrote since the version a write was made for (``at_version``): the
    caller's checks were made over a registry that is no longer there, so nothing more of
    the write is kept and the caller checks again."""


def expect_version(found: int, expected: int | None) -> None:
    """Raise ``StoreMoved`` unless a write made for ``expected`` found the store there
    (None: a write made without a version, which always goes ahead)."""
    if expected is not None and found != expected:
        raise StoreMoved(f"the registry moved from version {expected} to {found} before this write")


class DanglingEdges(ValueError):
    """A write's edges name nodes the store does not hold: wrong input, not a store fault,
    so the service reports it to the caller as such (and only this, not any ValueError)."""


Finish = Callable[[ApplyResult], ChangeSet]
"""The last step of a chunked load: given the outcome of every chunk, the retirements
and the batch record to apply after them (see ``Store.apply_chunks``)."""


def final_step(changes: ChangeSet) -> Finish:
    """``changes``' retirements and record as a ``Finish``: how ``apply`` is a one-chunk load."""
    return lambda _result: ChangeSet(
        retire_nodes=changes.retire_nodes, retire_edges=changes.retire_edges, record=changes.record
    )


def check_chunk(chunk: ChangeSet) -> None:
    """A chunk upserts; retiring happens in a load's final step only."""
    if chunk.retire_nodes or chunk.retire_edges or chunk.record is not None:
        raise ValueError("a chunk of a load may only upsert; retirements and the record belong to its final step")


def upserts(changes: ChangeSet) -> ChangeSet:
    """The upserting part of ``changes``: a chunk as ``apply_chunks`` takes it."""
    return ChangeSet(nodes=changes.nodes, edges=changes.edges, node_rows=changes.node_rows, edge_rows=changes.edge_rows)


@runtime_checkable
class Store(GraphRows, Protocol):
    """Everything a registry store does; reading it whole, row by row, is ``GraphRows``."""

    url: str
    loads_atomically: bool
    """``apply_chunks`` writes a whole load in one transaction: a load may then begin
    writing before its file is checked to the end, since a refusal rolls it all back."""

    def version(self) -> int:
        """Increases with every committed write; caches key on it."""
        ...

    def ping(self) -> None:
        """Raise StoreError if the store cannot answer."""
        ...

    def apply(
        self, changes: ChangeSet, prov: Provenance, *, dry_run: bool = False, at_version: int | None = None
    ) -> ApplyResult:
        """Upsert and retire atomically: either all of ``changes`` is committed or none.
        Upserts merge properties; an upsert of a retired node or edge revives it; retiring
        a node retires its edges. With ``dry_run`` the outcome is computed and rolled back.
        With ``at_version``, the write is made only if the store is at that version inside
        its own transaction; otherwise ``StoreMoved`` and nothing written."""
        ...

    def apply_chunks(
        self,
        chunks: Iterable[ChangeSet],
        prov: Provenance,
        finish: Finish | None = None,
        *,
        dry_run: bool = False,
        at_version: int | None = None,
    ) -> ApplyResult:
        """One file's load, applied chunk by chunk so that memory is bounded by a chunk,
        not by the file. ``apply(changes)`` is this with one chunk.

        - Chunks carry upserts only (``nodes`` and ``edges``; a chunk with retirements or
          a record is a ValueError). Upserts are idempotent: applying a chunk again
          changes nothing and counts as unchanged. An edge may point at a node upserted
          by its own chunk or an earlier one, or already stored.
        - ``chunks`` is consumed lazily, one chunk at a time; the caller may validate and
          build each chunk while the previous ones are in the store.
        - After the last chunk, ``finish`` is called once with the outcome so far. It may
          read this store, which then shows every chunk's writes, and returns the final
          step: retirements (of entries the file no longer lists) and the batch record.
          Retirement happens only there. The record is written, with the counts of the
          whole load, only if something changed.
        - If iterating ``chunks`` or calling ``finish`` raises, the load is abandoned and
          the exception propagates. The SQLite store applies all chunks of a load in one
          transaction, so an abandoned or killed load leaves the registry as it was. A
          store that commits each chunk (Neo4j) marks the batch in progress until the
          final step commits and never retires anything of an abandoned load; re-running
          the same file completes it.
        - With ``dry_run`` the outcome is computed and nothing is kept.
        - With ``at_version`` (the version at which the caller's rights were checked), every
          transaction of the load checks, under the store's write lock, that nobody else
          wrote since: the first that finds the store moved raises ``StoreMoved`` and writes
          nothing. One transaction (SQLite) checks once; a store that commits each chunk
          checks in each chunk's transaction and in the final step's, against the version
          its own previous commit left, so another program's write between two chunks stops
          the load before its next chunk, and before it retires anything.
        """
        ...

    def open_loads(self) -> list[Provenance]:
        """Loads that began and never reached their final step (killed midway), oldest
        first, unless a later load of the same source completed. Always empty where a load
        is one transaction (SQLite); on a store that commits chunk by chunk, running the
        same file again completes such a load."""
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

    def batches_between(self, since: str | None, until: str | None) -> list[Provenance]:
        """The write batches made at or after ``since`` and before ``until`` (ISO 8601 UTC;
        None for no bound), oldest first: the spine of the change feed."""
        ...

    def changes_in(self, batches: Collection[str]) -> Iterator[HistoryEntry]:
        """What those batches did, in order: a ``create`` entry (no property changes: the
        record's current state tells them) for each node they created, then every stored
        update, retirement and revival they made."""
        ...

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
