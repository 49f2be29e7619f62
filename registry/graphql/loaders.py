"""DataLoaders: every edge and node lookup of one request level becomes one service call.

A page of departments asking for their systems and datasets resolves, level by level,
into one ``service.edges`` call per (direction, edge type) and one ``service.get_many``
call per label, however long the page is. Loaders live for one request, so their cache
never outlives the caller it was filled for.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import partial

from strawberry.dataloader import DataLoader

from registry.schema.records import Direction, EdgeRecord, NodeRecord, NodeRef
from registry.service import Caller, RegistryService

LinkKey = tuple[NodeRef, Direction, str]
Link = tuple[EdgeRecord, NodeRecord]


class Loaders:
    """The load functions are bound to the service and caller, not to this object: a loader
    holding a method of its owner would form a reference cycle, and the thousands of records
    in its cache would then wait for a full collection instead of going with the request."""

    def __init__(self, service: RegistryService, caller: Caller) -> None:
        self.nodes: DataLoader[NodeRef, NodeRecord | None] = DataLoader(load_fn=partial(_load_nodes, service, caller))
        self.links: DataLoader[LinkKey, list[Link]] = DataLoader(load_fn=partial(_load_links, service, caller))

    async def linked(self, ref: NodeRef, edge_type: str, direction: Direction) -> list[Link]:
        """The edges of one type leaving (``out``) or entering (``in``) ``ref``, each with the
        record at its other end, ordered by that end's key."""
        return await self.links.load((ref, direction, edge_type))


def _records(service: RegistryService, caller: Caller, refs: Sequence[NodeRef]) -> dict[tuple[str, str], NodeRecord]:
    """Keyed by plain (label, key) tuples, which compare in C; ``NodeRef`` equality is a
    Python call, and a page compares thousands of them."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        by_label[ref.label].append(ref.key)
    return {
        (label, key): record
        for label, keys in by_label.items()
        for key, record in service.get_many(caller, label, keys).items()
    }


async def _load_nodes(service: RegistryService, caller: Caller, refs: Sequence[NodeRef]) -> list[NodeRecord | None]:
    found = _records(service, caller, refs)
    return [found.get((ref.label, ref.key)) for ref in refs]


async def _load_links(service: RegistryService, caller: Caller, keys: Sequence[LinkKey]) -> list[list[Link]]:
    """Edges and the records at their far ends in one batch, rather than an edge batch
    followed by one node future per neighbour: a department page reaches thousands of
    datasets, and a future per dataset cost more than reading them."""
    groups: dict[tuple[Direction, str], list[NodeRef]] = defaultdict(list)
    for ref, direction, edge_type in keys:
        groups[(direction, edge_type)].append(ref)
    edges: dict[LinkKey, list[tuple[EdgeRecord, tuple[str, str]]]] = defaultdict(list)
    far_ends: dict[tuple[str, str], NodeRef] = {}
    for (direction, edge_type), refs in groups.items():
        for edge in service.edges(caller, refs, direction=direction, types=[edge_type]):
            anchor, far = (edge.src, edge.dst) if direction == "out" else (edge.dst, edge.src)
            end = (far.label, far.key)
            far_ends[end] = far
            edges[(anchor, direction, edge_type)].append((edge, end))
    found = _records(service, caller, list(far_ends.values()))
    out: list[list[Link]] = []
    for key in keys:
        pairs = [(edge, record) for edge, end in edges.get(key, ()) if (record := found.get(end)) is not None]
        pairs.sort(key=lambda pair: (pair[1].label, pair[1].key))
        out.append(pairs)
    return out
