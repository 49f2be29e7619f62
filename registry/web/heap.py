"""When a server freezes its long-lived read caches out of the collector, and thaws them.

A served registry keeps the store's projection and every node's visibility level in
memory until the store changes. The collector policy (why and how survivors are frozen)
lives in ``registry.collector``; this module applies it to a server: freezing starts
with the server, the caches are warmed in the background, and a new store version
(a write here or in another process) thaws them so the next full pass can reclaim what
the write made stale, and its survivors are frozen again.
"""

import logging
from collections.abc import Iterator
from threading import Lock, Thread

from strawberry.extensions import SchemaExtension

from registry import collector
from registry.service import Caller, RegistryService, StoreError

log = logging.getLogger("registry.web")


class HeapKeeper:
    def __init__(self, service: RegistryService) -> None:
        self.service = service
        self._version: int | None = None
        self._lock = Lock()

    def start(self) -> None:
        """Freeze after every full collection from now on, and warm the caches in the
        background so that the first dashboard request does not pay for them."""
        collector.freeze_survivors()
        Thread(target=self._warm, name="registry-warm", daemon=True).start()

    def stop(self) -> None:
        collector.stop_freezing()

    def _warm(self) -> None:
        try:
            self.check()
            self.service.hidden(Caller.public())
        except StoreError as exc:
            log.warning("could not warm the visibility caches: %s", exc)
            return
        collector.collect()

    def check(self) -> None:
        """After each operation: if the store changed (here or in another process), let the
        next full collection see the caches that the change made stale."""
        version = self.service.version()
        with self._lock:
            if version != self._version:
                self._version = version
                collector.thaw()

    def extension(self) -> type[SchemaExtension]:
        keeper = self

        class KeepHeap(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                yield
                keeper.check()

        return KeepHeap
