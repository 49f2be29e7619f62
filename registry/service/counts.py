"""Counts of filtered lists, kept per clearance until the registry changes.

A list's ``totalCount`` is asked again with every page of it (each ``after`` cursor), with
every other selection over the same filter, and on every refresh of a dashboard; at 100k
datasets one count of datasets by share type reads every dataset's properties (0.4 s),
the name search every name (0.15 s). The count depends only on the registry's state, the
filter and what the caller may not see, which the service derives from the caller's
clearance alone (``VisibilityCache``); so it is kept under (clearance, filter) for the
store's version and all are dropped when the version moves, here or in another process.
A count computed while another process wrote is not kept.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

MAX_KEPT = 4096
"""Counts kept per process; the least recently used goes first."""


class Counts:
    def __init__(self, version: Callable[[], int]) -> None:
        self._version_of = version
        self._version: int | None = None
        self._kept: OrderedDict[Hashable, int] = OrderedDict()
        self._lock = Lock()

    def version(self) -> int:
        return self._version_of()

    def get(self, key: Hashable, count: Callable[[], int]) -> int:
        """The count kept under ``key`` for the store's current version, or ``count()``."""
        version = self._version_of()
        with self._lock:
            self._at(version)
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        value = count()
        self.keep(key, value, version)
        return value

    def keep(self, key: Hashable, value: int, version: int) -> None:
        """Keep a count made from what the store held at ``version`` (read before
        counting), unless the registry has moved since."""
        if self._version_of() != version:
            return
        with self._lock:
            self._at(version)
            self._kept[key] = value
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)

    def _at(self, version: int) -> None:
        if version != self._version:
            self._kept.clear()
            self._version = version
