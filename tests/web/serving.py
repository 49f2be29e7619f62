"""``registry serve`` in a subprocess on a free loopback port, for the tests that need a real
server (HTTP and websocket end to end, the browser tests): started, waited for on
``/health``, stopped by its own pid."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(store: Path, *options: str, wait_s: float = 120.0) -> Iterator[str]:
    """The server's base URL while the block runs; ``options`` follow ``serve``. A server
    that stops or does not answer within ``wait_s`` fails the test with its error output."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-c", "from registry.cli import main; main()", "--store", str(store)),
            *("serve", "--port", str(port), *options),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, started = time.monotonic() + wait_s, False
        while not started and process.poll() is None and time.monotonic() < deadline:
            try:
                started = httpx2.get(f"{url}/health", timeout=5).status_code == 200
            except httpx2.TransportError:
                time.sleep(0.1)
        if not started:
            _stop(process)
            pytest.fail(f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}")
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
