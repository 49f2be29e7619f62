"""``registry.analysis.processes.Beside``: work forked beside this process gives what it
gives here, says why when it fails, and is never forked beside another thread.

A fork happens only from a process with no other thread, and a test worker may have
threads left by an earlier test (a server's), so the forking cases run in a fresh
interpreter of their own (``in_fresh_interpreter``)."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np

from registry.analysis.processes import Beside

ROOT = Path(__file__).resolve().parents[2]


def in_fresh_interpreter(code: str) -> str:
    """What ``code`` prints, run by a new interpreter with the repository on its path."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_forked_work_gives_what_it_gives_here() -> None:
    printed = in_fresh_interpreter(
        """
        import os
        import numpy as np
        from registry.analysis.processes import Beside
        values = np.arange(1_000, dtype=np.int64)
        pid, found = Beside(lambda: (os.getpid(), np.cumsum(values)), parallel=True).result()
        print(pid != os.getpid(), bool((found == np.cumsum(values)).all()))
        pid, _ = Beside(lambda: (os.getpid(), None), parallel=False).result()
        print(pid == os.getpid())
        """
    )
    # a closure over an array: forked, never pickled into the child
    assert printed.split() == ["True", "True", "True"]


def test_a_failure_in_the_child_is_named() -> None:
    printed = in_fresh_interpreter(
        """
        from registry.analysis.processes import Beside, ChildFailed
        def failing():
            raise ValueError("矩阵为空")
        try:
            Beside(failing, parallel=True).result()
        except ChildFailed as exc:
            print(exc)
        """
    )
    assert printed == "the worker process failed: ValueError: 矩阵为空"


def test_a_child_that_dies_is_a_failure() -> None:
    printed = in_fresh_interpreter(
        """
        import os
        from registry.analysis.processes import Beside, ChildFailed
        try:
            Beside(lambda: os._exit(3), parallel=True).result()
        except ChildFailed as exc:
            print(exc)
        """
    )
    assert printed == "the worker process ended without a result (exit code 3)"


def test_never_forked_beside_another_thread() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        pid, _ = Beside(lambda: (os.getpid(), np.ones(3)), parallel=True).result()
    finally:
        release.set()
        other.join()
    assert pid == os.getpid()
