"""Python-level work run beside this process's own, in a forked child.

``threads.in_parallel`` takes the second core for numpy and scipy work, which runs
without the GIL; scoring's setup (n-gram spaces, key matrices, MinHash signatures) is
Python-level work, which two threads would only take turns at. A forked child has a GIL
of its own and sees the parent's arrays as they are, without a copy: only its result
crosses back, pickled through a pipe.

A child is forked only from a process with no other thread running (a thread holding a
lock at the fork would leave the child waiting for it forever) and only where ``fork``
exists; elsewhere, and for small work, the work runs here when its result is asked for.
"""

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")


class ChildFailed(RuntimeError):
    """The child raised, or ended without a result."""


class Beside(Generic[T]):
    """``run()``, started now in a forked child when ``parallel``; ``result()`` waits for it."""

    def __init__(self, run: Callable[[], T], *, parallel: bool) -> None:
        self._run = run
        self._process: multiprocessing.process.BaseProcess | None = None
        self._reader: Connection | None = None
        if parallel and _can_fork():
            context = multiprocessing.get_context("fork")
            reader, writer = context.Pipe(duplex=False)
            self._process = context.Process(target=_child, args=(run, writer), daemon=True)
            self._process.start()
            writer.close()
            self._reader = reader

    def result(self) -> T:
        if self._process is None or self._reader is None:
            return self._run()
        try:
            kind, value = self._reader.recv()
        except EOFError:
            raise ChildFailed(f"the worker process ended without a result (exit code {self._wait()})") from None
        finally:
            self._reader.close()
        self._wait()
        if kind == "error":
            raise ChildFailed(f"the worker process failed: {value}")
        found: T = value
        return found

    def _wait(self) -> int | None:
        assert self._process is not None
        self._process.join()
        return self._process.exitcode


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _child(run: Callable[[], object], writer: Connection) -> None:
    try:
        writer.send(("done", run()))
    except Exception as exc:  # the parent names it: a traceback here would reach no one
        writer.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        writer.close()
