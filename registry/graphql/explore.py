"""What the dependency explorer asks: suggestions for a search box, the neighbourhood of
the entries on screen, and the paths data takes between two entries.

Neighbourhoods are read through the service (``edges`` and ``get_many``), which leaves
out what the caller may not see; an entry the caller may not see has no neighbourhood,
exactly like one that does not exist. Each expanded entry returns at most ``limit``
neighbours and says how many more there are, so a department with thousands of datasets
costs one bounded answer.
"""

import itertools
from collections import defaultdict

import networkx as nx
import strawberry

from registry.analysis import paths
from registry.graphql.enums import NodeKind
from registry.graphql.findings import graph_of
from registry.graphql.nodes import Ctx
from registry.schema.model import EDGE_SPECS, NAME_PROPERTY
from registry.schema.records import NodeRecord, NodeRef
from registry.service import InvalidInput

MAX_PATHS = 30
MAX_EXPANDED = 50
MAX_NEIGHBOURS = 500


@strawberry.input(description="An entry on the explorer's screen, by label and key.")
class EntryInput:
    kind: NodeKind
    key: str

    def ref(self) -> NodeRef:
        return NodeRef(str(self.kind.value), self.key)


@strawberry.type(description="An entry as the explorer draws it.")
class GraphNode:
    id: str = strawberry.field(description="`Label:key`")
    label: str
    key: str
    name: str
    network: str | None
    secrecy_level: str | None
    share_type: str | None


@strawberry.type
class GraphEdge:
    id: str
    type: str
    source: str
    target: str


@strawberry.type(description="How many neighbours of an expanded entry were left out.")
class MoreCount:
    id: str
    more: int


@strawberry.type
class Subgraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    more: list[MoreCount]


@strawberry.type(description="The shortest paths data takes from one entry to another.")
class DataPaths:
    paths: list[list[str]] = strawberry.field(description="Each path as its entries' ids, source first.")
    graph: Subgraph


def _node(label: str, key: str, props: dict[str, object]) -> GraphNode:
    def text(name: str) -> str | None:
        value = props.get(name)
        return None if value is None else str(value)

    return GraphNode(
        id=f"{label}:{key}",
        label=label,
        key=key,
        name=text(NAME_PROPERTY[label]) or key,
        network=text("network"),
        secrecy_level=text("secrecy_level"),
        share_type=text("share_type"),
    )


def graph_node(record: NodeRecord) -> GraphNode:
    return _node(record.label, record.key, record.props)


def _edge(edge_type: str, src: NodeRef, dst: NodeRef) -> GraphEdge:
    return GraphEdge(id=f"{src}-{edge_type}-{dst}", type=edge_type, source=str(src), target=str(dst))


def records_of(info: Ctx, refs: set[NodeRef]) -> dict[NodeRef, NodeRecord]:
    service, caller = info.context.service, info.context.caller
    by_label: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        by_label[ref.label].add(ref.key)
    found: dict[NodeRef, NodeRecord] = {}
    for label, keys in by_label.items():
        for key, record in service.get_many(caller, label, keys).items():
            found[NodeRef(label, key)] = record
    return found


def _path_graph(graph: nx.MultiDiGraph, found: list[list[NodeRef]]) -> Subgraph:
    nodes = {ref for path in found for ref in path}
    edges: dict[str, GraphEdge] = {}
    for path in found:
        for a, b in itertools.pairwise(path):
            for src, dst in ((a, b), (b, a)):
                for edge_type in graph._succ[src].get(dst, {}):
                    edge = _edge(edge_type, src, dst)
                    edges[edge.id] = edge
    return Subgraph(
        nodes=[_node(ref.label, ref.key, graph.nodes[ref]) for ref in sorted(nodes)],
        edges=sorted(edges.values(), key=lambda e: e.id),
        more=[],
    )


@strawberry.type
class ExploreQuery:
    @strawberry.field(description="The entries asked for that exist and the caller may see, as the explorer draws.")
    def entries(self, info: Ctx, entries: list[EntryInput]) -> list[GraphNode]:
        if not 0 < len(entries) <= MAX_EXPANDED:
            raise InvalidInput(f"ask for between 1 and {MAX_EXPANDED} entries")
        records = records_of(info, {e.ref() for e in entries})
        return [graph_node(records[ref]) for ref in sorted(records)]

    @strawberry.field(
        description="The entries asked for and their neighbours, over the given relations (all when omitted); "
        "at most `limit` neighbours per entry."
    )
    def neighbourhood(
        self, info: Ctx, entries: list[EntryInput], relations: list[str] | None = None, limit: int = 100
    ) -> Subgraph:
        if not 0 < len(entries) <= MAX_EXPANDED:
            raise InvalidInput(f"ask for between 1 and {MAX_EXPANDED} entries")
        if not 0 < limit <= MAX_NEIGHBOURS:
            raise InvalidInput(f"limit must be between 1 and {MAX_NEIGHBOURS}")
        unknown = sorted(set(relations or ()) - EDGE_SPECS.keys())
        if unknown:
            raise InvalidInput(f"unknown relation {unknown[0]!r}; expected one of {', '.join(EDGE_SPECS)}")
        service, caller = info.context.service, info.context.caller
        asked = [e.ref() for e in entries]
        found = service.edges(caller, asked, direction="both", types=relations)
        kept: dict[NodeRef, list[tuple[str, NodeRef, NodeRef]]] = {root: [] for root in asked}
        more: dict[NodeRef, int] = defaultdict(int)
        for edge in sorted(found, key=lambda e: (e.type, e.src, e.dst)):
            for root in (edge.src, edge.dst):
                if root in kept:
                    if len(kept[root]) < limit:
                        kept[root].append((edge.type, edge.src, edge.dst))
                    else:
                        more[root] += 1
        refs = set(asked) | {end for triples in kept.values() for _, src, dst in triples for end in (src, dst)}
        records = records_of(info, refs)
        edges = {
            f"{src}-{t}-{dst}": _edge(t, src, dst)
            for triples in kept.values()
            for t, src, dst in triples
            if src in records and dst in records
        }
        return Subgraph(
            nodes=[graph_node(records[ref]) for ref in sorted(records)],
            edges=sorted(edges.values(), key=lambda e: e.id),
            more=[MoreCount(id=str(ref), more=n) for ref, n in sorted(more.items())],
        )

    @strawberry.field(description="The shortest paths data takes from `source` to `target` (at most `limit`).")
    def data_paths(
        self, info: Ctx, source: EntryInput, target: EntryInput, depth: int = 8, limit: int = 10
    ) -> DataPaths:
        if not 0 < depth <= paths.MAX_DEPTH or not 0 < limit <= MAX_PATHS:
            raise InvalidInput(f"depth must be between 1 and {paths.MAX_DEPTH}, limit between 1 and {MAX_PATHS}")
        graph = graph_of(info)
        found = paths.data_paths(graph, source.ref(), target.ref(), depth=depth, limit=limit)
        return DataPaths(paths=[[str(ref) for ref in path] for path in found], graph=_path_graph(graph, found))
