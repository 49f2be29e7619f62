"""How a test tells an index search from a scan without timing it: the virtual-machine
steps SQLite takes to answer a read."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from registry.store.sqlite import SQLiteStore

T = TypeVar("T")


def counted_steps(store: SQLiteStore, read: Callable[[], Iterable[T]], every: int) -> tuple[int, list[T]]:
    """The steps (in units of ``every``) SQLite took to answer ``read``, and the answer."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._db.set_progress_handler(count, every)
    try:
        found = list(read())
    finally:
        store._db.set_progress_handler(None, 0)
    return steps, found
