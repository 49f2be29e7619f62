"""DataLoaders: every edge and node lookup of one request level becomes one service call.

A page of departments asking for their systems and datasets resolves, level by level,
into one ``service.edges`` call per (direction, edge type) and one ``service.get_many``
call per label, however long the page is. Loaders live for one request, so their cache
never outlives the caller it was filled for.
"""

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from registry.service import Caller, RegistryService
from registry.store.records import Direction, EdgeRecord, NodeRecord, NodeRef

EdgeKey = tuple[NodeRef, Direction, str]


class Loaders:
    def __init__(self, service: RegistryService, caller: Caller) -> None:
        self.service = service
        self.caller = caller
        self.nodes: DataLoader[NodeRef, NodeRecord | None] = DataLoader(load_fn=self._load_nodes)
        self.edges: DataLoader[EdgeKey, list[EdgeRecord]] = DataLoader(load_fn=self._load_edges)

    async def _load_nodes(self, refs: Sequence[NodeRef]) -> list[NodeRecord | None]:
        by_label: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            by_label[ref.label].append(ref.key)
        found = {label: self.service.get_many(self.caller, label, keys) for label, keys in by_label.items()}
        return [found[ref.label].get(ref.key) for ref in refs]

    async def _load_edges(self, keys: Sequence[EdgeKey]) -> list[list[EdgeRecord]]:
        groups: dict[tuple[Direction, str], list[NodeRef]] = defaultdict(list)
        for ref, direction, edge_type in keys:
            groups[(direction, edge_type)].append(ref)
        out: dict[EdgeKey, list[EdgeRecord]] = defaultdict(list)
        for (direction, edge_type), refs in groups.items():
            for edge in self.service.edges(self.caller, refs, direction=direction, types=[edge_type]):
                anchor = edge.src if direction == "out" else edge.dst
                out[(anchor, direction, edge_type)].append(edge)
        return [out.get(key, []) for key in keys]

    async def linked(self, ref: NodeRef, edge_type: str, direction: Direction) -> list[tuple[EdgeRecord, NodeRecord]]:
        """The edges of one type leaving (``out``) or entering (``in``) ``ref``, each with the
        record at its other end, ordered by that end's key."""
        edges = await self.edges.load((ref, direction, edge_type))
        others = [e.dst if direction == "out" else e.src for e in edges]
        records = await self.nodes.load_many(others)
        pairs = [(e, r) for e, r in zip(edges, records, strict=True) if r is not None]
        return sorted(pairs, key=lambda pair: (pair[1].label, pair[1].key))
