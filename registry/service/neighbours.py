"""Each node's visible neighbours over one edge type, per clearance, for the store's version.

The API's edge fields (a department's systems and datasets, a dataset's fields and
provider) are answered level by level for a whole page at once (``registry.graphql.loaders``):
the edges of every node of the level, less those touching what the caller may not see,
then the records at their far ends, less the hidden ones, sorted by key. Even with the
store's records kept (``registry.store.read_cache``) that was about a third of an executed
dashboard request at 10k datasets, every time. What a caller may see is decided by its
clearance alone (``VisibilityCache``), so one node's answer is kept under (clearance,
direction, edge type, node) until the store's version moves, here or in another process,
as counts are (``registry.service.counts``); an answer read while the registry moved is
not kept. It is never shared between clearances: a caller cleared further reaches
neighbours the public does not, and the public caller must not get them.

Memory is bounded by ``MAX_HELD`` (an entry weighs its links plus one); past it the
entries kept first go first.
"""

from collections.abc import Callable, Sequence
from threading import Lock

from registry.bounded import Bounded
from registry.schema.records import Direction, EdgeRecord, NodeRecord, NodeRef

Link = tuple[EdgeRecord, NodeRecord]
Links = tuple[Link, ...]

MAX_HELD = 100_000
"""Links kept at once per process."""


class Neighbours:
    def __init__(self, version: Callable[[], int], limit: int = MAX_HELD) -> None:
        self._version_of = version
        self._version: int | None = None
        self._kept: Bounded[Links] = Bounded(lambda links: len(links) + 1, limit)
        self._lock = Lock()

    def get(
        self,
        clearance: int,
        refs: Sequence[NodeRef],
        direction: Direction,
        edge_type: str,
        read: Callable[[list[NodeRef]], dict[tuple[str, str], Links]],
    ) -> list[Links]:
        """For each of ``refs``, its links as kept for ``clearance``, or as ``read`` (called
        once with every ref not kept, answering by (label, key)) finds them."""
        version = self._version_of()
        keys: list[tuple[int, str, str, str, str]] = [
            (clearance, direction, edge_type, ref.label, ref.key) for ref in refs
        ]
        with self._lock:
            self._at(version)
            found = [self._kept.values.get(key) for key in keys]
        missing = [ref for ref, links in zip(refs, found, strict=True) if links is None]
        if not missing:
            return found  # type: ignore[return-value]
        fresh = read(missing)
        out = [
            links if links is not None else fresh.get((ref.label, ref.key), ())
            for ref, links in zip(refs, found, strict=True)
        ]
        if self._version_of() == version:
            with self._lock:
                self._at(version)
                for ref in missing:
                    self._kept.put(
                        (clearance, direction, edge_type, ref.label, ref.key), fresh.get((ref.label, ref.key), ())
                    )
        return out

    def _at(self, version: int) -> None:
        if version != self._version:
            self._kept.clear()
            self._version = version
