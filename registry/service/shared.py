"""Results computed once per registry state and shared by every process serving the store.

``registry serve --workers N`` runs N processes over one registry file. Each keeps its
own caches keyed by the store's version, so without this every worker would compute
every long analysis itself, after every write (and, over a store that does not keep them
as the embedded one does, a public caller's clearance levels: a minute at 100k
datasets). Here a result is kept on disk beside the registry, one file per (state,
name): the first process to need it computes it under a file lock while the
others wait, then they all read the file. Files are written to a temporary name and
renamed, so a reader sees a whole result or none.

A state is the store's ``stamp()``: its version and the newest write batch's id, so a
registry deleted and created again under the same name, or an older copy put back and
written to, never meets the results of another state that had the same version number.
The folder is private to the registry's owner, as the registry file is: it holds what
the registry holds (results for each clearance are kept apart by the caller's name for
them). Results are pickled: only the process owning the registry writes the folder.
Results of older states are removed when a newer one is written.
"""

import fcntl
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

T = TypeVar("T")
State = tuple[int, str]
"""The store's version and the id of its newest write batch."""

MAX_HELD = 32
"""Results of the current state held in memory by one process, the oldest dropped first."""
SUFFIX = ".results"
"""The folder beside a registry file ``r.db`` is ``r.db.results``."""


class SharedResults:
    """``get(name, compute)``: the result of ``compute`` for the store's current state,
    computed at most once across the processes sharing ``folder`` (None: within this
    process only, for stores without a local file). ``state`` reads the store's state;
    a result is shared only if the state did not move while it was computed. The last
    state's results are also held in memory."""

    def __init__(self, folder: Path | None, state: Callable[[], State]) -> None:
        self.folder = folder
        self.state = state
        self._memory: dict[str, tuple[State, Any]] = {}
        self._lock = Lock()

    def get(self, name: str, compute: Callable[[], T]) -> T:
        state = self.state()
        with self._lock:
            held = self._memory.get(name)
        if held is not None and held[0] == state:
            return held[1]  # type: ignore[no-any-return]
        value = compute() if self.folder is None else self._shared(name, state, compute)
        if self.state() == state:
            self._hold(name, state, value)
        return value

    def put(self, name: str, state: State, value: Any) -> None:
        """Keep a result for ``state`` computed elsewhere (levels updated by a write), for
        this process and the others."""
        self._hold(name, state, value)
        if self.folder is not None:
            with self._locked(name, state):
                self._write(name, state, value)

    def _hold(self, name: str, state: State, value: Any) -> None:
        """In memory: this state's results only, at most ``MAX_HELD`` (an analysis is named
        with its arguments, and a caller may ask for many)."""
        with self._lock:
            self._memory = {k: held for k, held in self._memory.items() if held[0] == state and k != name}
            self._memory[name] = (state, value)
            while len(self._memory) > MAX_HELD:
                del self._memory[next(iter(self._memory))]

    def _path(self, name: str, state: State) -> Path:
        assert self.folder is not None
        digest = hashlib.sha256(f"{state[1]}\0{name}".encode()).hexdigest()[:32]
        return self.folder / f"{state[0]}.{digest}.pickle"

    def _shared(self, name: str, state: State, compute: Callable[[], T]) -> T:
        path = self._path(name, state)
        found = _read(path)
        if found is not None:
            return found[0]  # type: ignore[no-any-return]
        with self._locked(name, state):
            found = _read(path)  # computed by another process while this one waited
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
            value = compute()
            if self.state() == state:
                self._write(name, state, value)
            return value

    @contextmanager
    def _locked(self, name: str, state: State) -> Iterator[None]:
        assert self.folder is not None
        self.folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(self._path(name, state).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, name: str, state: State, value: Any) -> None:
        assert self.folder is not None
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((value,), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(name, state))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._prune(state[0])

    def _prune(self, version: int) -> None:
        """Remove the results of older versions: versions only move forward, and a process
        still on an older one computes what it misses again."""
        assert self.folder is not None
        for entry in self.folder.iterdir():
            number = entry.name.split(".", 1)[0]
            if number.isdigit() and int(number) < version:
                entry.unlink(missing_ok=True)


def _read(path: Path) -> tuple[Any] | None:
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except FileNotFoundError:
        return None
    return found if isinstance(found, tuple) and len(found) == 1 else None
