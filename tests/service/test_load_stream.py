"""A file loaded part by part (``RegistryService.load_stream``): the store is handed one
part at a time, the outcome equals loading the file whole, and a bad part refuses the
whole file with nothing committed: checked whole before the store is handed anything, or,
with the check forked beside the write (``registry.service.forked_check``), rolled back."""

import csv
from pathlib import Path

import pytest

from registry import importers
from registry.importers import Unreadable, catalogue
from registry.schema.codes import make_credit_code
from registry.schema.enums import Clearance
from registry.schema.records import ChangeSet
from registry.service import Caller, ImportRejected, RegistryService, RetireLimitExceeded, Role, core
from registry.store.sqlite import SQLiteStore
from tests.service.graph_fixture import build

HEADERS = ["信息资源名称", "信息资源代码", "信息资源提供方", "信息资源提供方代码", "信息项名称", "数据类型", "共享类型"]
PROVIDER = ["杭州市数据资源管理局", make_credit_code("11", "330100", "00257061")]
ITEMS = ["姓名", "公民身份号码", "性别", "出生日期"]


def _catalogue(path: Path, datasets: int, *, bad_at: int | None = None, drop: int | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in range(1, datasets + 1):
            if n == drop:
                continue
            code = f"101330100/{n:03d}"
            for item in ITEMS:
                data_type = "Z型" if n == bad_at and item == "性别" else "C"
                writer.writerow([f"居民户籍信息{n}", code, *PROVIDER, item, data_type, "无条件共享"])
    return path


class CountingStore(SQLiteStore):
    """Records the size of every chunk the service hands the store."""

    chunk_sizes: list[int]

    def apply_chunks(self, chunks, prov, finish=None, *, dry_run=False, at_version=None):  # type: ignore[no-untyped-def]
        self.chunk_sizes = []

        def counted():  # type: ignore[no-untyped-def]
            for chunk in chunks:
                self.chunk_sizes.append(len(chunk))
                yield chunk

        return super().apply_chunks(counted(), prov, finish, dry_run=dry_run, at_version=at_version)


@pytest.fixture
def counting(tmp_path: Path) -> CountingStore:
    store = CountingStore(tmp_path / "registry.db")
    store.chunk_sizes = []
    return store


def _contents(store: SQLiteStore) -> tuple[dict[str, int], dict[str, int]]:
    return store.label_counts(), store.edge_type_counts()


def test_a_catalogue_is_written_in_parts_and_equals_the_whole(counting: CountingStore, tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "户籍.csv", 30)
    report = RegistryService(counting).load_stream(catalogue.stream(path, part_rows=8), Caller.system())
    # 30 datasets of 4 rows in parts of at least 8 rows: 15 parts, none holding the file
    assert len(counting.chunk_sizes) == 15 + 1  # and the last, with the retirement scope
    assert max(counting.chunk_sizes) <= 2 * (1 + 4 + 4 + 1 + 4) + 1  # two datasets and the department
    whole = SQLiteStore(tmp_path / "whole.db")
    expected = RegistryService(whole).load(importers.read(path), Caller.system())
    assert _contents(counting) == _contents(whole)
    assert report.result.totals() == expected.result.totals()


@pytest.mark.parametrize("forked", [True, False], ids=["check forked beside the write", "checked whole first"])
def test_a_bad_part_refuses_the_file_and_every_issue_is_reported(
    counting: CountingStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    if not forked:
        monkeypatch.setattr(core, "can_fork", lambda _stream: False)
    path = _catalogue(tmp_path / "户籍.csv", 20, bad_at=3)
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["", "资源#99", *PROVIDER, "姓名", "C", "无条件共享"])
    with pytest.raises(ImportRejected) as refused:
        RegistryService(counting).load_stream(catalogue.stream(path, part_rows=8), Caller.system())
    rows = {(i.row, i.column) for i in refused.value.issues if i.severity == "error"}
    assert (2 + 2 * 4 + 2, "数据类型") in rows  # the third dataset's 性别, in the second part
    assert any(row == 82 for row, _ in rows)  # the last row, read after the load stopped writing
    # forked: the part before the bad one was written, and rolled back; else not even that
    assert counting.chunk_sizes == ([1 + 2 * (1 + 1 + 4 + 4)] if forked else [])
    assert counting.label_counts() == {} and counting.version() == 0


def test_entries_the_file_no_longer_lists_are_retired_at_the_end(counting: CountingStore, tmp_path: Path) -> None:
    service = RegistryService(counting)
    service.load_stream(catalogue.stream(_catalogue(tmp_path / "a.csv", 12), part_rows=8), Caller.system())
    report = service.load_stream(
        catalogue.stream(_catalogue(tmp_path / "b.csv", 12, drop=5), part_rows=8), Caller.system()
    )
    retired = sorted(str(ref) for ref in report.retired)
    assert retired[0] == "Dataset:101330100/005"
    assert len(retired) == 1 + len(ITEMS)
    assert counting.label_counts()["Dataset"] == 11
    assert report.result.totals()["created"] == 0


def test_a_whole_declaration_is_one_chunk(counting: CountingStore, tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "户籍.csv", 3)
    RegistryService(counting).load(importers.read(path), Caller.system())
    assert counting.chunk_sizes == [len(ChangeSet()) + 1 + 3 + 12 + 3 + 12]


@pytest.mark.parametrize("forked", [True, False], ids=["check forked beside the write", "checked whole first"])
def test_a_retire_limit_refuses_the_file_and_nothing_is_committed(
    counting: CountingStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """The limit counts what the department held before the load, also when the load's
    own datasets are written before the limit is judged (the check forked)."""
    if not forked:
        monkeypatch.setattr(core, "can_fork", lambda _stream: False)
    service = RegistryService(counting)
    service.load_stream(catalogue.stream(_catalogue(tmp_path / "a.csv", 12), part_rows=8), Caller.system())
    version, counting.chunk_sizes = counting.version(), []
    few = _catalogue(tmp_path / "b.csv", 4)
    with pytest.raises(RetireLimitExceeded, match="would retire 8 of the 12"):
        service.load_stream(catalogue.stream(few, part_rows=8), Caller.system())
    assert len(counting.chunk_sizes) == (3 if forked else 0)  # two parts and the last, rolled back
    assert counting.version() == version and counting.label_counts()["Dataset"] == 12


def test_the_retire_limit_counts_what_was_held_not_what_the_load_added(counting: CountingStore, tmp_path: Path) -> None:
    """4 of the 12 datasets held are dropped (a third, over the 25% limit) while 30 new ones
    come: counted after the new ones were written, 4 of 38 would pass."""
    service = RegistryService(counting)
    service.load_stream(catalogue.stream(_catalogue(tmp_path / "a.csv", 12), part_rows=8), Caller.system())
    path = _catalogue(tmp_path / "b.csv", 8)
    with path.open("a", encoding="utf-8", newline="") as handle:
        for n in range(100, 130):
            for item in ITEMS:
                csv.writer(handle).writerow(
                    [f"户籍迁移信息{n}", f"101330100/{n:03d}", *PROVIDER, item, "C", "无条件共享"]
                )
    with pytest.raises(RetireLimitExceeded, match="would retire 4 of the 12"):
        service.load_stream(catalogue.stream(path, part_rows=8), Caller.system())
    assert counting.label_counts()["Dataset"] == 12
    report = service.load_stream(catalogue.stream(path, part_rows=8), Caller.system(), force=True)
    assert sorted(str(ref) for ref in report.retired if ref.label == "Dataset") == [
        f"Dataset:101330100/{n:03d}" for n in range(9, 13)
    ]
    assert counting.label_counts()["Dataset"] == 8 + 30


def test_an_editors_file_in_parts_may_name_what_an_earlier_part_declares(tmp_path: Path) -> None:
    """In the first pass nothing is stored yet, so a later part's PROVIDES edge from the
    department that the first part declares must not be taken for an edge to a hidden or
    missing entry (the editor cannot see everything: the fixture holds secret entries)."""
    service = RegistryService(SQLiteStore(tmp_path / "registry.db"))
    build(service)
    code = make_credit_code("11", "330100", "00257061")
    editor = Caller("杭州市数据资源管理局录入员", Role.EDITOR, Clearance.PUBLIC, department=code)
    assert service.hidden(editor)
    report = service.load_stream(catalogue.stream(_catalogue(tmp_path / "户籍.csv", 6), part_rows=8), editor)
    assert report.result.counts["Dataset"]["created"] == 6
    assert service.get(editor, "Department", code).created.by == editor.identity


def test_a_file_that_changes_between_the_passes_is_refused(counting: CountingStore, tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "户籍.csv", 4)
    stream = catalogue.stream(path, part_rows=8)
    list(stream.parts)
    _catalogue(path, 5)
    with pytest.raises(Unreadable, match="changed while it was being imported"):
        list(stream.parts)


def test_what_is_written_is_what_was_checked(counting: CountingStore, tmp_path: Path) -> None:
    """The first pass sets the parts aside; a file changed after it is not read again."""
    from registry.service.checking import check

    path = _catalogue(tmp_path / "户籍.csv", 4)
    stream = catalogue.stream(path, part_rows=8)
    checked = check(stream)
    _catalogue(path, 6, bad_at=2)
    report = RegistryService(counting).load_stream(stream, Caller.system(), checked=checked)
    assert report.result.counts["Dataset"]["created"] == 4 and not report.issues
