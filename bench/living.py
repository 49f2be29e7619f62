"""Search and the change feed on a generated registry (issue 18 targets: search p95 <= 100 ms
with facets, ``changes`` over a day of imports <= 1 s, at 100k datasets).

Baselines in the same process: search against the store's own one-kind substring search
(``service.find(caller, "Dataset", text=...)``, what a search box could use before), the
search index brought up to date after the day's batches against its full build, and the
change feed against a scan of the whole history filtered by time (the only way to ask
"what changed since T" before batches were indexed).

    python -m bench.living --datasets 10000
    python -m bench.living --datasets 100000
"""

import argparse
import random
import shutil
import statistics
import time
from datetime import UTC, datetime

from bench.common import Report, measured
from bench.registries import DATA, prepare
from registry.schema.model import Dataset
from registry.service import Caller, RegistryService
from registry.service.changes import changes
from registry.service.search import search
from registry.store.sqlite import SQLiteStore

QUERIES = 200
DAY_BATCHES = 24
"""A day of imports: one batch an hour, each touching some datasets."""


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _queries(service: RegistryService, rng: random.Random) -> list[str]:
    names = [r.props.get("name", "") for r in service.find(Caller.system(), "Dataset", limit=5000)]
    out = []
    while len(out) < QUERIES:
        name = rng.choice(names)
        if len(name) >= 4:
            start = rng.randrange(0, len(name) - 2)
            out.append(name[start : start + rng.choice((2, 3, 4))])
    return out


def _timed(func: object, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        began = time.perf_counter()
        func(query)  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    return times


def run(datasets: int) -> Report:
    prepared = prepare(datasets)
    work = DATA / f"living-{datasets}.db"
    for stale in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        stale.unlink(missing_ok=True)  # a killed run's write-ahead log would corrupt the fresh copy
    shutil.copyfile(prepared.store, work)
    service = RegistryService(SQLiteStore(work))
    report = Report(f"living-{datasets}", ["case", "caller", "p50_ms", "p95_ms", "baseline_p95_ms", "seconds"])
    rng = random.Random(7)
    queries = _queries(service, rng)
    for caller_name, caller in (("cleared", Caller.system()), ("public", Caller.public())):
        with measured() as build:
            search(service, caller, queries[0])  # builds the index (once per store version) and the caller's levels
        ours = _timed(lambda q, c=caller: search(service, c, q, first=20), queries)
        base = _timed(lambda q, c=caller: service.find(c, "Dataset", text=q, limit=20), queries)
        slowest = sorted(zip(ours, queries, strict=True), reverse=True)[:5]
        report.note(
            f"{caller_name}: index build and levels {build.seconds:.1f} s, peak RSS {build.peak_rss_mib:,.0f} MiB; "
            "slowest: " + ", ".join(f"{q} {ms:.0f} ms ({search(service, caller, q).total:,} hits)" for ms, q in slowest)
        )
        report.add(
            case="search (all kinds, facets) vs one-kind find",
            caller=caller_name,
            p50_ms=round(_p(ours, 50), 2),
            p95_ms=round(_p(ours, 95), 2),
            baseline_p95_ms=round(_p(base, 95), 2),
            seconds=round(build.seconds, 1),
        )
    day_start = datetime.now(UTC).isoformat(timespec="seconds")
    keys = [r.key for r in service.find(Caller.system(), "Dataset", limit=DAY_BATCHES * 20)]
    for hour in range(DAY_BATCHES):
        models = []
        for key in keys[hour * 20 : (hour + 1) * 20]:
            record = service.get(Caller.system(), "Dataset", key)
            models.append(
                Dataset(**{**record.props, "abstract": f"{record.props.get('abstract', '')}（第{hour}次更新）"})
            )
        service.upsert(Caller.system(), models, source=f"bench:hour-{hour}")
    with measured() as update:
        search(service, Caller.system(), queries[0])  # applies the day's batches to the index
    report.add(
        case=f"search index after {DAY_BATCHES} batches: updated vs full build",
        caller="cleared",
        p50_ms=None,
        p95_ms=None,
        baseline_p95_ms=None,
        seconds=round(update.seconds, 2),
    )
    for caller_name, caller in (("cleared", Caller.system()), ("public", Caller.public())):
        service.hidden(caller)  # levels after the day's writes, as any first read computes them
        began = time.perf_counter()
        found = changes(service, caller, since=day_start)
        ours = time.perf_counter() - began
        began = time.perf_counter()
        scanned = [h for h in service.store.iter_history() if h.prov.at >= day_start]
        base = time.perf_counter() - began
        report.add(
            case=f"changes over a day of imports ({len(found)} changes) vs history scan ({len(scanned)})",
            caller=caller_name,
            p50_ms=None,
            p95_ms=round(ours * 1000, 1),
            baseline_p95_ms=round(base * 1000, 1),
            seconds=round(ours, 3),
        )
    service.store.close()
    work.unlink(missing_ok=True)
    report.note(f"{datasets:,} datasets; {QUERIES} queries of 2-4 characters cut from dataset names; warm index")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    report = run(parser.parse_args().datasets)
    report.print()
    report.save()


if __name__ == "__main__":
    main()
