"""Import throughput into the embedded store: national catalogue (CSV) and native (JSON).

Run: ``python -m bench.import_throughput [--sizes 1000,10000,100000] [--baseline-max 1000]``.

Each step runs in a fresh interpreter into a fresh store file, the way ``registry import``
loads one file: ``registry.importers.stream`` hands out the file's parts; a forked child
(``registry.service.forked_check``) reads every part once, collects its issues and sends
the writable parts down a pipe, while ``service.load_stream`` writes them as they come, in
one transaction that commits only if the whole file passed. The same import with the
check made whole first and the write after it (``check_s`` and ``write_s``; ``load_s`` is
both), as before the check was forked and as an import of several files still runs, is
measured beside it on the same file. Rates are field rows (信息项, one catalogue row each)
per wall second, and records (nodes + edges created) per second. The
synthetic registries carry planted bad rows (a conditional share without its condition),
so the import runs with ``skip_invalid`` as a department's would: those rows are reported
and left out. A catalogue of 100k datasets is beyond the import's default cost limits
(200,000 rows, 512 MiB): the bench raises them through ``REGISTRY_IMPORT_MAX_*``, as the
operator of a national registry would.

Three baselines run in the same run: the import checked first (above), and two more.
``raw``: the same file read with the csv module (or ``json.load`` for native) and every
信息项 inserted, keyed by (resource, 信息项), into a bare SQLite table in one transaction:
the floor no validating importer goes below, beside which the import is a ratio.
``naive``: the declaration written through the same store one record per transaction (a
commit per row); it takes minutes beyond a few thousand datasets, so it runs on the
sizes up to ``--baseline-max`` only.
"""

import csv
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import Report, isolated, measured, sized_main
from bench.registries import prepare, remove_store
from registry.collector import gc_paused
from registry.importers import read, stream
from registry.schema.records import ChangeSet, EdgeWrite, NodeWrite, Provenance
from registry.service import Caller, RegistryService
from registry.service.checking import check
from registry.store.sqlite import SQLiteStore

COLUMNS = [
    "datasets",
    "format",
    "path",
    "fields",
    "records",
    "read_s",
    "check_s",
    "write_s",
    "load_s",
    "total_s",
    "cpu_s",
    "field_rows_per_s",
    "rows_per_cpu_s",
    "records_per_s",
    "child_cpu_s",
    "peak_rss_mib",
    "family_peak_mib",
    "rejected_rows",
    "vs_raw_wall",
    "vs_raw_cpu",
]


LIMITS = {"MAX_ROWS": 50_000_000, "MAX_CELLS": 1_000_000_000, "MAX_BYTES": 64 * 1024**3}
"""Import bounds raised for a national file (the defaults refuse a catalogue over 200,000 rows)."""


def import_once(path: str, fmt: str, target: str, forked: bool = True) -> dict[str, Any]:
    """The file into a fresh store as ``registry import`` loads one file: its check in a
    forked child beside the write (``registry.service.forked_check``), or, with ``forked``
    false, checked whole first and then written, as several files are (the code before the
    check was forked, kept as the baseline beside it)."""
    remove_store(Path(target))
    service = RegistryService(SQLiteStore(target))
    with measured(family=True) as m_load:  # one measure, so that its peak covers both passes
        parts = stream(path, fmt, skip_invalid=True)
        if forked:
            checked_at = time.perf_counter()
            report = service.load_stream(parts, Caller.system(), skip_invalid=True)
        else:
            with gc_paused():
                checked = check(parts, skip_invalid=True)
            checked_at = time.perf_counter()
            report = service.load_stream(parts, Caller.system(), skip_invalid=True, checked=checked)
        written_at = time.perf_counter()
    fields = report.result.counts["Field"]["created"]
    records = report.result.total("created")
    service.store.close()
    remove_store(Path(target))
    return {
        "path": "check forked beside the write" if forked else "checked first, then written",
        "fields": fields,
        "records": records,
        "read_s": 0.0,
        "check_s": None if forked else round(m_load.seconds - (written_at - checked_at), 2),
        "write_s": None if forked else round(written_at - checked_at, 2),
        "load_s": m_load.seconds,
        "total_s": m_load.seconds,
        "cpu_s": m_load.cpu_seconds,
        "child_cpu_s": round(m_load.child_cpu_seconds, 2),
        "field_rows_per_s": round(fields / m_load.seconds),
        "rows_per_cpu_s": round(fields / (m_load.cpu_seconds + m_load.child_cpu_seconds)),
        "records_per_s": round(records / m_load.seconds),
        "peak_rss_mib": m_load.peak_rss_mib,
        "family_peak_mib": m_load.family_peak_mib,
        "rejected_rows": report.rejected_rows,
    }


