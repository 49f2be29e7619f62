"""What SQLite alone costs an import, beside what the raw baseline's SQLite costs.

Run: ``python -m bench.import_sql_floor [--sizes 10000]``.

``bench.import_throughput`` compares the whole import (read, check, write) with a raw
baseline that reads the same file and inserts each 信息项 as (resource, 信息项) into a
bare keyed table. This asks how much of the gap is SQLite's own work on the rows the
store keeps, whatever Python does around it. The file is checked as an import checks it
(``registry.service.checking.check``, not timed) and its set-aside rows are made into the
tuples the store inserts (canonical JSON properties, the batch as provenance), sorted by
key; then only the SQL is timed, each variant into a fresh file in one transaction:

- ``store``: the store's tables (``registry.store.sqlite``), secondary indexes built at
  the end as a load into an empty registry builds them, 16 KiB pages (new files).
- ``store, 4 KiB pages``: the same with SQLite's default page size (files made before).
- ``integer ids``: a sketch of the compact layout an issue-14 session named: nodes keyed
  by an integer id (their (label, key) a unique index), edges keyed by (source id, type,
  target id), one index by target. Not the store: what that change of file format would
  buy on the SQL side.
- ``raw baseline``: the baseline's bare (resource, 信息项) table and rows.

Every variant gets its rows ready-made, so the figures are floors: the real write also
encodes properties, looks up keys it has written before and inserts chunk by chunk.
"""

import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import Report, isolated, sized_main
from bench.import_throughput import LIMITS
from bench.registries import prepare, remove_store
from registry.collector import gc_paused
from registry.importers import stream
from registry.service.checking import check
from registry.store.sqlite import _DDL, _DEFERRED_INDEXES, _dumps, _name_property

COLUMNS = ["datasets", "format", "variant", "fields", "rows", "insert_s", "index_s", "commit_s", "cpu_s", "vs_raw"]
BATCH = "batch-20261130T000000-00000000"

_INT_DDL = """
CREATE TABLE nodes (
    id INTEGER PRIMARY KEY, label TEXT NOT NULL, key TEXT NOT NULL, name TEXT, props TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE edges (
    src INTEGER NOT NULL, type TEXT NOT NULL, dst INTEGER NOT NULL, props TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (src, type, dst)
) WITHOUT ROWID;
"""
_INT_INDEXES = (
    "CREATE UNIQUE INDEX nodes_by_key ON nodes (label, key)",
    "CREATE INDEX edges_by_dst ON edges (dst, type)",
    "CREATE INDEX nodes_by_created ON nodes (created)",
)


def _split_ddl() -> tuple[str, list[str]]:
    """The store's DDL without the indexes a load into an empty registry defers, and those."""
    statements = [s.strip() for s in _DDL.split(";") if s.strip()]
    deferred = [s for s in statements if any(f"EXISTS {name} " in s for name in _DEFERRED_INDEXES)]
    return ";\n".join(s for s in statements if s not in deferred) + ";", deferred


def _rows(path: str, fmt: str) -> tuple[int, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, str]]]:
    """The file's checked rows as the store inserts them, and the raw baseline's."""
    parts = stream(path, fmt, skip_invalid=True)
    with gc_paused():
        checked = check(parts, skip_invalid=True)
    assert checked.spill is not None
    nodes: dict[tuple[str, str], tuple[Any, ...]] = {}
    edges: dict[tuple[str, ...], tuple[Any, ...]] = {}
    raw: list[tuple[str, str]] = []
    for chunk in checked.spill.changes():
        for label, key, props in chunk.node_rows:
            shown = props.get(_name_property(label))
            nodes[label, key] = (label, key, None if shown is None else str(shown), _dumps(props), BATCH, BATCH)
            if label == "Field":
                raw.append((props["dataset"], props["name"]))
        for t, sl, sk, dl, dk, props in chunk.edge_rows:
            edges[sl, sk, t, dl, dk] = (sl, sk, t, dl, dk, _dumps(props) if props else "{}", BATCH, BATCH)
    checked.close()
    return len(raw), sorted(nodes.values()), sorted(edges.values()), raw


