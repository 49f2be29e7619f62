"""Keep the server's long-lived read caches out of the cyclic collector's full passes.

A served registry keeps the store's projection and every node's visibility level in
memory until the store changes: about a million tracked objects for 10k datasets.
CPython's full collection walks all of them, and dashboard requests allocate enough to
start one every few dozen requests; each took 0.5-0.9 s on such a registry, which made
the p95 of the whole dashboard. So the survivors of each full collection are frozen
(``gc.freeze``), and later passes skip them. When the store changes they are unfrozen,
so the next full pass can reclaim what the write made stale, and its survivors are
frozen again.
"""

import gc
import logging
from collections.abc import Iterator
from threading import Lock, Thread
from typing import Any

from strawberry.extensions import SchemaExtension

from registry.service import Caller, RegistryService
from registry.store import StoreError

log = logging.getLogger("registry.web")
OLDEST = 2
"""The generation a full collection collects."""


class HeapKeeper:
    def __init__(self, service: RegistryService) -> None:
        self.service = service
        self._version: int | None = None
        self._lock = Lock()

    def start(self) -> None:
        """Freeze after every full collection from now on, and warm the caches in the
        background so that the first dashboard request does not pay for them."""
        gc.callbacks.append(self._collected)
        Thread(target=self._warm, name="registry-warm", daemon=True).start()

    def stop(self) -> None:
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)
        gc.unfreeze()

    def _warm(self) -> None:
        try:
            self.check()
            self.service.hidden(Caller.public())
        except StoreError as exc:
            log.warning("could not warm the visibility caches: %s", exc)
            return
        gc.collect()

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        """Called by the collector itself, right after a pass: nothing has been allocated
        since, so what is frozen is exactly what survived."""
        if phase == "stop" and info["generation"] == OLDEST:
            gc.freeze()

    def check(self) -> None:
        """After each operation: if the store changed (here or in another process), let the
        next full collection see the caches that the change made stale."""
        version = self.service.store.version()
        with self._lock:
            if version != self._version:
                self._version = version
                gc.unfreeze()

    def extension(self) -> type[SchemaExtension]:
        keeper = self

        class KeepHeap(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                yield
                keeper.check()

        return KeepHeap
