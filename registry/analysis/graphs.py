"""Small traversal helpers over a projection (nodes are NodeRefs, edges keyed by type).

Analyses read the graph only through these so that the edge conventions of the model
(which way each relation points) are written down once.
"""

from collections.abc import Iterator
from typing import Any

import networkx as nx

from registry.store.records import NodeRef


def nodes(graph: nx.MultiDiGraph, label: str) -> list[NodeRef]:
    """Nodes of one label in key order, so every analysis reports in a stable order."""
    return sorted(n for n, attrs in graph.nodes(data=True) if attrs.get("label") == label)


def out(graph: nx.MultiDiGraph, node: NodeRef, edge_type: str) -> Iterator[NodeRef]:
    for _src, dst, key in graph.out_edges(node, keys=True):
        if key == edge_type:
            yield dst


def into(graph: nx.MultiDiGraph, node: NodeRef, edge_type: str) -> Iterator[NodeRef]:
    for src, _dst, key in graph.in_edges(node, keys=True):
        if key == edge_type:
            yield src


def first(iterator: Iterator[NodeRef]) -> NodeRef | None:
    return next(iter(sorted(iterator)), None)


def attr(graph: nx.MultiDiGraph, node: NodeRef | None, name: str, default: Any = None) -> Any:
    if node is None or node not in graph:
        return default
    return graph.nodes[node].get(name, default)


def name_of(graph: nx.MultiDiGraph, node: NodeRef | None) -> str | None:
    if node is None:
        return None
    attrs = graph.nodes[node]
    return attrs.get("name") or attrs.get("purpose") or node.key


def department_of(graph: nx.MultiDiGraph, node: NodeRef) -> NodeRef | None:
    """The department behind a system (OPERATES), a dataset (PROVIDES, else via a holding
    system), a field (its dataset) or a need (its requester)."""
    label = graph.nodes[node]["label"]
    if label == "Department":
        return node
    if label == "System":
        return first(into(graph, node, "OPERATES"))
    if label == "Dataset":
        provider = first(into(graph, node, "PROVIDES"))
        if provider is not None:
            return provider
        for system in sorted(into(graph, node, "HOLDS")):
            dept = department_of(graph, system)
            if dept is not None:
                return dept
        return None
    if label == "Field":
        dataset = first(into(graph, node, "HAS_FIELD"))
        return None if dataset is None else department_of(graph, dataset)
    if label == "Need":
        requester = first(into(graph, node, "NEEDS"))
        return None if requester is None else department_of(graph, requester)
    return None


def project_of(graph: nx.MultiDiGraph, node: NodeRef) -> str | None:
    """The project that built a system (BUILDS, else its ``project`` property); a dataset's
    is that of the first system holding it."""
    label = graph.nodes[node]["label"]
    if label == "System":
        project = first(into(graph, node, "BUILDS"))
        return project.key if project is not None else graph.nodes[node].get("project")
    if label == "Dataset":
        for system in sorted(into(graph, node, "HOLDS")):
            project = project_of(graph, system)
            if project:
                return project
    return None
