"""A national native file into a real Bolt server: client memory, and a load killed midway.

Run: ``python -m bench.neo4j_load --datasets 100000`` (or ``--file native.json``), under
``flock /tmp/bigrun.lock``. It starts ArcadeDB's Bolt server (the ``bolt`` extra, see
tests/bolt_server.py) on loopback, then runs the real command line, each in its own process
so that its peak RSS (``VmHWM``) is the client's alone:

1. ``registry --store <sqlite> import FILE`` - the baseline: the same file into the embedded store;
2. ``registry --store bolt://… import FILE`` into an empty database - time and client peak RSS;
3. the same into a second empty database, SIGKILLed when ``--kill-at`` of step 2's fields
   are in or of its time has passed; what the kill left (open loads, counts), then the same command again, and the
   end state compared with step 2's (counts per kind and type, and every Dataset's props).

The file comes from ``bench.registries.prepare`` (generated, planted, the store's export
format) unless ``--file`` names one.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Report
from registry.store.neo4j import Neo4jStore
from tests import bolt_server

COLUMNS = ["step", "store", "seconds", "client_peak_rss_mib", "exit", "nodes", "edges", "open_loads", "result"]


@dataclass
class Run:
    seconds: float
    peak_rss_mib: int
    exit: int


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def run_cli(store: str, *args: str, kill_when: Any = None) -> Run:
    """The registry command in its own process, its peak RSS polled from /proc until it
    ends; ``kill_when()`` true sends SIGKILL."""
    command = [str(Path(sys.executable).parent / "registry"), "--store", store, *args]
    env = {**os.environ, "REGISTRY_USER": "bench", "COLUMNS": "200"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _hwm(proc.pid))
        if kill_when is not None and kill_when():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.5)
    error = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, -signal.SIGKILL):
        print(error[-3000:], file=sys.stderr)
    return Run(time.perf_counter() - started, peak, proc.returncode)


def _empty(url: str) -> None:
    store = Neo4jStore.from_url(url)
    try:
        store.wipe()
    finally:
        store.close()


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
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="a native file to load instead of the generated one")
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the fields loaded at the kill")
    parser.add_argument("--server-heap", default="4g")
    parser.add_argument("--no-baseline", action="store_true", help="skip the embedded-store baseline")
    args = parser.parse_args()
    if args.file is None:
        from bench.registries import prepare

        args.file = prepare(args.datasets).native
    report = Report("neo4j_load", COLUMNS)
    report.note(f"file: {args.file} ({args.file.stat().st_size / 2**20:,.0f} MiB)")
    with tempfile.TemporaryDirectory(prefix="bench-bolt-") as scratch:
        if not args.no_baseline:
            db = Path(scratch) / "baseline.db"
            base = run_cli(str(db), "import", str(args.file))
            report.add(step="baseline", store="sqlite", seconds=round(base.seconds, 1),
                       client_peak_rss_mib=base.peak_rss_mib, exit=base.exit)  # fmt: skip
        server = bolt_server.start(Path(scratch) / "server", heap=args.server_heap, short_lived=False)
        try:
            bench_bolt(server, args.file, args.kill_at, report)
        finally:
            server.stop()
    report.note(f"Bolt server: ArcadeDB {server.root} heap {args.server_heap} (its memory is not the client's)")
    report.print()
    report.save()


def bench_bolt(server: bolt_server.BoltServer, file: Path, kill_at: float, report: Report) -> None:
    whole, killed = server.url("bench_whole"), server.url("bench_killed")
    for url, name in ((whole, "bench_whole"), (killed, "bench_killed")):
        server.create_database(name)
        _empty(url)

    full = run_cli(whole, "import", str(file))
    done = _snapshot(whole)
    report.add(step="load", store="bolt", seconds=round(full.seconds, 1), client_peak_rss_mib=full.peak_rss_mib,
               exit=full.exit, nodes=sum(done["nodes"].values()), edges=sum(done["edges"].values()),
               open_loads=len(done["open"]))  # fmt: skip
    target = int(done["nodes"].get("Field", 0) * kill_at)
    started, last_poll = time.monotonic(), [0.0]

    def far_enough() -> bool:
        """``kill_at`` of the fields committed, or of step 2's time gone: a load that is
        one transaction shows no fields until it commits."""
        if time.monotonic() - started >= kill_at * full.seconds:
            return True
        if time.monotonic() - last_poll[0] < 5:
            return False
        last_poll[0] = time.monotonic()
        return _fields(killed) >= target

    cut = run_cli(killed, "import", str(file), kill_when=far_enough)
    left = _snapshot(killed)
    report.add(step="killed", store="bolt", seconds=round(cut.seconds, 1), client_peak_rss_mib=cut.peak_rss_mib,
               exit=cut.exit, nodes=sum(left["nodes"].values()), edges=sum(left["edges"].values()),
               open_loads=len(left["open"]))  # fmt: skip
    again = run_cli(killed, "import", str(file))
    after = _snapshot(killed)
    same = {part: after[part] == done[part] for part in ("nodes", "edges", "datasets")}
    report.add(step="re-run", store="bolt", seconds=round(again.seconds, 1),
               client_peak_rss_mib=again.peak_rss_mib, exit=again.exit, nodes=sum(after["nodes"].values()),
               edges=sum(after["edges"].values()), open_loads=len(after["open"]),
               result="same end state" if all(same.values()) else f"differs: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
