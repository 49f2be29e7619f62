"""``registry.store.sqlite_reader``: a long read stepped by a child process gives the rows
the store's own connection gives, says why when it cannot, leaves no child behind, and
is used by ``SQLiteStore.iter_linked_groups`` only where it reads the committed state."""

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite
from registry.store import sqlite_reader
from registry.store.base import StoreError
from registry.store.sqlite import SQLiteStore
from registry.store.sqlite_reader import ReaderFailed, read_elsewhere
from tests.store.test_contract import prov


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """25,000 rows (three pages) of every type SQLite hands back."""
    path = tmp_path / "t.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (n INTEGER, name TEXT, share REAL, blob BLOB)")
    db.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(n, f"人口基础信息{n}" if n % 3 else None, n / 7, bytes([n % 256])) for n in range(25_000)],
    )
    db.commit()
    db.close()
    return path


def test_rows_are_the_connections_own(table: Path) -> None:
    sql = "SELECT n, name, share, blob FROM t WHERE n >= ?1 ORDER BY n DESC"
    with sqlite3.connect(table) as db:
        expected = db.execute(sql, (7,)).fetchall()
    assert list(read_elsewhere(table, sql, (7,))) == expected
    assert len(expected) > 2 * sqlite_reader.PAGE_ROWS


def test_a_bad_statement_is_named(table: Path) -> None:
    with pytest.raises(ReaderFailed, match="no such column: nope"):
        list(read_elsewhere(table, "SELECT nope FROM t", ()))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReaderFailed, match="unable to open"):
        list(read_elsewhere(tmp_path / "gone.db", "SELECT 1", ()))


def test_the_file_is_never_written(table: Path) -> None:
    with pytest.raises(ReaderFailed, match="readonly"):
        list(read_elsewhere(table, "INSERT INTO t VALUES (1, 'x', 0, NULL) RETURNING n", ()))
    with sqlite3.connect(table) as db:
        assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 25_000


def test_rows_left_unread_end_the_child(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> "subprocess.Popen[bytes]":
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    rows = read_elsewhere(table, "SELECT n FROM t", ())
    assert next(rows) == (0,)
    rows.close()
    assert started[0].returncode is not None


def test_a_child_that_dies_is_a_failure_not_an_end(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> "subprocess.Popen[bytes]":
        child = real(*args, **kwargs)
        child.kill()
        return child

    monkeypatch.setattr(subprocess, "Popen", popen)
    with pytest.raises(ReaderFailed, match="ended before its rows were read"):
        list(read_elsewhere(table, "SELECT n FROM t", ()))


def _registry(path: Path, elsewhere: int) -> SQLiteStore:
    store = SQLiteStore(path, read_elsewhere_bytes=elsewhere)
    nodes: list[NodeWrite] = []
    edges: list[EdgeWrite] = []
    for d in range(30):
        dataset = NodeRef("Dataset", f"330000/{d:06d}")
        nodes.append(NodeWrite("Dataset", dataset.key, {"name": f"企业登记信息{d}"}))
        for name in ("统一社会信用代码", "企业名称", f"备注{d}"):
            field = f"{dataset.key}#{name}"
            nodes.append(NodeWrite("Field", field, {"name": name}))
            edges.append(EdgeWrite("HAS_FIELD", dataset, NodeRef("Field", field)))
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    return store


def test_linked_groups_read_elsewhere_are_those_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = _registry(tmp_path / "here.db", 1 << 62)
    elsewhere = _registry(tmp_path / "elsewhere.db", 0)
    calls = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> "subprocess.Popen[bytes]":
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    expected = list(here.iter_linked_groups("HAS_FIELD", "Field"))
    assert calls == []
    assert list(elsewhere.iter_linked_groups("HAS_FIELD", "Field")) == expected
    assert len(calls) == 1
    assert len(expected) == 30


def test_inside_a_write_the_connection_reads_its_own_rows(tmp_path: Path) -> None:
    """A child sees only what is committed: inside a write transaction the store's own
    connection reads, and so the transaction's rows are in the groups."""
    store = _registry(tmp_path / "r.db", 0)
    db = store._db
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "UPDATE nodes SET name = '经营范围', props = json_set(props, '$.name', '经营范围') "
        "WHERE label = 'Field' AND key = '330000/000000#备注0'"
    )
    groups = {source: names for _, source, _, names in store.iter_linked_groups("HAS_FIELD", "Field")}
    db.execute("ROLLBACK")
    assert "经营范围" in groups["330000/000000"]


def test_a_failed_read_is_a_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _registry(tmp_path / "r.db", 0)

    def failing(path: Path, sql: str, params: object) -> object:
        raise ReaderFailed("the reader process ended before its rows were read (EOF)")
        yield  # a generator, as the real one is

    monkeypatch.setattr("registry.store.sqlite.read_elsewhere", failing)
    with pytest.raises(StoreError, match=r"cannot read the registry file .*r\.db: the reader process ended"):
        list(store.iter_linked_groups("HAS_FIELD", "Field"))


def test_without_a_child_the_connection_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no process can be started (no interpreter to run), the store reads itself."""
    store = _registry(tmp_path / "r.db", 0)
    expected = list(
        SQLiteStore(tmp_path / "r.db", read_elsewhere_bytes=1 << 62).iter_linked_groups("HAS_FIELD", "Field")
    )

    def no_child(*args: object, **kwargs: object) -> object:
        raise OSError("no interpreter")

    monkeypatch.setattr(subprocess, "Popen", no_child)
    assert list(store.iter_linked_groups("HAS_FIELD", "Field")) == expected


def test_a_child_that_crashes_says_its_last_words(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that dies of an error nobody caught (here: no such script) is a failure
    that carries the error's last line."""
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> "subprocess.Popen[bytes]":
        command = list(args[0])
        command[2] = str(table.with_name("no_such_reader.py"))
        return real(command, *args[1:], **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    with pytest.raises(ReaderFailed, match=r"ended before its rows were read .*: .*No such file or directory"):
        list(read_elsewhere(table, "SELECT n FROM t", ()))
