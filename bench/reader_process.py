"""The compact projection with the fields' join stepped by a reader process
(``registry.store.sqlite_reader``) beside the same projection read by the store's own
connection, on one registry file, in one process.

Run: ``python -m bench.reader_process [--datasets 100000] [--rounds 2] [--seed 1]``.

Each round projects for the administrator and for a public caller both ways, in turns
(the order swapped every round), each in a fresh store object: ``SQLiteStore(path,
read_elsewhere_bytes=0)`` always reads the join elsewhere, ``1 << 62`` never does. The
arrays must be the same. ``cpu_s`` is this process's CPU time, ``child_cpu_s`` the
reader's: the wall time is what the change is for, the CPU time what it costs.
"""

import resource
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Report, rounds_main
from bench.registries import copy_store, prepare, remove_store
from registry.analysis.compact import compact_registry
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

COLUMNS = ["caller", "join", "datasets", "seconds", "cpu_s", "child_cpu_s", "vs_here"]
WAYS = {"read here (baseline)": 1 << 62, "read by a reader process": 0}
"""``read_elsewhere_bytes`` for each way."""


def _projected(path: Path, elsewhere_from: int, caller: Caller) -> tuple[Any, float, float, float]:
    """The caller's arrays, with the wall, CPU and children's CPU seconds they took."""
    store = SQLiteStore(path, read_elsewhere_bytes=elsewhere_from)
    try:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu = time.perf_counter(), time.process_time()
        registry = compact_registry(RegistryService(store).rows(caller))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = ended.ru_utime + ended.ru_stime - children.ru_utime - children.ru_stime
        matrix = registry.matrix
        holdings = (matrix.holdings.indptr.tobytes(), matrix.holdings.indices.tobytes())
        answer = (matrix.keys, matrix.token_keys, holdings, registry.needs, registry.secrecy)
        return answer, seconds, cpu, child
    finally:
        store.close()


def run(datasets: int, rounds: int, seed: int) -> Report:
    report = Report("reader_process", COLUMNS)
    prepared = prepare(datasets, seed)
    path = RESULTS / "data" / f"reader-process-{datasets}.db"
    remove_store(path)
    copy_store(prepared.store, path)
    for name, caller in (("administrator", Caller.system()), ("public", Caller.public())):
        totals = {way: [0.0, 0.0, 0.0] for way in WAYS}
        answers: dict[str, Any] = {}
        for turn in range(rounds):
            for way in list(WAYS) if turn % 2 == 0 else list(reversed(WAYS)):
                answers[way], *spent = _projected(path, WAYS[way], caller)
                totals[way] = [total + part for total, part in zip(totals[way], spent, strict=True)]
        here, elsewhere = answers.values()
        if here != elsewhere:
            raise SystemExit(f"{name}: the join read by a reader process gave other arrays")
        baseline = totals["read here (baseline)"][0]
        for way, (seconds, cpu, child) in totals.items():
            report.add(
                caller=name,
                join=way,
                datasets=len(here[0]),
                seconds=seconds / rounds,
                cpu_s=cpu / rounds,
                child_cpu_s=child / rounds,
                vs_here=round(seconds / baseline, 2),
            )
    remove_store(path)
    report.note(f"{prepared.datasets:,} generated datasets, {prepared.fields:,} fields; mean of {rounds} rounds")
    report.note("vs_here: wall seconds against the join read by the store's own connection")
    return report


def main() -> None:
    rounds_main(__doc__, run)


if __name__ == "__main__":
    main()
