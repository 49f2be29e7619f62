"""Collector policy for the whole process, in one place.

Two tactics keep Python's cyclic garbage collector from dominating large runs:

* ``gc_paused`` switches it off while a bulk pass allocates many small, acyclic objects
  (building a projection, reading a catalogue, computing clearance levels). Each
  allocation burst would otherwise trigger collections that rescan the whole warm graph
  (2x slower building 1M nodes; ``required_levels`` over 200k nodes spent half its time
  there). Pauses nest: the collector comes back on only when the outermost pause ends,
  and only if it was on before, so a pause on a worker thread cannot switch it back on
  under another thread's pause.
* ``registry.web.heap`` freezes the long-lived survivors of a warm server so full
  collections skip them.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
