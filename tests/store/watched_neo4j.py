"""A Neo4j store that lets a test act between a load's chunk commits."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from registry.schema.records import ApplyResult, ChangeSet, Provenance
from registry.store.base import Finish
from registry.store.neo4j import Neo4jStore


class WatchedNeo4jStore(Neo4jStore):
    """Calls ``on_chunk(n)`` when a load asks for its chunk ``n``: Neo4j commits each chunk
    in its own transaction, so chunks 0..n-1 are committed then and chunk n is not begun.
    That is where a killed process, or another program's write, lands."""

    on_chunk: Callable[[int], object] | None = None

    def apply_chunks(
        self, chunks: Iterable[ChangeSet], prov: Provenance, finish: Finish | None = None, **options: Any
    ) -> ApplyResult:
        return super().apply_chunks(self._watched(chunks), prov, finish, **options)

    def _watched(self, chunks: Iterable[ChangeSet]) -> Iterator[ChangeSet]:
        for n, chunk in enumerate(chunks):
            if self.on_chunk is not None:
                self.on_chunk(n)
            yield chunk