def _raw_rows(path: str, fmt: str) -> Iterator[tuple[str, str]]:
    if fmt == "catalogue":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows)
            code, item = header.index("信息资源代码"), header.index("信息项名称")
            for row in rows:
                yield row[code], row[item]
    else:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        for dataset in document.get("datasets", []):
            for field in dataset.get("fields", []):
                yield dataset["resource_code"], field["name"]


def raw_once(path: str, fmt: str, target: str) -> dict[str, Any]:
    """The floor: every 信息项 of the file into one bare keyed table, one transaction."""
    remove_store(Path(target))
    with measured() as m_load:
        db = sqlite3.connect(target, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE item (resource TEXT, name TEXT, PRIMARY KEY (resource, name)) WITHOUT ROWID")
        db.execute("BEGIN")
        db.executemany("INSERT OR IGNORE INTO item VALUES (?, ?)", _raw_rows(path, fmt))
        db.execute("COMMIT")
        fields = db.execute("SELECT count(*) FROM item").fetchone()[0]
        db.close()
    remove_store(Path(target))
    return {
        "path": "raw baseline",
        "fields": fields,
        "records": fields,
        "read_s": 0.0,
        "load_s": m_load.seconds,
        "total_s": m_load.seconds,
        "cpu_s": m_load.cpu_seconds,
        "field_rows_per_s": round(fields / m_load.seconds),
        "rows_per_cpu_s": round(fields / m_load.cpu_seconds),
        "records_per_s": round(fields / m_load.seconds),
        "peak_rss_mib": m_load.peak_rss_mib,
        "rejected_rows": None,
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
    for name, bound in LIMITS.items():  # read by the spawned steps when they import registry
        os.environ.setdefault(f"REGISTRY_IMPORT_{name}", str(bound))
    report = Report("import_throughput", COLUMNS)
    for n in sizes:
        prepared = prepare(n, seed)
        target = str(prepared.store.with_name(f"import-target-{n}.db"))
        for fmt, path in (("catalogue", prepared.catalogue), ("native", prepared.native)):
            imports = [isolated(import_once, str(path), fmt, target, forked) for forked in (False, True)]
            raw = isolated(raw_once, str(path), fmt, target)
            for streamed in imports:
                streamed["vs_raw_wall"] = round(streamed["total_s"] / raw["total_s"], 2)
                streamed["vs_raw_cpu"] = round((streamed["cpu_s"] + streamed["child_cpu_s"]) / raw["cpu_s"], 2)
                report.add(datasets=prepared.datasets, format=fmt, **streamed)
            report.add(datasets=prepared.datasets, format=fmt, **raw)
            if n <= baseline_max:
                report.add(datasets=prepared.datasets, format=fmt, **isolated(naive_once, str(path), fmt, target))
    report.note(f"baseline (a transaction per record) run on sizes <= {baseline_max:,} datasets only")
    report.note("field_rows_per_s = Field nodes created / total_s; records = nodes + edges created")
    report.note("vs_raw_wall = the import's seconds / the raw csv (or json) -> SQLite baseline's on the same file")
    report.note("vs_raw_cpu = the import's CPU seconds, its forked child's included, / the raw baseline's")
    report.note("child_cpu_s: the forked check's CPU time; family_peak_mib: this process and its children (PSS)")
    report.note("cpu_s: the process's CPU time; on a shared machine wall time also counts waiting for a core")
    report.note("import bounds raised for national files: " + ", ".join(f"REGISTRY_IMPORT_{k}" for k in LIMITS))
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=1000)


if __name__ == "__main__":
    main()
