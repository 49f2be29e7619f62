"""The first public-caller dashboard query after one department's catalogue is imported.

Run: ``python -m bench.visibility_after_write [--datasets 100000]``.

A copy of the generated registry (``bench.registries``) is opened by one service, as a
server holds it: a public caller's dashboard mix (``bench.graphql``'s queries, in
process) runs once, so the clearance levels are known. Then one department's catalogue is
imported through the service (its rows of the generated national catalogue, with one
resource renamed, so the import creates a dataset and retires one, and the levels of
both move). The measured figure is the dashboard mix right after that import: the write
updated the levels it touched (``registry.service.levels``) and carried the caller's
counts across it (``VisibilityCache._carried``), so nothing is recomputed or recounted.

Baseline in the same run, on the same store after the same import: a service that did not
see the write (a fresh one, as a restarted server) answering the same mix; it reads the
levels the write left in the file (``SQLiteStore``'s levels table) and recounts. The hidden
set the write carried is compared with one computed apart over a projection of the whole
registry (``required_levels``), and its counts with the fresh service's recount.
"""

import argparse
import csv
import hashlib
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from unittest.mock import patch

from bench.common import Report, isolated, measured
from bench.graphql import MIX, _requests, in_process
from bench.registries import copy_store, prepare
from registry import importers
from registry.schema.enums import Clearance
from registry.schema.records import Key, NodeRef
from registry.service import Caller, RegistryService, visibility_cache
from registry.service.levels import Graph, Read, Update, update_stored
from registry.service.visibility import hidden_from, required_levels
from registry.store.sqlite import SQLiteStore

COLUMNS = ["step", "seconds", "cpu_s", "peak_rss_mib", "result"]


def department_catalogue(source: Path, target: Path) -> tuple[str, int]:
    """Every row of the first row's department: its whole catalogue, as it would file it
    again (a part of it would retire the rest). Its first resource gets a new code (a
    new dataset; the old one is no longer listed, so it is retired)."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        code_at, provider_at = header.index("信息资源代码"), header.index("信息资源提供方代码")
        kept = [next(rows)]
        chosen = kept[0][provider_at]
        kept.extend(row for row in rows if row[provider_at] == chosen)
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


def dashboard(service: RegistryService) -> dict[str, Any]:
    """The mix once, timed from the first question (finding the keys it asks about
    already needs the caller's hidden set)."""
    with measured() as m:
        result = in_process(service, _requests(service, len(MIX)))
    return {
        "seconds": m.seconds,
        "cpu_s": m.cpu_seconds,
        "peak_rss_mib": m.peak_rss_mib,
        "result": f"slowest query {result['max_ms']} ms, p95 of the mix {result['p95_ms']} ms",
    }


def digest(hidden: frozenset[NodeRef]) -> str:
    """What a public caller may not see, as one hash: the two services are compared by it."""
    return hashlib.sha256("\n".join(sorted(str(ref) for ref in hidden)).encode()).hexdigest()[:16]


def fresh_dashboard(db: str) -> tuple[dict[str, Any], str, dict[str, dict[str, int]]]:
    """The baseline, in its own interpreter (the first service's levels and counts are not
    in memory beside it): a service that did not see the write, as a restarted server,
    reads the levels the write left in the file and recounts, then answers the same mix.
    The hidden set it is checked against is computed apart, after the timed mix, by the
    rule over a projection of the whole registry (``required_levels``), not read from
    the table the write left: comparing the table with itself would prove nothing."""
    service = RegistryService(SQLiteStore(db))
    measure = dashboard(service)
    recomputed = hidden_from(required_levels(service.store.projection()), Clearance.PUBLIC)
    return measure, digest(recomputed), service.stats(Caller.public())


def run(datasets: int, seed: int) -> Report:
    prepared = prepare(datasets, seed)
    report = Report("visibility_after_write", COLUMNS)
    with tempfile.TemporaryDirectory(prefix="bench-visibility-") as folder:
        db = Path(folder) / "registry.db"
        copy_store(prepared.store, db)
        catalogue = Path(folder) / "department.csv"
        department, rows = department_catalogue(prepared.catalogue, catalogue)

        service = RegistryService(SQLiteStore(db))
        report.add(step="public dashboard mix, first (levels computed once)", **dashboard(service))
        updates: list[tuple[float, Update]] = []

        def timed(read: Read, graph: Graph, touched: Iterable[Key]) -> Update:
            started = time.process_time()
            update = update_stored(read, graph, touched)
            updates.append((time.process_time() - started, update))
            return update

        with patch.object(visibility_cache, "update_stored", timed), measured() as m:
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
        for spent, update in updates:
            report.add(
                step="  of which: levels updated over the closure of the write",
                cpu_s=spent,
                result=f"closure {len(update.closure):,} nodes, {len(update.changed):,} levels moved",
            )
        report.add(step="public dashboard mix, right after the import", **dashboard(service))
        kept, counts = digest(service.hidden(Caller.public())), service.stats(Caller.public())
        service.close()
        del service
        baseline, recomputed, recounted = isolated(fresh_dashboard, str(db))
        report.add(
            step="baseline: the same mix from a fresh service (levels read from the file, counts recounted)", **baseline
        )
        report.note(
            f"public hidden set kept by the writes equals a full recomputation over a projection: {kept == recomputed}"
        )
        report.note(f"public counts carried across the write equal a full recount: {counts == recounted}")
    report.note("a dashboard mix = each query of bench.graphql's MIX once, in process, as a public reviewer")
    report.note("cpu_s: this process's CPU time; wall seconds include waiting for a core when the machine is shared")
    return report


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
