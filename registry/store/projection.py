"""Build networkx projections from any store's streams, and cache them by store version."""

from collections.abc import Callable, Collection, Iterable, Iterator
from threading import Lock
from typing import Any

import networkx as nx

from registry.collector import gc_paused
from registry.schema.records import EdgeRecord, NodeRecord, NodeRef

ProjectionKey = tuple[frozenset[str] | None, frozenset[str] | None]


def build_projection(nodes: Iterator[NodeRecord], edges: Iterator[EdgeRecord]) -> nx.MultiDiGraph:
    """Edges whose endpoints were not projected are dropped, so a projection of some labels
    never holds half-known nodes."""
    return build_from_rows(
        ((n.label, n.key, {**n.props}) for n in nodes),
        ((e.src.label, e.src.key, e.type, e.dst.label, e.dst.key, {**e.props}) for e in edges),
    )


NodeRow = tuple[str, str, dict[str, Any]]
EdgeRow = tuple[str, str, str, str, str, dict[str, Any]]


def build_from_rows(nodes: Iterable[NodeRow], edges: Iterable[EdgeRow]) -> nx.MultiDiGraph:
    """Fill networkx's adjacency dicts directly instead of calling ``add_edge`` per edge,
    which checks and copies on every call (about 3x slower at millions of edges). The
    node property dicts passed in become the node attributes. Each endpoint is one shared
    ``NodeRef`` object, not one per edge end, and edges without properties share one
    attribute dict per type: at two million fields this is the difference between fitting
    in memory or not, which is why callers must not mutate a projection.

    The collector is paused during the bulk build (see ``gc_paused``)."""
    graph = nx.MultiDiGraph()
    node_attrs, succ, pred = graph._node, graph._succ, graph._pred
    # label -> key -> (the node's ref, its successor dict, its predecessor dict): an edge
    # then hashes its endpoints twice instead of five times (NodeRef's hash is Python code)
    known: dict[str, dict[str, tuple[NodeRef, dict[NodeRef, Any], dict[NodeRef, Any]]]] = {}
    bare: dict[str, dict[str, Any]] = {}
    with gc_paused():
        for label, key, props in nodes:
            by_key = known.get(label)
            if by_key is None:
                by_key = known[label] = {}
            ref = NodeRef(label, key)
            props["label"] = label
            node_attrs[ref] = props
            out: dict[NodeRef, Any] = {}
            into: dict[NodeRef, Any] = {}
            succ[ref] = out
            pred[ref] = into
            by_key[key] = (ref, out, into)
        for src_label, src_key, edge_type, dst_label, dst_key, props in edges:
            src = known.get(src_label, {}).get(src_key)
            dst = known.get(dst_label, {}).get(dst_key)
            if src is None or dst is None:
                continue
            if props:
                props["type"] = edge_type
                attrs = props
            else:
                attrs = bare.setdefault(edge_type, {"type": edge_type})
            src_ref, out, _ = src
            dst_ref, _, into = dst
            keyed = out.get(dst_ref)
            if keyed is None:
                keyed = out[dst_ref] = into[src_ref] = {}
            keyed[edge_type] = attrs
    return graph


def visible_subgraph(graph: nx.MultiDiGraph, hidden: Collection[NodeRef]) -> nx.MultiDiGraph:
    """``graph`` without the ``hidden`` nodes and their edges, sharing the attribute and
    edge dicts with ``graph`` instead of copying them (``subgraph(...).copy()`` copied
    every dict: 5 s and a second graph's worth of memory at 200k fields). Like the
    projection it is cut from, it must not be mutated."""
    sub = nx.MultiDiGraph()
    sub.graph.update(graph.graph)
    node_attrs, succ, pred = sub._node, sub._succ, sub._pred
    with gc_paused():
        for node, attrs in graph._node.items():
            if node not in hidden:
                node_attrs[node] = attrs
        for node in node_attrs:
            succ[node] = {dst: keyed for dst, keyed in graph._succ[node].items() if dst not in hidden}
            pred[node] = {src: keyed for src, keyed in graph._pred[node].items() if src not in hidden}
    return sub


class ProjectionCache:
    """One cached projection per (labels, edge types), dropped when the version moves."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._graphs: dict[ProjectionKey, nx.MultiDiGraph] = {}
        self._lock = Lock()

    def get(
        self,
        version: int,
        labels: Collection[str] | None,
        edge_types: Collection[str] | None,
        build: Callable[[], nx.MultiDiGraph],
    ) -> nx.MultiDiGraph:
        key = (
            None if labels is None else frozenset(labels),
            None if edge_types is None else frozenset(edge_types),
        )
        with self._lock:
            if version != self._version:
                self._graphs.clear()
                self._version = version
            graph = self._graphs.get(key)
            if graph is None:
                graph = build()
                graph.graph["version"] = version
                self._graphs[key] = graph
            return graph
