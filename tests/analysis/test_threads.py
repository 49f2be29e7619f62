import threading

import pytest

from registry.analysis.threads import in_parallel


def test_each_half_runs_once_at_the_same_time_as_the_other() -> None:
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()
    both_started = threading.Barrier(2, timeout=10)

    def run(part: range) -> None:
        both_started.wait()  # breaks (an error) unless the other half runs meanwhile
        for i in part:
            with lock:
                seen.append((i, threading.get_ident()))

    in_parallel(run, 7, parallel=True)
    assert sorted(i for i, _ in seen) == list(range(7))
    threads = dict(seen)
    assert threads[0] != threads[6] and threading.get_ident() not in threads.values()


def test_without_parallel_everything_runs_here() -> None:
    seen: list[int] = []
    in_parallel(lambda part: seen.extend(threading.get_ident() for _ in part), 5, parallel=False)
    assert seen == [threading.get_ident()] * 5


def test_an_error_in_a_part_reaches_the_caller() -> None:
    def run(part: range) -> None:
        if 3 in part:
            raise ValueError("part with 3")

    with pytest.raises(ValueError, match="3"):
        in_parallel(run, 6, parallel=True)
