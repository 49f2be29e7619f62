"""DataLoaders: every edge and node lookup of one request level becomes one service call.

A page of departments asking for their systems and datasets resolves, level by level,
into one ``service.neighbours`` call per (direction, edge type) and one
``service.get_many`` call per label, however long the page is. Loaders live for one
request, so their cache never outlives the caller it was filled for (what the service
keeps, it keeps per clearance: ``registry.service.neighbours``).
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import partial

from strawberry.dataloader import DataLoader

from registry.schema.records import Direction, NodeRecord, NodeRef
from registry.service import Caller, RegistryService
from registry.service.neighbours import Links

LinkKey = tuple[NodeRef, Direction, str]


class Loaders:
    """The load functions are bound to the service and caller, not to this object: a loader
    holding a method of its owner would form a reference cycle, and the thousands of records
    in its cache would then wait for a full collection instead of going with the request."""

    def __init__(self, service: RegistryService, caller: Caller) -> None:
        self.nodes: DataLoader[NodeRef, NodeRecord | None] = DataLoader(load_fn=partial(_load_nodes, service, caller))
        self.links: DataLoader[LinkKey, Links] = DataLoader(load_fn=partial(_load_links, service, caller))

    async def linked(self, ref: NodeRef, edge_type: str, direction: Direction) -> Links:
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


async def _load_links(service: RegistryService, caller: Caller, keys: Sequence[LinkKey]) -> list[Links]:
    """One service call per (direction, edge type) for the whole level: the service reads
    the edges and their far ends' records in one batch, or answers from what it kept for
    the caller's clearance (``RegistryService.neighbours``)."""
    groups: dict[tuple[Direction, str], list[int]] = defaultdict(list)
    for i, (_ref, direction, edge_type) in enumerate(keys):
        groups[(direction, edge_type)].append(i)
    out: list[Links] = [()] * len(keys)
    for (direction, edge_type), places in groups.items():
        refs = [keys[i][0] for i in places]
        for i, links in zip(
            places, service.neighbours(caller, refs, direction=direction, edge_type=edge_type), strict=True
        ):
            out[i] = links
    return out
