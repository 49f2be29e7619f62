"""Collector policy for the whole process, in one place.

Two tactics keep Python's cyclic garbage collector from dominating large runs:

* ``gc_paused`` switches it off while a bulk pass allocates many small, acyclic objects
  (building a projection, reading a catalogue, computing clearance levels). Each
  allocation burst would otherwise trigger collections that rescan the whole warm graph
  (2x slower building 1M nodes; ``required_levels`` over 200k nodes spent half its time
  there). Pauses nest: the collector comes back on only when the outermost pause ends,
  and only if it was on before, so a pause on a worker thread cannot switch it back on
  under another thread's pause.
* ``freeze_survivors`` freezes (``gc.freeze``) what survives each full collection in a
  long-running server, so later full passes skip the warm read caches (about a million
  objects at 10k datasets; each pass over them took 0.5-0.9 s and made a dashboard's
  p95); ``thaw`` unfreezes them when a write makes the caches stale, so the next full
  pass can reclaim them. ``registry.web.heap`` decides when (server start, each store
  version); this module is the only one that touches the collector.

Both are process-wide, as the collector is: pausing is safe from any thread (it nests and
restores), freezing is for a server process only, never for a CLI run or a test.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

OLDEST = 2
"""The generation a full collection collects."""

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for the duration of a bulk, cycle-free allocation pass."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def collect_young() -> None:
    """Collect the objects made since the last collection, even while paused: a chunked
    write over a network driver leaves cyclic garbage per chunk (transactions, results),
    which a pause held for a whole national load never freed (a 10k file into Bolt: 637
    MiB in the client paused, 362 MiB collecting). Only the young generation is walked,
    so the cost follows the chunk, not what the load holds."""
    gc.collect(0)


def _freeze_after_full(phase: str, info: dict[str, Any]) -> None:
    """Called by the collector itself, right after a pass: nothing has been allocated
    since, so what is frozen is exactly what survived."""
    if phase == "stop" and info["generation"] == OLDEST:
        gc.freeze()


def freeze_survivors() -> None:
    """From now on, freeze the survivors of every full collection."""
    if _freeze_after_full not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full)


def stop_freezing() -> None:
    """Undo ``freeze_survivors`` and unfreeze everything (server shutdown)."""
    if _freeze_after_full in gc.callbacks:
        gc.callbacks.remove(_freeze_after_full)
    gc.unfreeze()


def thaw() -> None:
    """Let the next full collection see frozen objects again (the caches went stale)."""
    gc.unfreeze()


def collect() -> None:
    """A full collection now: after warming caches, so their survivors are frozen at once."""
    gc.collect()
