"""Reading an untrusted upload in a child process bounded in memory and time.

The import limits (``registry.importers.limits``) refuse every hostile file we know of
before it costs anything, but a server must not bet its life on that list being
complete: an upload is read in a child process whose address space is capped
(``RLIMIT_AS``) and which is killed when it overruns its time, so the worst an unknown
bomb can do is fail its own upload. The child comes from a fork server that has already
imported the importers, so a read starts in milliseconds, and the server's event loop
only waits on a pipe.
"""

import multiprocessing
import resource
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from registry.importers.limits import Unreadable
from registry.service.declaration import Declaration
from registry.service.errors import ServiceError

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["registry.importers"])


def _child(conn: Connection, path: str, fmt: str | None, skip_invalid: bool, memory: int) -> None:
    from registry.importers import read

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    outcome: tuple[str, Any]
    try:
        outcome = ("ok", read(path, fmt, skip_invalid=skip_invalid))
    except ServiceError as exc:
        outcome = ("refused", (type(exc), str(exc)))
    except MemoryError:
        outcome = ("refused", (Unreadable, f"{path}: refused: reading the file needs more than {memory:,} bytes"))
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("refused", (Unreadable, f"{path}: refused: its contents need more memory than an upload may use")))
    finally:
        conn.close()


def read_isolated(
    path: Path, fmt: str | None, *, skip_invalid: bool = False, seconds: float, memory: int
) -> Declaration:
    """``registry.importers.read`` in a child process with at most ``memory`` bytes of
    address space and ``seconds`` of wall time; beyond either, ``Unreadable`` names the
    bound, and a refusal inside the child is raised here as it was raised there."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, str(path), fmt, skip_invalid, memory), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise Unreadable(f"{path}: refused: reading it took longer than the {seconds:g} s an upload may take")
        try:
            kind, value = receiver.recv()
        except EOFError:
            raise Unreadable(
                f"{path}: refused: reading it stopped without an answer (it needed more than the {memory:,} bytes "
                "an upload may use)"
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "refused":
        error_type, message = value
        raise error_type(message)
    declaration: Declaration = value
    return declaration
