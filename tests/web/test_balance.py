"""Workers sharing a listening socket split the connections between them
(``registry.web.balance``): four clients connecting at once land two on each worker,
where asyncio's accept loop let the first worker awake take all four; and each
connection sends small writes at once (TCP_NODELAY)."""

import asyncio
import multiprocessing
import os
import socket
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from registry.web import balance
from registry.web.balance import SHARES_ENV, BalancedLoop, Shares


def test_a_worker_holding_more_leaves_the_next_connection_to_the_others(tmp_path: Path) -> None:
    path = Shares.create(tmp_path / "shares")
    mine, other = Shares(path), Shares(path)
    mine.claim(os.getpid())
    other.claim(os.getppid())  # another live process
    assert mine.slot != other.slot

    other.publish(os.getppid(), 2)
    assert mine.may_accept(os.getpid(), 2)
    assert not mine.may_accept(os.getpid(), 3)
    other.publish(os.getppid(), 3)
    assert mine.may_accept(os.getpid(), 3)


def test_a_worker_silent_too_long_does_not_hold_the_others_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Shares.create(tmp_path / "shares")
    mine, other = Shares(path), Shares(path)
    mine.claim(os.getpid())
    other.claim(os.getppid())
    other.publish(os.getppid(), 0)
    assert not mine.may_accept(os.getpid(), 1)
    later = time.monotonic() + balance.STALE + 1
    monkeypatch.setattr(balance.time, "monotonic", lambda: later)
    assert mine.may_accept(os.getpid(), 1)


def test_a_slot_of_a_process_gone_is_taken_over(tmp_path: Path) -> None:
    path = Shares.create(tmp_path / "shares")
    gone = multiprocessing.get_context("fork").Process(target=lambda: None)
    gone.start()
    gone.join()
    assert gone.pid is not None
    first = Shares(path)
    first.claim(gone.pid)
    assert Shares(path).claim(os.getpid()) == first.slot


class _SayWho(asyncio.Protocol):
    """Answers each connection with the worker's pid and whether small writes go out at
    once (TCP_NODELAY), and keeps it open."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        nodelay = transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        transport.write(f"{os.getpid()} {nodelay}\n".encode())


def _worker(listener: socket.socket, shares: str, ready: Connection) -> None:
    os.environ[SHARES_ENV] = shares
    loop = BalancedLoop()

    async def serve() -> None:
        await loop.create_server(_SayWho, sock=listener)
        ready.send("ready")
        await asyncio.sleep(30)

    loop.run_until_complete(serve())


def test_connections_made_at_once_spread_over_the_workers(tmp_path: Path) -> None:
    shares = str(Shares.create(tmp_path / "shares"))
    listener = socket.socket()  # proto 0, as uvicorn makes it
    listener.bind(("127.0.0.1", 0))
    context = multiprocessing.get_context("fork")
    workers = []
    try:
        for _ in range(2):
            ours, theirs = context.Pipe()
            worker = context.Process(target=_worker, args=(listener, shares, theirs), daemon=True)
            worker.start()
            workers.append(worker)
            assert ours.poll(20) and ours.recv() == "ready"
        time.sleep(2 * balance.BEAT)  # each has published its first heartbeat
        clients = [socket.create_connection(listener.getsockname(), timeout=10) for _ in range(4)]
        answers = [client.makefile().readline().split() for client in clients]
        served_by = [pid for pid, _nodelay in answers]
        assert sorted(served_by.count(str(worker.pid)) for worker in workers) == [2, 2], served_by
        assert all(nodelay != "0" for _pid, nodelay in answers)
        for client in clients:
            client.close()
    finally:
        for worker in workers:
            worker.kill()
        listener.close()
