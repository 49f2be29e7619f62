"""Numpy and scipy work split over two threads.

Gathers, reductions and sparse row products run in C without the GIL, so two threads
take both cores of the machine the registry is sized for; Python-level work would not
gain, and small work loses to the cost of starting a thread.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def in_parallel(run: Callable[[range], None], count: int, *, parallel: bool) -> None:
    """``run`` over ``range(count)``: over each half in its own thread when ``parallel``,
    else over all of it here. ``run`` must write only what its own part owns (rows of an
    array made beforehand), so the result is the same however the parts are split."""
    if not parallel or count < 2:
        run(range(count))
        return
    half = count // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(run, range(half)), pool.submit(run, range(half, count))]:
            done.result()
