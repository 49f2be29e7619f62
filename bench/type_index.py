"""The type index as it is now (each edge's key and retired flag after its type) beside
the index before (the type alone), on two copies of one registry file, in one process.

Run: ``python -m bench.type_index [--datasets 100000] [--rounds 2] [--seed 1]``.

The compact projection (``compact_registry``, the first half of the national analyses)
reads the live edges of MEANS, SHARED_WITH, PROVIDES, HOLDS, OPERATES and BUILDS one type
at a time. With the index before, SQLite looked up each edge's row for its retired flag;
now it reads them from the index alone, in key order. Both copies run the same code, so
the figures isolate the index; the code before also asked for several types at once
(a sort of them all, on either index), which this bench does not run. Each round reads
both copies, in turns, each step in a fresh store object; the answers must be the same.
"""

import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Report, rounds_main
from bench.registries import copy_store, prepare, remove_store
from registry.analysis.compact import compact_registry
from registry.schema.rows import edge_ends
from registry.store.sqlite import SQLiteStore

COLUMNS = ["index", "step", "rows", "seconds", "cpu_s", "vs_before"]
TYPES = ("MEANS", "SHARED_WITH", "PROVIDES", "HOLDS", "OPERATES", "BUILDS")
BEFORE = "CREATE INDEX edges_by_type ON edges (type) WHERE type <> 'HAS_FIELD'"
"""The definition of the twelfth session to the fifteenth (bench/README.md)."""


def current_definition() -> str:
    """The index as a new registry file defines it, read from one."""
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "empty.db")
        (sql,) = store._db.execute("SELECT sql FROM sqlite_master WHERE name = 'edges_by_type'").fetchone()
        store.close()
    return str(sql)


def with_index(source: Path, target: Path, definition: str) -> None:
    remove_store(target)
    copy_store(source, target)
    db = sqlite3.connect(target)
    db.executescript(f"DROP INDEX IF EXISTS edges_by_type; {definition};")
    db.close()


def _typed_reads(store: SQLiteStore) -> list[Any]:
    return [list(edge_ends(store, [edge_type])) for edge_type in TYPES]


def _compact(store: SQLiteStore) -> Any:
    registry = compact_registry(store)
    return (registry.matrix.keys, registry.matrix.holdings.nnz, registry.secrecy, registry.needs)


def _timed(path: Path, step: Callable[[SQLiteStore], Any]) -> tuple[Any, float, float]:
    store = SQLiteStore(path)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        answer = step(store)
        return answer, time.perf_counter() - started, time.process_time() - cpu
    finally:
        store.close()


def run(datasets: int, rounds: int, seed: int) -> Report:
    report = Report("type_index", COLUMNS)
    prepared = prepare(datasets, seed)
    copies = {
        "before (type)": (RESULTS / "data" / f"type-index-before-{datasets}.db", BEFORE),
        "now (type, key, retired)": (RESULTS / "data" / f"type-index-now-{datasets}.db", current_definition()),
    }
    for path, definition in copies.values():
        with_index(prepared.store, path, definition)
    steps: dict[str, Callable[[SQLiteStore], Any]] = {
        "live ends of " + ", ".join(TYPES) + " (one type at a time)": _typed_reads,
        "compact projection (compact_registry)": _compact,
    }
    for step, read in steps.items():
        totals = {name: [0.0, 0.0] for name in copies}
        answers: dict[str, Any] = {}
        for turn in range(rounds):
            order = list(copies) if turn % 2 == 0 else list(reversed(copies))
            for name in order:
                answers[name], seconds, cpu = _timed(copies[name][0], read)
                totals[name][0] += seconds
                totals[name][1] += cpu
        before, now = answers.values()
        if before != now:
            raise SystemExit(f"{step}: the two indexes gave different answers")
        rows = sum(map(len, now)) if read is _typed_reads else len(now[0])
        base_cpu = totals[next(iter(copies))][1]
        for name, (seconds, cpu) in totals.items():
            report.add(
                index=name,
                step=step,
                rows=rows,
                seconds=seconds / rounds,
                cpu_s=cpu / rounds,
                vs_before=round(cpu / base_cpu, 2),
            )
    for path, _ in copies.values():
        remove_store(path)
    report.note(f"{prepared.datasets:,} generated datasets, {prepared.fields:,} fields; mean of {rounds} rounds")
    report.note("rows: edges read (typed reads) or datasets (compact projection)")
    report.note("vs_before: CPU seconds against the index before, on the same file")
    return report


def main() -> None:
    rounds_main(__doc__, run)


if __name__ == "__main__":
    main()
