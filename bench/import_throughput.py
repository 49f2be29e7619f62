"""Import throughput into the embedded store: national catalogue (CSV) and native (JSON).

Run: ``python -m bench.import_throughput [--sizes 1000,10000,100000] [--baseline-max 1000]``.

Each step runs in a fresh interpreter into a fresh store file: parse and validate the file
(``registry.importers.read``), then ``service.load`` it as one atomic batch, the path the
CLI takes. Rates are field rows (信息项, one catalogue row each) per second of read+load,
and records (nodes + edges) per second. The synthetic registries carry planted bad rows
(a conditional share without its condition), so the import runs with ``skip_invalid``
as a department's would: those rows are reported and left out.

The baseline, in the same run, writes the same declaration through the same store one
record per transaction (the naive importer: a commit per row). It takes minutes beyond
a few thousand datasets, so it runs on the sizes up to ``--baseline-max`` only.
"""

from pathlib import Path
from typing import Any

from bench.common import Report, isolated, measured, sized_main
from bench.registries import prepare, remove_store
from registry.importers import read
from registry.schema.records import ChangeSet, EdgeWrite, NodeWrite, Provenance
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

COLUMNS = [
    "datasets",
    "format",
    "path",
    "fields",
    "records",
    "read_s",
    "load_s",
    "total_s",
    "field_rows_per_s",
    "records_per_s",
    "peak_rss_mib",
    "rejected_rows",
]


def import_once(path: str, fmt: str, target: str) -> dict[str, Any]:
    remove_store(Path(target))
    with measured() as m_read:
        declaration = read(path, fmt, skip_invalid=True)
    service = RegistryService(SQLiteStore(target))
    with measured() as m_load:
        report = service.load(declaration, Caller.system(), skip_invalid=True)
    fields = sum(1 for n in declaration.nodes if n.LABEL == "Field")
    records = len(declaration.nodes) + len(declaration.edges)
    total = m_read.seconds + m_load.seconds
    service.store.close()
    remove_store(Path(target))
    return {
        "path": "batch",
        "fields": fields,
        "records": records,
        "read_s": m_read.seconds,
        "load_s": m_load.seconds,
        "total_s": total,
        "field_rows_per_s": round(fields / total),
        "records_per_s": round(records / total),
        "peak_rss_mib": max(m_read.peak_rss_mib, m_load.peak_rss_mib),
        "rejected_rows": report.rejected_rows,
    }


def naive_once(path: str, fmt: str, target: str) -> dict[str, Any]:
    """One transaction per record through ``Store.apply``; parsing is timed as above."""
    remove_store(Path(target))
    with measured() as m_read:
        declaration = read(path, fmt, skip_invalid=True)
    store = SQLiteStore(target)
    prov = Provenance(source=path, batch="naive", by="bench", at="2026-01-01T00:00:00+00:00")
    with measured() as m_load:
        for node in declaration.nodes:
            store.apply(ChangeSet(nodes=[NodeWrite(node.LABEL, node.key(), node.props())]), prov)
        for edge in declaration.edges:
            store.apply(ChangeSet(edges=[EdgeWrite(edge.type, edge.src, edge.dst, edge.props)]), prov)
    fields = sum(1 for n in declaration.nodes if n.LABEL == "Field")
    records = len(declaration.nodes) + len(declaration.edges)
    total = m_read.seconds + m_load.seconds
    store.close()
    remove_store(Path(target))
    return {
        "path": "naive",
        "fields": fields,
        "records": records,
        "read_s": m_read.seconds,
        "load_s": m_load.seconds,
        "total_s": total,
        "field_rows_per_s": round(fields / total),
        "records_per_s": round(records / total),
        "peak_rss_mib": max(m_read.peak_rss_mib, m_load.peak_rss_mib),
        "rejected_rows": None,
    }


def run(sizes: list[int], baseline_max: int, seed: int) -> Report:
    report = Report("import_throughput", COLUMNS)
    for n in sizes:
        prepared = prepare(n, seed)
        target = str(prepared.store.with_name(f"import-target-{n}.db"))
        for fmt, path in (("catalogue", prepared.catalogue), ("native", prepared.native)):
            report.add(datasets=prepared.datasets, format=fmt, **isolated(import_once, str(path), fmt, target))
            if n <= baseline_max:
                report.add(datasets=prepared.datasets, format=fmt, **isolated(naive_once, str(path), fmt, target))
    report.note(f"baseline (a transaction per record) run on sizes <= {baseline_max:,} datasets only")
    report.note("field_rows_per_s = Field nodes / (read_s + load_s); records = nodes + edges of the declaration")
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=1000)


if __name__ == "__main__":
    main()
