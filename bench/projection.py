"""Open a registry and build the analysis projections: time and peak RSS.

Run: ``python -m bench.projection [--sizes 1000,10000,100000] [--baseline-max 100000]``.

Each step runs in a fresh interpreter on the cached generated registry (``bench/registries``):
- ``networkx``: open the store and build ``store.projection()``, the whole live graph;
- ``networkx (add_edge)``: the baseline, the same graph built through networkx's public
  ``add_node``/``add_edge`` from the store's record streams (how the store built it before);
- ``service.graph(public)``: what an analysis for a public caller gets: the projection,
  every node's required clearance (``required_levels``) and the visible subgraph;
- ``compact``: the dataset x token matrix and element index streamed from the store
  (``registry.analysis.compact``), no networkx and no object per field.
"""

import gc
from typing import Any

import networkx as nx

from bench.common import Report, isolated, measured, sized_main
from bench.registries import prepare
from registry.analysis.compact import compact_registry
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

COLUMNS = ["datasets", "fields", "step", "nodes", "edges", "seconds", "peak_rss_mib"]


def naive_build(store: SQLiteStore) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    gc.disable()
    for node in store.iter_nodes():
        graph.add_node(node.ref, label=node.label, **node.props)
    for edge in store.iter_edges():
        if edge.src in graph and edge.dst in graph:
            graph.add_edge(edge.src, edge.dst, key=edge.type, type=edge.type, **edge.props)
    gc.enable()
    return graph


def step(path: str, name: str) -> dict[str, Any]:
    with measured() as m:
        store = SQLiteStore(path)
        if name == "networkx":
            graph = store.projection()
            size = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
        elif name == "networkx (add_edge)":
            graph = naive_build(store)
            size = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
        elif name == "service.graph(public)":
            graph = RegistryService(store).graph(Caller.public())
            size = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
        else:
            compact = compact_registry(store)
            size = {"nodes": len(compact.matrix), "edges": int(compact.matrix.holdings.nnz)}
    return {"step": name, **size, "seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib}


def run(sizes: list[int], baseline_max: int, seed: int) -> Report:
    report = Report("projection", COLUMNS)
    for n in sizes:
        prepared = prepare(n, seed)
        steps = ["networkx", "service.graph(public)", "compact"]
        if n <= baseline_max:
            steps.insert(1, "networkx (add_edge)")
        for name in steps:
            report.add(datasets=prepared.datasets, fields=prepared.fields, **isolated(step, str(prepared.store), name))
    report.note("peak_rss_mib is the whole interpreter's peak (imports included, about 100 MiB)")
    report.note(
        "compact: nodes = datasets (rows), edges = dataset-token entries; run for the system caller (nothing "
        "hidden). For another caller the service's hidden set is needed, which today comes from required_levels "
        "over the networkx projection"
    )
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=100_000)


if __name__ == "__main__":
    main()
