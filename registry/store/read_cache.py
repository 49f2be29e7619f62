"""Decoded records and edge lists of one committed store version, shared by every reader.

A dashboard's executed requests read the same few thousand records again and again: a
page of departments reaches every dataset they provide, a page of datasets every field.
Building a record from its row (its properties decoded from JSON, its provenance looked
up, an object per edge) was about half of such a request's time at 10k datasets, each
time. A record read at one version of the store is the same for every later read at that
version, so the store keeps what it built until its version moves (a write here or in
another process) and drops it all then.

Nothing here decides visibility: these are the store's records as stored, and the service
filters them for each caller exactly as it filters a fresh read, so what one caller's
request brought in can reach another caller only through that filter. Reads made inside
a write transaction (a load's own reads, a dry run's) see rows that are not committed and
may be rolled back: the store does not use the cache for them (``SQLiteStore``).

Memory is bounded by ``MAX_HELD`` objects (a record, or an edge in a list); past it the
entries kept first go first.
"""

from collections.abc import Callable, Iterable

from registry.bounded import Bounded
from registry.schema.records import EdgeRecord, NodeRecord

MAX_HELD = 100_000
"""Records and edges kept at once per store: the bench's executed dashboard mix reaches
about 15,000 (bench/README.md); a dataset record with its properties is about 2 KB."""


class ReadCache:
    """What one store has built for one version; ``at`` starts over when the version moves."""

    def __init__(self, limit: int = MAX_HELD) -> None:
        self.version: int | None = None
        self.nodes: Bounded[NodeRecord | None] = Bounded(lambda _record: 1, limit)
        self.edges: Bounded[tuple[EdgeRecord, ...]] = Bounded(lambda edges: len(edges) + 1, limit)

    def at(self, version: int) -> "ReadCache":
        if version != self.version:
            self.version = version
            self.nodes.clear()
            self.edges.clear()
        return self

    def get_nodes(
        self, label: str, keys: Iterable[str], read: Callable[[list[str]], dict[str, NodeRecord]]
    ) -> tuple[dict[str, NodeRecord], Callable[[int], None]]:
        """The live records of ``keys`` (a missing key is kept as absent too), reading only
        those not kept with ``read``; the second value keeps what was read, to be called with
        the version read after it (nothing is kept if that moved)."""
        found: dict[str, NodeRecord] = {}
        missing: list[str] = []
        kept = self.nodes.values
        for key in keys:
            record = kept.get((label, key), kept)
            if record is kept:
                missing.append(key)
            elif record is not None:
                found[key] = record  # type: ignore[assignment]
        fresh = read(missing) if missing else {}
        found.update(fresh)
        version = self.version

        def keep(now: int) -> None:
            if now == version == self.version:
                for key in missing:
                    self.nodes.put((label, key), fresh.get(key))

        return found, keep

    def get_edges(
        self,
        side: str,
        anchors: list[tuple[str, str]],
        types: tuple[str, ...] | None,
        read: Callable[[list[tuple[str, str]]], list[EdgeRecord]],
    ) -> tuple[list[EdgeRecord], Callable[[int], None]]:
        """The live edges whose ``side`` ("src" or "dst") is one of ``anchors`` (distinct
        (label, key) pairs), anchor by anchor in their order, reading only the anchors not
        kept with ``read``; the second value keeps what was read, as in ``get_nodes``."""
        kept = self.edges.values
        lists: list[tuple[EdgeRecord, ...] | None] = [kept.get((side, anchor, types)) for anchor in anchors]
        missing = [anchor for anchor, edges in zip(anchors, lists, strict=True) if edges is None]
        grouped: dict[tuple[str, str], list[EdgeRecord]] = {anchor: [] for anchor in missing}
        if missing:
            for edge in read(missing):
                end = edge.src if side == "src" else edge.dst
                grouped[(end.label, end.key)].append(edge)
        out: list[EdgeRecord] = []
        for anchor, edges in zip(anchors, lists, strict=True):
            out.extend(edges if edges is not None else grouped[anchor])
        version = self.version

        def keep(now: int) -> None:
            if now == version == self.version:
                for anchor, edges in grouped.items():
                    self.edges.put((side, anchor, types), tuple(edges))

        return out, keep
