"""The GraphQL objects of a kept neighbour list, and the rows completed from them, made
once per list and shared by the requests of this process.

The service hands back the same ``Links`` tuple for a node's visible neighbours over one
edge type for as long as it keeps it (per clearance, for the store's version:
``registry.service.neighbours``). An executed dashboard request still built a GraphQL
object for each neighbour, converted the columns asked of it and completed its leaves,
every time: about 2,000 datasets and 200 systems for the page of 20 departments at 10k
datasets, the same 2,000 again on the next request. Here a kept tuple gets its objects
once (``nodes``, ``pairs``), and for each selection of plain leaves the rows
``LeafExecutor`` completes from them (``Views.rows``).

What is kept is a pure function of the tuple's contents, and those are exactly what the
caller it was kept for may see: the service never hands one clearance's tuple to
another, so neither are its objects or rows (tests/graphql/test_views.py). An entry holds
its tuple, so the identity it is found by is not reused while it is kept; a tuple the
service dropped (a write moved the version) is never asked for again, and its entry goes
when ``MAX_HELD`` is reached, oldest first.
"""

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from registry.bounded import Bounded
from registry.schema.records import EdgeRecord, NodeRecord

MAX_HELD = 100_000
"""Neighbours whose objects are kept at once, as for the service's neighbours."""

Links = tuple[tuple[EdgeRecord, NodeRecord], ...]


class NodeList(list[Any]):
    """The objects of one kept neighbour list, in its order; never changed once made (a
    resolver that filters it makes a list of its own). ``rows`` holds what ``LeafExecutor``
    completed from it, per selection."""

    __slots__ = ("rows",)

    def __init__(self, nodes: list[Any]) -> None:
        super().__init__(nodes)
        self.rows: dict[Hashable, list[dict[str, Any]]] = {}


class View:
    """One kept neighbour list with its GraphQL objects, as pairs and as nodes alone."""

    __slots__ = ("links", "nodes", "pairs")

    def __init__(self, links: Links, pairs: list[tuple[EdgeRecord, Any]]) -> None:
        self.links = links
        self.pairs = pairs
        self.nodes = NodeList([node for _edge, node in pairs])


class Views:
    """The views of the neighbour lists this process has answered with."""

    def __init__(self, limit: int = MAX_HELD) -> None:
        self._kept: Bounded[View] = Bounded(lambda view: len(view.links) + 1, limit)
        self._lock = Lock()

    def of(self, links: Links, node_of: Callable[[NodeRecord], Any]) -> View:
        with self._lock:
            view = self._kept.values.get(id(links))
        if view is not None:
            # the entry holds its tuple, so no other object can have that identity now
            assert view.links is links
            return view
        made = View(links, [(edge, node_of(record)) for edge, record in links])
        with self._lock:
            self._kept.put(id(links), made)  # a view made meanwhile by another thread stands
            return self._kept.values.get(id(links), made)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


VIEWS = Views()
"""One per process, as the service's kept tuples it is keyed by."""
