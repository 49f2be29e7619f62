"""Which clearance each node needs: the single rule behind every list, count, search,
error and analysis a caller sees.

A node needs the clearance of the most sensitive thing it reveals:
- a system: its 密级, and at least SECRET when it runs on the intranet;
- a dataset: its own 密级; when every system holding it needs clearance, the least of
  those (intranet-only data); and the level of any of its fields (see lineage);
- a field: its dataset's level, raised by lineage: data derived from classified data is
  classified unless the field or its dataset is explicitly declassified;
- an interface: SECRET on the intranet, and no less than the least of what it exposes;
- a need: its requester's level and its target's;
- a project: the least of the systems it builds (a project building only classified
  systems is itself classified);
- an import batch: SECRET (its counts would reveal how much classified data it carried).
Departments and data elements are public. An edge is visible when both ends are.
Levels only rise during the fixpoint, so it ends after at most a few passes.
"""

from collections.abc import Iterable

import networkx as nx

from registry.schema.enums import Clearance, Network, SecrecyLevel
from registry.store.records import NodeRef

INTRANET = int(Clearance.SECRET)


def _secrecy(attrs: dict) -> int:
    return SecrecyLevel(attrs.get("secrecy_level", "none")).rank


def _neighbours(graph: nx.MultiDiGraph, node: NodeRef, edge_type: str, direction: str) -> Iterable[NodeRef]:
    edges = graph.out_edges(node, keys=True) if direction == "out" else graph.in_edges(node, keys=True)
    for src, dst, key in edges:
        if key == edge_type:
            yield dst if direction == "out" else src


def required_levels(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
    level: dict[NodeRef, int] = {}
    for node, attrs in graph.nodes(data=True):
        label = attrs["label"]
        if label == "System":
            level[node] = max(_secrecy(attrs), INTRANET if attrs.get("network") == Network.INTRANET else 0)
        elif label in ("Dataset", "Field"):
            level[node] = _secrecy(attrs)
        elif label == "Interface":
            level[node] = INTRANET if attrs.get("network") == Network.INTRANET else 0
        elif label == "ImportBatch":
            level[node] = INTRANET
        else:
            level[node] = 0

    datasets = [n for n, a in graph.nodes(data=True) if a["label"] == "Dataset"]
    fields = [n for n, a in graph.nodes(data=True) if a["label"] == "Field"]
    for dataset in datasets:
        holders = [level[s] for s in _neighbours(graph, dataset, "HOLDS", "in")]
        if holders and min(holders) > 0:
            level[dataset] = max(level[dataset], min(holders))

    field_dataset = {f: next(iter(_neighbours(graph, f, "HAS_FIELD", "in")), None) for f in fields}
    dataset_fields = {d: list(_neighbours(graph, d, "HAS_FIELD", "out")) for d in datasets}

    def declassified(node: NodeRef) -> bool:
        dataset = field_dataset.get(node)
        return bool(graph.nodes[node].get("declassified")) or (
            dataset is not None and bool(graph.nodes[dataset].get("declassified"))
        )

    changed = True
    while changed:
        changed = False
        for field in fields:
            dataset = field_dataset[field]
            new = max(level[field], level[dataset] if dataset is not None else 0)
            if not declassified(field):
                for source in _neighbours(graph, field, "DERIVED_FROM", "out"):
                    new = max(new, level[source])
            if new != level[field]:
                level[field], changed = new, True
        for dataset in datasets:
            new = max([level[dataset], *(level[f] for f in dataset_fields[dataset])])
            if new != level[dataset]:
                level[dataset], changed = new, True

    for node, attrs in graph.nodes(data=True):
        label = attrs["label"]
        if label == "Interface":
            exposed = [level[d] for d in _neighbours(graph, node, "EXPOSED_VIA", "in")]
            if exposed:
                level[node] = max(level[node], min(exposed))
        elif label == "Project":
            built = [level[s] for s in _neighbours(graph, node, "BUILDS", "out")]
            if built:
                level[node] = min(built)
    for node, attrs in graph.nodes(data=True):
        if attrs["label"] == "Need":
            related = [level[n] for n in _neighbours(graph, node, "NEEDS", "in")]
            related += [level[n] for n in _neighbours(graph, node, "FOR", "out")]
            level[node] = max(related, default=0)
    return level


def hidden_from(levels: dict[NodeRef, int], clearance: Clearance) -> frozenset[NodeRef]:
    return frozenset(node for node, needed in levels.items() if needed > clearance)
