"""A streamed load SIGKILLed midway in its own process leaves Neo4j resumable: what it
committed stays, nothing is retired, the load is open, and running the same load again
reaches exactly the state of a load that was never interrupted.

The child (``python -m tests.e2e_bolt.test_killed_load URL FILE PROGRESS``) loads the file
in parts of one item and, once ``HOLD_AFTER`` chunks are committed, waits to be killed: the
kill lands between two commits every time instead of racing a fast load."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from registry.importers import native_stream
from registry.service import Caller, RegistryService
from registry.store.neo4j import Neo4jSettings, Neo4jStore
from tests.conftest import BoltDatabase
from tests.store.watched_neo4j import WatchedNeo4jStore

FIXTURE = Path(__file__).parents[1] / "importers" / "fixtures" / "zj_registry.yaml"
HOLD_AFTER = 6


def _held(progress: Path) -> Callable[[int], None]:
    """Reports each chunk the store asks for and, at ``HOLD_AFTER``, waits to be killed:
    when the store asks for chunk n, chunks 0..n-1 are committed."""

    def on_chunk(n: int) -> None:
        progress.write_text(str(n), encoding="utf-8")
        if n == HOLD_AFTER:
            time.sleep(600)

    return on_chunk


def _load(url: str, file: Path, progress: Path | None = None) -> None:
    """What ``registry import FILE`` does, in parts of one item."""
    store = WatchedNeo4jStore(Neo4jSettings.from_url(url))
    store.on_chunk = _held(progress) if progress is not None else None
    try:
        RegistryService(store).load_stream(native_stream.stream(file, part_items=1), Caller.system())
    finally:
        store.close()


def _state(url: str) -> tuple[Any, ...]:
    store = Neo4jStore.from_url(url)
    try:
        nodes = sorted(
            (n.label, n.key, json.dumps(n.props, sort_keys=True), n.retired)
            for n in store.iter_nodes(include_retired=True)
            if n.label != "ImportBatch"
        )
        edges = sorted(
            (e.type, str(e.src), str(e.dst), json.dumps(e.props, sort_keys=True), e.retired)
            for e in store.iter_edges(include_retired=True)
        )
        return nodes, edges, store.label_counts().get("ImportBatch", 0), [p.source for p in store.open_loads()]
    finally:
        store.close()


def _empty(url: str) -> None:
    store = Neo4jStore.from_url(url)
    store.wipe()
    store.close()


def test_a_load_killed_midway_is_completed_by_running_it_again(bolt_database: BoltDatabase, tmp_path: Path) -> None:
    file = tmp_path / "zj_registry.json"
    file.write_text(json.dumps(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")), ensure_ascii=False, default=str))
    whole, killed = bolt_database("killed_whole"), bolt_database("killed_cut")
    for url in (whole, killed):
        _empty(url)
    _load(whole, file)
    expected = _state(whole)

    progress = tmp_path / "progress"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e_bolt.test_killed_load", killed, str(file), str(progress)]
    )
    try:
        deadline = time.monotonic() + 120
        while not (progress.exists() and progress.read_text() == str(HOLD_AFTER)):
            assert child.poll() is None and time.monotonic() < deadline, "the child ended before it was killed"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL

    nodes, edges, records, open_loads = _state(killed)
    assert all(retired is False for *_, retired in edges)
    assert 0 < len(nodes) < len(expected[0]) and records == 0
    assert open_loads == [str(file)]
    assert all(retired is False for *_, retired in nodes)

    _load(killed, file)
    assert _state(killed) == expected


if __name__ == "__main__":
    _load(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
