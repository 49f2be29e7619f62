"""Connections spread over the server's workers: a worker accepts only while it holds no
more open connections than the least loaded of the others.

uvicorn's workers share one listening socket. Whichever wakes first takes every
connection waiting (asyncio accepts in a loop until the queue is empty), so four clients
connecting at once all went to one worker: in quiet runs of the GraphQL bench at 10k
datasets one worker spent 8.9 CPU s and the other 0.01 s, and a keep-alive connection
stays where it landed, so one core served the dashboard while the other idled
(bench/README.md).

Each worker publishes its open connections and a heartbeat in a small file the
supervisor made (``Shares``; its path travels in ``SHARES_ENV``), and accepts from the
shared socket through ``BalancedLoop``, the event loop uvicorn is given by name: while
it holds more connections than some other live worker, it leaves the socket to the
others and looks again a few milliseconds later. A worker whose heartbeat is older than
``STALE`` seconds (busy computing clearance levels for a minute, or dead) does not count,
so the others never wait on it. Without the file (one worker, tests) the loop serves as
asyncio's does.
"""

import asyncio
import fcntl
import mmap
import os
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SHARES_ENV = "REGISTRY_SERVE_SHARES"
"""Environment variable naming the shares file of a multi-worker server."""
SLOTS = 64
"""Workers a shares file has room for (uvicorn replaces a dead worker with a new process:
its slot is taken over once that process is gone)."""
STALE = 1.0
"""Seconds after which a worker's last heartbeat no longer counts it as present."""
BEAT = 0.1
"""Seconds between a worker's heartbeats while its event loop is free."""
RETRY = 0.005
"""Seconds a worker that left the socket to the others waits before looking again."""

_SLOT = struct.Struct("<qqd")  # pid, open connections, heartbeat (monotonic seconds)


class Shares:
    """Each worker's open connections, in a file every worker maps."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), _SLOT.size * SLOTS)
        self.slot = -1

    @staticmethod
    def create(path: Path) -> Path:
        """An empty shares file (in the supervisor, before the workers start)."""
        path.write_bytes(bytes(_SLOT.size * SLOTS))
        return path

    def claim(self, pid: int) -> int:
        """A slot for ``pid``: a free one, or one whose process is gone (under a lock, as the
        workers start at once)."""
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        try:
            for slot in range(SLOTS):
                held, _count, _beat = self._read(slot)
                if held == 0 or held == pid or not _alive(held):
                    self.slot = slot
                    self.publish(pid, 0)
                    return slot
        finally:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        raise RuntimeError(f"no free slot in {self.path} for worker {pid}")

    def publish(self, pid: int, count: int) -> None:
        _SLOT.pack_into(self._map, self.slot * _SLOT.size, pid, count, time.monotonic())

    def may_accept(self, pid: int, count: int) -> bool:
        """Whether a worker holding ``count`` connections should take the next one: yes
        unless another present worker holds fewer."""
        now = time.monotonic()
        for slot in range(SLOTS):
            if slot == self.slot:
                continue
            held, others, beat = self._read(slot)
            if held not in (0, pid) and now - beat < STALE and others < count:
                return False
        return True

    def _read(self, slot: int) -> tuple[int, int, float]:
        held, count, beat = _SLOT.unpack_from(self._map, slot * _SLOT.size)
        return held, count, beat

    def close(self) -> None:
        self._map.close()
        self._file.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BalancedLoop(asyncio.SelectorEventLoop):
    """asyncio's event loop, accepting from a listening socket one connection at a time
    and only while this worker's share allows (``Shares.may_accept``)."""

    def __init__(self) -> None:
        super().__init__()
        path = os.environ.get(SHARES_ENV)
        self.shares = Shares(Path(path)) if path else None
        self._worker_pid = os.getpid()
        self._open: set[asyncio.BaseTransport] = set()
        self._accepting = 0  # accepted, transport not made yet
        if self.shares is not None:
            self.shares.claim(self._worker_pid)
            self.call_soon(self._beat)

    async def create_server(
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: Any = None,
        port: Any = None,
        *,
        sock: socket.socket | None = None,
        backlog: int = 100,
        ssl: Any = None,
        start_serving: bool = True,
        **kwargs: Any,
    ) -> asyncio.Server:
        """A server on a socket shared with other workers (what uvicorn's supervisor hands
        each worker) accepts through ``_take``; anything else is asyncio's own."""
        if self.shares is None or sock is None or ssl is not None or not start_serving:
            return await super().create_server(
                protocol_factory, host, port, sock=sock, backlog=backlog, ssl=ssl, start_serving=start_serving, **kwargs
            )
        server = await super().create_server(protocol_factory, sock=sock, backlog=backlog, start_serving=False)
        sock.listen(backlog)
        self.add_reader(sock.fileno(), self._take, protocol_factory, sock)
        return server  # its close() stops the reader and closes the socket, as asyncio's does

    def _connections(self) -> int:
        self._open = {transport for transport in self._open if not transport.is_closing()}
        return len(self._open) + self._accepting

    def _beat(self) -> None:
        assert self.shares is not None
        self.shares.publish(self._worker_pid, self._connections())
        self.call_later(BEAT, self._beat)

    def _take(self, protocol_factory: Callable[[], asyncio.BaseProtocol], sock: socket.socket) -> None:
        """The shared socket has a connection waiting: take it if this worker's share
        allows, else leave it to the others and look again shortly."""
        assert self.shares is not None
        if not self.shares.may_accept(self._worker_pid, self._connections()):
            self.remove_reader(sock.fileno())
            self.call_later(RETRY, self._resume, protocol_factory, sock)
            return
        try:
            conn, _address = sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it
        conn.setblocking(False)
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            # asyncio sets this only on sockets made with proto IPPROTO_TCP, and uvicorn's
            # shared socket is made with proto 0: a response written as headers then body
            # waited 40 ms for the client's delayed acknowledgement of the first part
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._accepting += 1
        self.shares.publish(self._worker_pid, self._connections())  # before the next worker decides
        self.create_task(self._serve(protocol_factory, conn))

    def _resume(self, protocol_factory: Callable[[], asyncio.BaseProtocol], sock: socket.socket) -> None:
        if sock.fileno() != -1:  # not closed by the server's shutdown meanwhile
            self.add_reader(sock.fileno(), self._take, protocol_factory, sock)

    async def _serve(self, protocol_factory: Callable[[], asyncio.BaseProtocol], conn: socket.socket) -> None:
        try:
            transport, _protocol = await self.connect_accepted_socket(protocol_factory, conn)
            self._open.add(transport)
        finally:
            self._accepting -= 1

    def close(self) -> None:
        if self.shares is not None:
            self.shares.publish(0, 0)
            self.shares.close()
            self.shares = None
        super().close()
