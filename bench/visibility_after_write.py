"""The first public-caller dashboard query after one department's catalogue is imported.

Run: ``python -m bench.visibility_after_write [--datasets 100000]``.

A copy of the generated registry (``bench.registries``) is opened by one service, as a
server holds it: a public caller's dashboard mix (``bench.graphql``'s queries, in
process) runs once, so the clearance levels are known. Then one department's catalogue is
imported through the service (its rows of the generated national catalogue, with one
resource renamed, so the import creates a dataset and retires one, and the levels of
both move). The measured figure is the dashboard mix right after that import: the write
updated the levels it touched (``registry.service.levels``), so nothing is recomputed.

Baseline in the same run, on the same store after the same import: a service that did not
see the write (a fresh one, as every reader was before levels were kept up to date)
answering the same mix, which computes every node's level over a projection first.
"""

import argparse
import csv
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Report, measured
from bench.graphql import MIX, _requests, in_process
from bench.registries import prepare
from registry import importers
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

COLUMNS = ["step", "seconds", "cpu_s", "peak_rss_mib", "result"]


def department_catalogue(source: Path, target: Path) -> tuple[str, int]:
    """The rows of the first department with at least two resources; its first resource
    gets a new code (a new dataset; the old one is no longer listed, so it is retired)."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        code_at, provider_at = header.index("信息资源代码"), header.index("信息资源提供方代码")
        chosen: str | None = None
        kept: list[list[str]] = []
        resources: set[str] = set()
        for row in rows:
            if chosen is None:
                chosen = row[provider_at]
            if row[provider_at] == chosen:
                kept.append(row)
                resources.add(row[code_at])
            elif kept and len(resources) >= 2:
                break
    first = kept[0][code_at]
    renamed = first.replace("/", "/9", 1)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in kept:
            if row[code_at] == first:
                row = [*row[:code_at], renamed, *row[code_at + 1 :]]
            writer.writerow(row)
    return str(chosen), len(kept)


def copy_store(source: Path, target: Path) -> None:
    """A private copy of a cached registry: the cache may be shared (hard-linked) with other
    runs, so it is opened only when a write-ahead log must be folded in first."""
    wal = source.with_name(source.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        store = SQLiteStore(source)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    shutil.copyfile(source, target)


def dashboard(service: RegistryService) -> dict[str, Any]:
    """The mix once, timed from the first question (finding the keys it asks about
    already needs the caller's hidden set)."""
    with measured() as m:
        result = in_process(service, _requests(service, len(MIX)))
    return {"seconds": m.seconds, "cpu_s": m.cpu_seconds, "peak_rss_mib": m.peak_rss_mib, "p95_ms": result["p95_ms"]}


def run(datasets: int, seed: int) -> Report:
    prepared = prepare(datasets, seed)
    report = Report("visibility_after_write", COLUMNS)
    with tempfile.TemporaryDirectory(prefix="bench-visibility-") as folder:
        db = Path(folder) / "registry.db"
        copy_store(prepared.store, db)
        catalogue = Path(folder) / "department.csv"
        department, rows = department_catalogue(prepared.catalogue, catalogue)

        service = RegistryService(SQLiteStore(db))
        first = dashboard(service)
        report.add(step="public dashboard mix, first (levels computed once)", **_row(first))
        with measured() as m:
            loaded = service.load_stream(importers.stream(catalogue), Caller.system(), force=True)
        totals = loaded.result.totals()
        report.add(
            step="import one department's catalogue (levels updated by the write)",
            seconds=m.seconds,
            cpu_s=m.cpu_seconds,
            peak_rss_mib=m.peak_rss_mib,
            result=f"department {department}: {rows} rows; created {totals['created']}, updated "
            f"{totals['updated']}, retired {totals['retired']}",
        )
        after = dashboard(service)
        report.add(step="public dashboard mix, right after the import", **_row(after))
        fresh = RegistryService(SQLiteStore(db))
        started = time.perf_counter()
        baseline = dashboard(fresh)
        report.add(step="baseline: the same mix from a service that recomputes levels", **_row(baseline))
        same = all(service.hidden(c) == fresh.hidden(c) for c in (Caller.public(),))
        report.note(f"hidden set after the write equals a full recomputation: {same}")
        report.note(f"{time.perf_counter() - started:.1f} s for the baseline, levels included")
    report.note("a dashboard mix = each query of bench.graphql's MIX once, in process, as a public reviewer")
    report.note("cpu_s: this process's CPU time; the machine is shared, so wall seconds include waiting for a core")
    return report


def _row(measure: dict[str, Any]) -> dict[str, Any]:
    return {
        "seconds": measure["seconds"],
        "cpu_s": measure["cpu_s"],
        "peak_rss_mib": measure["peak_rss_mib"],
        "result": f"p95 of the mix {measure['p95_ms']} ms",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run(args.datasets, args.seed)
    report.print()
    report.save()


if __name__ == "__main__":
    main()
