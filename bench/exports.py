"""Streamed graph exports beside an in-memory baseline on the same rows.

``registry export --format graphml`` writes element by element from the caller's rows;
the baseline builds the whole graph in networkx and writes it with ``nx.write_graphml``
(one in-memory document), the usual way to produce GraphML. Each step runs in a fresh
interpreter so its peak RSS is its own; both read the same generated registry
(``bench/registries.py``) through the service as the CLI's operator.

    python -m bench.exports --sizes 1000,10000
"""

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.common import Report, isolated, measured, sized_main
from bench.registries import prepare


def _service(store: str) -> Any:
    from registry.service import RegistryService
    from registry.store.sqlite import SQLiteStore

    return RegistryService(SQLiteStore(Path(store)))


def streamed(store: str, fmt: str) -> dict[str, Any]:
    from registry.exporters import EXPORTS, Selection
    from registry.service import Caller

    service = _service(store)
    with TemporaryDirectory() as tmp, measured() as m:
        target = Path(tmp) / ("out" if fmt == "neo4j-csv" else f"out.{fmt}")
        written = EXPORTS[fmt].write(Selection(service.rows(Caller.system())), target)
    return {"seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib, "nodes": written.nodes, "edges": written.edges}


def in_memory(store: str) -> dict[str, Any]:
    import networkx as nx

    from registry.exporters.properties import text
    from registry.exporters.selection import Selection, node_id
    from registry.service import Caller

    service = _service(store)
    with TemporaryDirectory() as tmp, measured() as m:
        selection = Selection(service.rows(Caller.system()))
        graph = nx.MultiDiGraph()
        for node in selection.nodes():
            attrs = {k: text(v) if isinstance(v, list | dict) else v for k, v in node.props.items()}
            graph.add_node(node_id(node.ref), label=node.label, key=node.key, **attrs)
        for edge in selection.edges():
            graph.add_edge(node_id(edge.src), node_id(edge.dst), type=edge.type, **edge.props)
        nx.write_graphml(graph, Path(tmp) / "out.graphml")
    return {"seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib, "nodes": graph.number_of_nodes()}


def run(sizes: list[int], baseline_max: int, seed: int) -> Report:
    report = Report("exports", ["datasets", "fields", "step", "seconds", "peak_rss_mib", "nodes", "edges", "ratio"])
    for size in sizes:
        prepared = prepare(size, seed)
        store = str(prepared.store)
        base = isolated(in_memory, store) if size <= baseline_max else None
        if base is not None:
            report.add(datasets=size, fields=prepared.fields, step="graphml via networkx (baseline)", **base)
        for fmt in ("graphml", "gexf", "cytoscape", "neo4j-csv"):
            row = isolated(streamed, store, fmt)
            ratio = None if base is None else round(base["peak_rss_mib"] / max(row["peak_rss_mib"], 1), 2)
            report.add(datasets=size, fields=prepared.fields, step=f"{fmt} streamed", ratio=ratio, **row)
    report.note("ratio: the baseline's peak RSS over the streamed export's, same process kind, same rows")
    return report


if __name__ == "__main__":
    sized_main(__doc__, run, baseline_max=100_000)
