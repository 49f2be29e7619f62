"""What every benchmark shares: timing with peak memory, isolated runs, tables, results.

Peak RSS is the kernel's high-water mark (``VmHWM``), reset before each measured step by
writing 5 to ``/proc/self/clear_refs``: ``getrusage`` alone only ever grows, so a second
step would report the first one's peak. Steps whose memory matters run in a fresh
interpreter (``isolated``), because CPython keeps freed memory mapped and a step that
follows a larger one would otherwise start from the larger one's footprint.
"""

import argparse
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results"
console = Console(width=200)


def _status(name: str) -> int:
    """A ``/proc/self/status`` value in MiB (0 where /proc is not available)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> int:
    """Peak RSS since the last reset (``VmHWM``), else since the process started."""
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def rss_mib() -> int:
    return _status("VmRSS")


@dataclass
class Measure:
    seconds: float = 0.0
    peak_rss_mib: int = 0
    start_rss_mib: int = 0
    cpu_seconds: float = 0.0
    """This process's CPU time in the block: on a shared machine, wall time also counts
    the time spent waiting for a core, which the CPU time does not."""
    child_cpu_seconds: float = 0.0
    """The CPU time of the child processes that ended in the block (the SQLite store's
    reader process)."""
    family_peak_mib: int | None = None
    """With ``measured(family=True)``: the peak of this process's and its children's
    proportional set sizes added up, sampled every 2 s (pages a forked child
    shares with this process count once)."""


_FAMILY_SAMPLER = """
import os, select, sys
pid, me, peak = int(sys.argv[1]), os.getpid(), 0
def pss(p):
    try:
        with open(f"/proc/{p}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0
def parent(p):
    try:
        with open(f"/proc/{p}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1
while True:
    family = [pid] + [int(e) for e in os.listdir("/proc") if e.isdigit() and int(e) != me and parent(e) == pid]
    peak = max(peak, sum(map(pss, family)))
    if select.select([sys.stdin], [], [], 2.0)[0]:
        break
print(peak // 1024)
"""


@contextmanager
def measured(*, family: bool = False) -> Iterator[Measure]:
    """Wall time and peak RSS of the block (peak of the whole process: resident memory
    from before the block counts, and is reported as ``start_rss_mib``). With ``family``
    the peak of this process and its children together is sampled too, by a process of
    its own: a sampling thread would take the GIL from the work it measures."""
    reset_peak()
    m = Measure(start_rss_mib=rss_mib())
    sampler = (
        subprocess.Popen(
            [sys.executable, "-I", "-c", _FAMILY_SAMPLER, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if family
        else None
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        yield m
    finally:
        m.seconds = time.perf_counter() - started
        m.cpu_seconds = time.process_time() - cpu
        m.peak_rss_mib = peak_rss_mib()
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)  # before the sampler ends: not its own time
        m.child_cpu_seconds = sum(getattr(ended, f) - getattr(children, f) for f in ("ru_utime", "ru_stime"))
        if sampler is not None:
            out, _ = sampler.communicate("stop\n")
            m.family_peak_mib = int(out.strip() or 0)


def isolated(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` in a fresh interpreter (spawned, not forked, so it shares no pages
    with this one); ``func`` must be a module-level function returning picklable data."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(func, args)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(memory, 1),
        "python": platform.python_version(),
        "cpu": cpu,
        "platform": platform.platform(),
    }


@dataclass
class Report:
    """One benchmark's rows, printed as a table and saved as JSON for comparing runs."""

    name: str
    columns: Sequence[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, **row: Any) -> None:
        self.rows.append(row)
        console.print({k: v for k, v in row.items() if v is not None})

    def note(self, text: str) -> None:
        self.notes.append(text)

    def print(self) -> None:
        table = Table(title=self.name)
        for column in self.columns:
            table.add_column(column, justify="right" if column not in ("path", "step", "format") else "left")
        for row in self.rows:
            table.add_row(*(_cell(row.get(c)) for c in self.columns))
        console.print(table)
        for text in self.notes:
            console.print(f"- {text}")

    def save(self, extra: dict[str, Any] | None = None) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        payload = {
            "bench": self.name,
            "at": stamp,
            "machine": machine(),
            "rows": self.rows,
            "notes": self.notes,
            **(extra or {}),
        }
        path = RESULTS / f"{self.name}-{stamp}.json"
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
        path.write_text(text, encoding="utf-8")
        (RESULTS / f"{self.name}-latest.json").write_text(text, encoding="utf-8")
        console.print(f"results: {path}")
        return path


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parse_sizes(text: str) -> list[int]:
    return [int(part.replace("k", "000").replace("M", "000000")) for part in text.split(",") if part.strip()]


def sized_main(doc: str | None, run: Callable[[list[int], int, int], Report], *, baseline_max: int) -> None:
    """The command line every sized benchmark shares: sizes, how far the baseline runs, seed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--baseline-max", type=int, default=baseline_max)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run(parse_sizes(args.sizes), args.baseline_max, args.seed)
    report.print()
    report.save()


def rounds_main(doc: str | None, run: Callable[[int, int, int], Report]) -> None:
    """The command line of the benchmarks that run two ways of one step in alternating
    rounds on one generated registry: its size, the rounds, the seed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run(args.datasets, args.rounds, args.seed)
    report.print()
    report.save()
