"""The first pass of a load run in a forked child, while the parent writes what it has
checked so far.

Reading and checking a file and writing it each took about half of an import, one after
the other, on one core of a machine that has more (bench/README.md, "Streaming import").
Where the store writes a whole load in one transaction (``Store.loads_atomically``), the
write may begin before the check ends: a file found bad at its end is rolled back with
everything written for it, so nothing of it is ever committed, as when the check came
first. The child runs ``check`` over the file and sends each writable part down a pipe, in
the form the check's ``Spill`` sets aside on disk; the parent applies each as it arrives.
After the last part comes what the check found (issues, retirement scopes, whether the
file is refused, the keys a retirement compares with the store), judged by the parent
before it commits.

A child is forked only from a process with one thread (a fork copies no other thread,
whatever lock one held stays held), and only for a stream read from a file: parts already
in memory have nothing to parse. The child never touches the parent's store; it ends with
``os._exit``, so no inherited handle is closed or flushed twice. What the child raises
(an unreadable file, a relation the model does not have) is raised again in the parent,
which rolls its write back.
"""

import contextlib
import marshal
import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from typing import BinaryIO

from registry.collector import gc_paused
from registry.schema.records import ChangeSet
from registry.service.checking import Checked, Spill, check
from registry.service.declaration import DeclarationStream
from registry.service.errors import InvalidInput

_END = 1 << 63
"""The length word that marks the end of the parts: what the check found follows."""
_BUFFER = 1 << 20
"""Bytes buffered on each end of the pipe (a part of 20,000 信息项 is a few MB)."""


def can_fork(stream: DeclarationStream) -> bool:
    """Whether ``stream`` may be checked in a forked child: a file's parts, read again on
    each pass (in-memory parts are checked where they are), from a process with no other
    thread, on a system that forks."""
    in_memory = isinstance(stream.parts, list | tuple)
    return not in_memory and hasattr(os, "fork") and threading.active_count() == 1


class ForkedCheck:
    """A child checking ``stream``; ``changes`` yields its writable parts as they come,
    then ``outcome`` is what its check found. Close it (or use it as a context manager) to
    end the child whether or not everything was read."""

    def __init__(self, stream: DeclarationStream, *, skip_invalid: bool) -> None:
        self.checked: Checked | None = None
        self.ended = False
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(read_end)
            _child(stream, skip_invalid, os.fdopen(write_end, "wb", buffering=_BUFFER))
        os.close(write_end)
        self.pipe: BinaryIO = os.fdopen(read_end, "rb", buffering=_BUFFER)

    def changes(self) -> Iterator[ChangeSet]:
        """The parts the child found writable, in order, as the store's upserts."""
        while (data := self._next()) is not None:
            nodes, edges = marshal.loads(data)
            yield ChangeSet(node_rows=nodes, edge_rows=edges)

    def outcome(self) -> Checked:
        """What the check found, once its parts are read (any left unread are passed
        over); the error the child raised, raised here."""
        while self._next() is not None:
            pass
        if self.checked is None:
            size = int.from_bytes(_exactly(self.pipe, 8), "little")
            found = pickle.loads(_exactly(self.pipe, size))
            if isinstance(found, BaseException):
                raise found
            summary, scopes, rejected, declared = found
            self.checked = Checked(summary, scopes, {label: set(keys) for label, keys in declared.items()}, rejected)
        return self.checked

    def _next(self) -> bytes | None:
        """The next part's bytes, or None once the parts have ended."""
        if self.ended:
            return None
        size = int.from_bytes(_exactly(self.pipe, 8), "little")
        if size == _END:
            self.ended = True
            return None
        return _exactly(self.pipe, size)

    def close(self) -> None:
        """End the child (killed if it is still reading: its parts are not wanted any more)."""
        self.pipe.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def __enter__(self) -> "ForkedCheck":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _exactly(pipe: BinaryIO, size: int) -> bytes:
    """``size`` bytes from the child; fewer means it died (killed, out of memory)."""
    data = pipe.read(size)
    if len(data) < size:
        raise InvalidInput("checking the file stopped unexpectedly: the process reading it ended midway")
    return data


def _child(stream: DeclarationStream, skip_invalid: bool, pipe: BinaryIO) -> None:
    """Check ``stream``, sending each writable part, then the outcome (or the error raised),
    and leave without running the parent's exit handlers."""
    code = 0
    try:
        with gc_paused():
            checked = check(stream, skip_invalid=skip_invalid, spill=Spill(pipe))
        # only the keys a retirement compares with the store: without scopes, none
        wanted = {scope.label for scope in checked.scopes}
        if "Dataset" in wanted:
            wanted.add("Field")
        declared = {label: list(keys) for label, keys in checked.declared.items() if label in wanted}
        outcome: object = (checked.summary, checked.scopes, checked.rejected, declared)
    except OSError as exc:  # the file went away or cannot be read: the user's to fix, as in the parent
        outcome, code = InvalidInput(f"{stream.source}: cannot read the file: {exc.strerror or exc}"), 1
    except BaseException as exc:  # every other failure goes to the parent, raised there
        outcome, code = _portable(exc), 1
    try:
        data = pickle.dumps(outcome)
        pipe.write(_END.to_bytes(8, "little"))
        pipe.write(len(data).to_bytes(8, "little"))
        pipe.write(data)
        pipe.flush()
    except BaseException:  # the parent stopped reading: nobody to tell
        code = 1
    os._exit(code)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (the service's errors do), else its message as
    ``InvalidInput``, so that the parent always gets an error it can raise."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any exception that cannot travel is described instead
        return InvalidInput(f"checking the file failed: {type(exc).__name__}: {exc}")
    return exc
