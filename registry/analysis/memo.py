"""Results remembered for the life of one projection.

Projections are cached per store version (and, cut to what a caller may see, per
clearance) and never mutated, so anything computed from one stays true while it lives:
pages asking again (dashboard, work queue, entry pages) cost nothing until the next
write. Results are keyed by the graph object itself, not kept in ``graph.graph``: a
caller's visible graph copies that dict from the full projection, which would hand it
results computed on everything.
"""

from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import networkx as nx

from registry.collector import gc_paused

T = TypeVar("T")

_MEMO: "WeakKeyDictionary[nx.MultiDiGraph, dict[str, Any]]" = WeakKeyDictionary()
_LOCK = Lock()


def on_graph(graph: nx.MultiDiGraph, name: str, compute: Callable[[nx.MultiDiGraph], T]) -> T:
    """``compute(graph)``, once per graph and name. One computation at a time: two pages
    opened together after an import would otherwise both run every analysis."""
    with _LOCK:
        results = _MEMO.setdefault(graph, {})
        if name not in results:
            with gc_paused():
                results[name] = compute(graph)
        value: T = results[name]
        return value
