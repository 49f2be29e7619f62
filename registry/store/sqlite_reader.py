"""A long read of a registry file stepped by another process, its rows handed back in pages.

CPython's ``sqlite3`` gives up the GIL around each step of a statement, once per row, so
a thread stepping SQLite beside a thread of Python work takes turns with it instead of
running beside it: a second thread measured 0.93x-1.04x on the compact projection. A
child process has a GIL of its own: it joins, groups and reads the pages while this
process turns the previous page into arrays, and a national projection's long reads
take both cores. The child is this file run as a script (``python -I``), so it imports
nothing but the standard library.

The child opens the file read-only, in a statement of its own: it reads the last
committed state, as a statement of the parent's own connection does. A read inside a
write transaction must see that transaction's rows, so the store reads those itself.
"""

import marshal
import os
import sqlite3
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import IO, Any

PAGE_ROWS = 10_000
"""Rows per page handed back: the parent holds at most two pages' rows at once."""

_LENGTH = struct.Struct("<Q")
"""Each message's length, ahead of it."""

AHEAD_BYTES = 1 << 30
"""How far the child may read ahead of the parent, in bytes of pages not yet taken: a
national registry's datasets with their fields' names are about 1.3 GB, so a caller
that asks for the first row early (``holdings``) has most of the join read while it
reads everything else."""

CACHE_KIB = 200_000
"""The child's page cache, as the store's own connection has it (``PRAGMA cache_size``)."""


class ReaderFailed(Exception):
    """The child could not read: its message, or how it ended."""


def read_elsewhere(path: Path, sql: str, params: Sequence[Any]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``sql`` (with ``params``, bound by SQLite, never formatted into it)
    over the file at ``path``, stepped by a child process. The child is started when the
    first row is asked for and ended when the rows are done or dropped."""
    child = subprocess.Popen(
        [sys.executable, "-I", str(Path(__file__)), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        try:
            marshal.dump((sql, tuple(params)), child.stdin)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child ended before it read the statement: ``_page`` says how
        while True:
            try:
                kind, page = _page(child.stdout)
            except ReaderFailed as exc:
                raise ReaderFailed(f"{exc}{_last_words(child)}") from None
            if kind == "rows":
                yield from page
            elif kind == "done":
                break
            else:
                raise ReaderFailed(str(page))
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stderr is not None:
            child.stderr.close()
        if child.stdout is not None:
            child.stdout.close()


def _last_words(child: "subprocess.Popen[bytes]") -> str:
    """What a child that ended unasked said last on its error stream (a crash's last
    line), read once it has ended, so never waited on."""
    if child.poll() is None:
        child.kill()
    child.wait()
    said = child.stderr.read().decode("utf-8", "replace").strip().splitlines() if child.stderr else []
    return f": {said[-1]}" if said else ""


def _page(stream: IO[bytes]) -> tuple[str, Any]:
    """One message of the child's: ("rows", list of tuples), ("done", None) or
    ("error", message). A message is read whole and then decoded: ``marshal.load`` on a
    pipe reads each value by a method call of its own. A child that ended without
    saying why is a failure too."""
    head = stream.read(_LENGTH.size)
    body = stream.read(_LENGTH.unpack(head)[0]) if len(head) == _LENGTH.size else b""
    try:
        kind, page = marshal.loads(body)
    except (EOFError, ValueError, TypeError) as exc:
        raise ReaderFailed(f"the reader process ended before its rows were read ({exc})") from None
    return str(kind), page


def _serve(path: str, source: IO[bytes], sink: IO[bytes]) -> None:
    """The child's side: one statement, its rows in pages, then "done" (or "error").
    Pages are written by a thread of their own, up to ``AHEAD_BYTES`` behind the
    statement: the statement goes on while the parent does other work, instead of
    waiting for the pipe."""
    pages = _Pages(AHEAD_BYTES)
    writer = threading.Thread(target=_write, args=(pages, sink), daemon=True)
    writer.start()
    try:
        sql, params = marshal.load(source)
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cursor = db.execute(sql, params)
        while rows := cursor.fetchmany(PAGE_ROWS):
            pages.put(marshal.dumps(("rows", rows)))
        pages.put(marshal.dumps(("done", None)))
    except (sqlite3.Error, ValueError, OSError, EOFError) as exc:
        pages.put(marshal.dumps(("error", f"{type(exc).__name__}: {exc}")))
    pages.put(None)
    writer.join()


def _write(pages: "_Pages", sink: IO[bytes]) -> None:
    try:
        while (body := pages.get()) is not None:
            sink.write(_LENGTH.pack(len(body)))
            sink.write(body)
        sink.flush()
    except BrokenPipeError:
        os._exit(0)  # the parent stopped reading: nothing is owed to anyone


class _Pages:
    """Pages read and not yet written, held up to ``limit`` bytes (one page always)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._held: deque[bytes | None] = deque()
        self._bytes = 0
        self._changed = threading.Condition()

    def put(self, body: bytes | None) -> None:
        with self._changed:
            while self._held and self._bytes >= self._limit:
                self._changed.wait()
            self._held.append(body)
            self._bytes += len(body or b"")
            self._changed.notify_all()

    def get(self) -> bytes | None:
        with self._changed:
            while not self._held:
                self._changed.wait()
            body = self._held.popleft()
            self._bytes -= len(body or b"")
            self._changed.notify_all()
            return body


if __name__ == "__main__":
    _serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