def _fresh(target: str, page_size: int | None) -> sqlite3.Connection:
    remove_store(Path(target))
    db = sqlite3.connect(target, isolation_level=None)
    if page_size is not None:
        db.execute(f"PRAGMA page_size = {page_size}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-200000")
    return db


def _timed(
    db: sqlite3.Connection, ddl: str, inserts: Sequence[tuple[str, Sequence[Any]]], indexes: Sequence[str]
) -> dict[str, float]:
    db.executescript(ddl)
    cpu = time.process_time()
    db.execute("BEGIN")
    for sql, rows in inserts:
        db.executemany(sql, rows)
    inserted = time.process_time()
    for sql in indexes:
        db.execute(sql)
    indexed = time.process_time()
    db.execute("COMMIT")
    done = time.process_time()
    db.close()
    return {
        "insert_s": round(inserted - cpu, 2),
        "index_s": round(indexed - inserted, 2),
        "commit_s": round(done - indexed, 2),
        "cpu_s": round(done - cpu, 2),
    }


def floors(path: str, fmt: str, target: str) -> list[dict[str, Any]]:
    fields, nodes, edges, raw = _rows(path, fmt)
    ddl, deferred = _split_ddl()
    node_sql = "INSERT INTO nodes (label, key, name, props, created, updated) VALUES (?, ?, ?, ?, ?, ?)"
    edge_sql = (
        "INSERT INTO edges (src_label, src_key, type, dst_label, dst_key, props, created, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    store_rows = [(node_sql, nodes), (edge_sql, edges)]
    out = []
    for variant, page_size in (("store", 16384), ("store, 4 KiB pages", 4096)):
        timing = _timed(_fresh(target, page_size), ddl, store_rows, deferred)
        out.append({"variant": variant, "rows": len(nodes) + len(edges), **timing})
    ids = {(row[0], row[1]): n for n, row in enumerate(nodes, start=1)}
    int_nodes = [(n, *row) for n, row in enumerate(nodes, start=1)]
    int_edges = sorted((ids[r[0], r[1]], r[2], ids[r[3], r[4]], *r[5:]) for r in edges)
    int_rows = [
        ("INSERT INTO nodes (id, label, key, name, props, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)", int_nodes),
        ("INSERT INTO edges (src, type, dst, props, created, updated) VALUES (?, ?, ?, ?, ?, ?)", int_edges),
    ]
    timing = _timed(_fresh(target, 16384), _INT_DDL, int_rows, _INT_INDEXES)
    out.append({"variant": "integer ids", "rows": len(nodes) + len(edges), **timing})
    raw_ddl = "CREATE TABLE item (resource TEXT, name TEXT, PRIMARY KEY (resource, name)) WITHOUT ROWID;"
    timing = _timed(_fresh(target, None), raw_ddl, [("INSERT OR IGNORE INTO item VALUES (?, ?)", raw)], [])
    out.append({"variant": "raw baseline", "rows": len(raw), **timing})
    remove_store(Path(target))
    return [{"fields": fields, **row} for row in out]


def run(sizes: list[int], _baseline_max: int, seed: int) -> Report:
    for name, bound in LIMITS.items():
        os.environ.setdefault(f"REGISTRY_IMPORT_{name}", str(bound))
    report = Report("import_sql_floor", COLUMNS)
    for n in sizes:
        prepared = prepare(n, seed)
        target = str(prepared.store.with_name(f"sql-floor-{n}.db"))
        for fmt, path in (("catalogue", prepared.catalogue), ("native", prepared.native)):
            rows = isolated(floors, str(path), fmt, target)
            raw_cpu = rows[-1]["cpu_s"]
            for row in rows:
                report.add(datasets=prepared.datasets, format=fmt, vs_raw=round(row["cpu_s"] / raw_cpu, 2), **row)
    report.note("SQL only, rows ready-made and sorted; cpu_s = insert + index + commit (process CPU seconds)")
    report.note("vs_raw = the variant's SQL CPU seconds / the raw baseline's SQL CPU seconds (not its whole run)")
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=0)


if __name__ == "__main__":
    main()
