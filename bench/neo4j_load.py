"""A national native file into a real Bolt server: client memory, and a load killed midway.

Run: ``python -m bench.neo4j_load --file bench/results/data/native-100000-s1.json`` (or
``--datasets N`` to generate one with ``bench.registries``), under ``busy``. It starts
ArcadeDB's Bolt server (the ``bolt`` extra, see tests/bolt_server.py) on loopback with
``--server-heap`` of Java heap, then runs the real ``registry import --skip-invalid FILE``,
which streams a native file (``registry.importers.native_stream``) through
``RegistryService.load_stream`` into ``Store.apply_chunks`` (one transaction per part of
1,000 items on Neo4j). Each import runs in its own process, so its peak RSS is the
client's alone (the kernel's ``ru_maxrss`` of that child):

1. ``baseline``: the same command into the embedded store (SQLite);
2. ``load``: into an empty Bolt database - wall and CPU seconds, client peak RSS, and the
   server's CPU seconds over the step;
3. ``killed``: the same into a second empty database, SIGKILLed once ``--kill-at`` of the
   fields of step 2 are committed; what it left (entries, open loads);
4. ``re-run``: the same command again into the killed database, and its end state compared
   with step 2's: entries per label and relationship type, and every Dataset's properties.

The generated files plant invalid rows (a conditional share without its condition), hence
``--skip-invalid``.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Report
from registry.store.neo4j import Neo4jStore
from tests import bolt_server

COLUMNS = [
    "step", "store", "seconds", "client_cpu_s", "server_cpu_s", "client_peak_rss_mib", "exit", "nodes", "edges",
    "open_loads", "load_avg", "result",
]  # fmt: skip


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss_mib: int
    exit: int
    load_avg: float


def run_child(store: str, file: Path, kill_when: Callable[[], bool] | None = None) -> Run:
    """``registry import`` in its own process; its peak RSS and CPU from ``wait4``. ``kill_when()``
    true sends SIGKILL."""
    command = [str(Path(sys.executable).parent / "registry"), "--store", store, "import", "--skip-invalid", str(file)]
    env = {**os.environ, "REGISTRY_USER": "bench", "COLUMNS": "200"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if kill_when is not None and kill_when():
            os.kill(proc.pid, signal.SIGKILL)
            kill_when = None
        time.sleep(0.5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    error = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, -signal.SIGKILL):
        print(error[-3000:], file=sys.stderr)
    return Run(
        time.perf_counter() - started,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss // 1024,
        proc.returncode,
        round(os.getloadavg()[0], 1),
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (the server's JVM runs inside its pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _snapshot(url: str) -> dict[str, Any]:
    store = Neo4jStore.from_url(url)
    try:
        return {
            "nodes": store.label_counts(),
            "edges": store.edge_type_counts(),
            "open": [p.batch for p in store.open_loads()],
            "datasets": {n.key: n.props for n in store.iter_nodes(["Dataset"])},
        }
    finally:
        store.close()


def _fields(url: str) -> int:
    store = Neo4jStore.from_url(url)
    try:
        return store.count_nodes("Field")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--file", type=Path, help="a native file to load instead of a generated one")
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the fields loaded at the kill")
    parser.add_argument("--server-heap", default="4g", help="the Bolt server's Java heap")
    parser.add_argument("--no-baseline", action="store_true", help="skip the embedded-store baseline")
    parser.add_argument("--no-kill", action="store_true", help="only the load (steps 1-2)")
    args = parser.parse_args()
    if args.file is None:
        from bench.registries import prepare

        args.file = prepare(args.datasets).native
    report = Report("neo4j_load", COLUMNS)
    report.note(f"file: {args.file} ({args.file.stat().st_size / 2**20:,.0f} MiB)")
    with tempfile.TemporaryDirectory(prefix="bench-bolt-") as scratch:
        if not args.no_baseline:
            base = run_child(str(Path(scratch) / "baseline.db"), args.file)
            report.add(step="baseline", store="sqlite", seconds=round(base.seconds, 1),
                       client_cpu_s=round(base.cpu_seconds, 1), client_peak_rss_mib=base.peak_rss_mib,
                       exit=base.exit, load_avg=base.load_avg)  # fmt: skip
        server = bolt_server.start(Path(scratch) / "server", heap=args.server_heap, short_lived=False)
        try:
            bench_bolt(server, args.file, None if args.no_kill else args.kill_at, report)
        finally:
            server.stop()
    report.note(f"Bolt server: ArcadeDB, Java heap {args.server_heap} (its memory is not the client's)")
    report.print()
    report.save()


def bench_bolt(server: bolt_server.BoltServer, file: Path, kill_at: float | None, report: Report) -> None:
    whole, killed = server.url("bench_whole"), server.url("bench_killed")
    for name in ("bench_whole", "bench_killed"):
        server.create_database(name)

    def step(name: str, url: str, kill_when: Callable[[], bool] | None = None, **extra: Any) -> dict[str, Any]:
        cpu = _cpu_seconds(server.pid)
        done = run_child(url, file, kill_when)
        server_cpu = _cpu_seconds(server.pid) - cpu
        state = _snapshot(url)
        report.add(step=name, store="bolt", seconds=round(done.seconds, 1), client_cpu_s=round(done.cpu_seconds, 1),
                   server_cpu_s=round(server_cpu, 1), client_peak_rss_mib=done.peak_rss_mib, exit=done.exit,
                   nodes=sum(state["nodes"].values()), edges=sum(state["edges"].values()),
                   open_loads=len(state["open"]), load_avg=done.load_avg, **extra)  # fmt: skip
        return state

    full = step("load", whole)
    if kill_at is None:
        return
    target = int(full["nodes"].get("Field", 0) * kill_at)
    last_poll = [0.0]

    def far_enough() -> bool:
        """``kill_at`` of the fields committed (counted every 5 s)."""
        if time.monotonic() - last_poll[0] < 5:
            return False
        last_poll[0] = time.monotonic()
        return _fields(killed) >= target

    left = step("killed", killed, far_enough)
    left_fields = left["nodes"].get("Field", 0)
    report.note(f"killed with {left_fields:,} of {full['nodes'].get('Field', 0):,} fields committed")
    again = step("re-run", killed)
    same = {part: again[part] == full[part] for part in ("nodes", "edges", "datasets")}
    report.rows[-1]["result"] = "same end state" if all(same.values()) else f"differs: {same}"


if __name__ == "__main__":
    main()
