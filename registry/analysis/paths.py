"""How data gets from one entry to another: the shortest paths along which it flows.

Data flows from a department into the datasets it provides and back (PROVIDES), and on
to whoever they are shared with (SHARED_WITH); between a department and the systems it
operates, a system and the datasets it holds, a dataset and its fields, either way; and from a field
into the fields derived from it (DERIVED_FROM points from the derived field to its
source, so that edge is walked backwards). Needs, projects and data elements carry no
data and are not walked.
"""

from collections.abc import Iterator

import networkx as nx

from registry.schema.records import NodeRef

FORWARD = frozenset({"PROVIDES", "SHARED_WITH", "OPERATES", "HOLDS", "HAS_FIELD", "EXPOSED_VIA"})
"""Edges data flows along, from source to target."""
BACKWARD = frozenset({"PROVIDES", "OPERATES", "HOLDS", "HAS_FIELD", "DERIVED_FROM"})
"""Edges data also flows along against their direction."""
MAX_DEPTH = 10


def _flows(graph: nx.MultiDiGraph, node: NodeRef) -> Iterator[NodeRef]:
    for other, types in graph._succ[node].items():
        if not FORWARD.isdisjoint(types):
            yield other
    for other, types in graph._pred[node].items():
        if not BACKWARD.isdisjoint(types):
            yield other


def data_paths(
    graph: nx.MultiDiGraph, source: NodeRef, target: NodeRef, *, depth: int = 8, limit: int = 10
) -> list[list[NodeRef]]:
    """Up to ``limit`` shortest paths from ``source`` to ``target`` of at most ``depth``
    steps, in a stable order; none when either is not in the graph or nothing flows."""
    if source not in graph or target not in graph or not 0 < depth <= MAX_DEPTH:
        return []
    if source == target:
        return [[source]]
    parents: dict[NodeRef, list[NodeRef]] = {source: []}
    frontier = [source]
    for _ in range(depth):
        reached: dict[NodeRef, list[NodeRef]] = {}
        for node in frontier:
            for other in _flows(graph, node):
                if other not in parents:
                    reached.setdefault(other, []).append(node)
        if not reached:
            return []
        parents.update(reached)
        if target in reached:
            break
        frontier = sorted(reached)
    else:
        return []
    paths: list[list[NodeRef]] = []

    def walk(node: NodeRef, tail: list[NodeRef]) -> None:
        if len(paths) >= limit:
            return
        if node == source:
            paths.append([source, *tail])
            return
        for parent in sorted(parents[node]):
            walk(parent, [node, *tail])

    walk(target, [])
    return paths
