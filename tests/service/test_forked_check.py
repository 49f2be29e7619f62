"""A file's check in a forked child beside its write (``registry.service.forked_check``):
the parent gets exactly the parts the check sets aside and what it found; whatever stops
the child (an unreadable file, an error, a kill) is an error here with nothing committed;
no child is left behind; and no fork is made where one would not be safe."""

import csv
import os
import threading
from pathlib import Path

import pytest

from registry.importers import Unreadable, catalogue
from registry.service import Caller, InvalidInput, RegistryService, forked_check
from registry.service.checking import Spill, check, checked_changes
from registry.service.declaration import Declaration, DeclarationStream
from registry.service.forked_check import ForkedCheck, can_fork
from registry.store.sqlite import SQLiteStore
from tests.service.test_load_stream import ITEMS, PROVIDER, _catalogue


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_parent_gets_the_parts_the_check_sets_aside_and_what_it_found(tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "户籍.csv", 20, bad_at=3)
    here = check(catalogue.stream(path, part_rows=8), skip_invalid=True)
    expected = [(c.node_rows, c.edge_rows) for c in checked_changes(catalogue.stream(path, part_rows=8), here)]
    with ForkedCheck(catalogue.stream(path, part_rows=8), skip_invalid=True) as forked:
        parts = [(c.node_rows, c.edge_rows) for c in forked.changes()]
        found = forked.outcome()
    assert len(parts) == len(expected) > 2 and parts == expected
    assert found.summary.issues == here.summary.issues and found.summary.left_out == here.summary.left_out
    assert found.scopes == here.scopes and not found.rejected
    assert _gone(forked.pid)


def test_the_keys_a_retirement_compares_come_back_only_with_a_scope(tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "户籍.csv", 6)
    with ForkedCheck(catalogue.stream(path, part_rows=8), skip_invalid=False) as forked:
        found = forked.outcome()  # the parts passed over unread
    assert [scope.department for scope in found.scopes] == [PROVIDER[1]]
    assert sorted(found.declared) == ["Dataset", "Field"]
    assert len(found.declared["Dataset"]) == 6 and len(found.declared["Field"]) == 6 * len(ITEMS)


def test_an_unreadable_file_is_refused_here_and_nothing_is_committed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "registry.db")
    service = RegistryService(store)
    service.load_stream(catalogue.stream(_catalogue(tmp_path / "a.csv", 4), part_rows=8), Caller.system())
    path = _catalogue(tmp_path / "b.csv", 30)
    with path.open("a", encoding="utf-8", newline="") as handle:
        # a cell past the csv module's field limit, after three parts were written
        csv.writer(handle).writerow(["居民户籍信息99", "101330100/099", *PROVIDER, "x" * 200_000, "C", "无条件共享"])
    version, counts = store.version(), store.label_counts()
    with pytest.raises(Unreadable, match=r"b\.csv"):
        service.load_stream(catalogue.stream(path, part_rows=8), Caller.system())
    assert store.version() == version and store.label_counts() == counts


def _dies_after_one_part(stream: DeclarationStream, *, skip_invalid: bool, spill: Spill) -> None:
    part = next(iter(stream.parts))
    spill.add(part)
    spill.file.flush()
    os._exit(3)


def test_a_child_that_dies_midway_is_an_error_and_nothing_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forked_check, "check", _dies_after_one_part)
    store = SQLiteStore(tmp_path / "registry.db")
    with pytest.raises(InvalidInput, match="stopped unexpectedly"):
        RegistryService(store).load_stream(
            catalogue.stream(_catalogue(tmp_path / "a.csv", 20), part_rows=8), Caller.system()
        )
    assert store.label_counts() == {} and store.version() == 0


class _Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("读不下去了")
        self.callback = lambda: None


def _raises_unpicklable(stream: DeclarationStream, *, skip_invalid: bool, spill: Spill) -> None:
    raise _Unpicklable()


def test_an_error_that_cannot_travel_is_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked_check, "check", _raises_unpicklable)
    with (
        ForkedCheck(catalogue.stream(_catalogue(tmp_path / "a.csv", 2)), skip_invalid=False) as forked,
        pytest.raises(InvalidInput, match="checking the file failed: _Unpicklable: 读不下去了"),
    ):
        forked.outcome()


def _cannot_read(stream: DeclarationStream, *, skip_invalid: bool, spill: Spill) -> None:
    raise PermissionError(13, "Permission denied")


def test_a_file_the_child_cannot_read_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked_check, "check", _cannot_read)
    path = _catalogue(tmp_path / "户籍.csv", 2)
    with (
        ForkedCheck(catalogue.stream(path), skip_invalid=False) as forked,
        pytest.raises(InvalidInput, match=r"户籍\.csv: cannot read the file: Permission denied"),
    ):
        forked.outcome()


def test_a_child_closed_before_its_end_is_ended(tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "a.csv", 3000)
    forked = ForkedCheck(catalogue.stream(path, part_rows=8), skip_invalid=False)
    next(iter(forked.changes()))
    forked.close()
    assert _gone(forked.pid)


def test_no_fork_beside_another_thread_or_for_parts_in_memory(tmp_path: Path) -> None:
    streamed = catalogue.stream(_catalogue(tmp_path / "a.csv", 2))
    assert can_fork(streamed)
    assert not can_fork(DeclarationStream("memory", "native", [Declaration(source="memory", format="native")]))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork(streamed)
    finally:
        stop.set()
        other.join()
