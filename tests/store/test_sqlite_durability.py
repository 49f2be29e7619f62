"""The embedded store survives its process being killed mid-write: committed batches
stay, the batch being written leaves no trace, and the file opens cleanly."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from registry.schema.records import ChangeSet, NodeWrite, Provenance
from registry.store.sqlite import SQLiteStore

WRITER = textwrap.dedent(
    """
    import sys
    from registry.schema.records import ChangeSet, NodeWrite, Provenance
    from registry.store.sqlite import SQLiteStore

    store = SQLiteStore(sys.argv[1])
    batch = 0
    while True:
        nodes = [NodeWrite("Field", f"301001/{batch:06d}#信息项{i}", {"dataset": f"301001/{batch:06d}",
                 "name": f"信息项{i}"}) for i in range(5000)]
        store.apply(ChangeSet(nodes=nodes), Provenance("loop", f"b{batch}", "test", "2026-01-01"))
        print(batch, flush=True)
        batch += 1
    """
)


def test_sigkill_mid_write_keeps_exactly_the_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    committed = -1
    while committed < 3:
        committed = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = SQLiteStore(path)
    count = store.count_nodes("Field")
    assert count % 5000 == 0, "a half-written batch is visible"
    assert count >= (committed + 1) * 5000
    batches = {n.created.batch for n in store.iter_nodes(["Field"])}
    assert len(batches) == count // 5000
    store.close()


def test_data_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "reopen.db"
    store = SQLiteStore(path)
    store.apply(
        ChangeSet(nodes=[NodeWrite("DataElement", "DE0001", {"code": "DE0001", "name": "公民身份号码"})]),
        Provenance("t", "b1", "test", "2026-01-01"),
    )
    version = store.version()
    store.close()
    reopened = SQLiteStore(path)
    assert reopened.get_nodes("DataElement", ["DE0001"])["DE0001"].props["name"] == "公民身份号码"
    assert reopened.version() == version
    reopened.close()


def test_a_file_that_is_not_a_registry_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from registry.store.base import StoreError

    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open the registry file"):
        SQLiteStore(bogus)


def test_a_new_file_has_large_pages_and_an_older_one_opens_as_it_was(tmp_path: Path) -> None:
    new = SQLiteStore(tmp_path / "new.db")
    assert new._db.execute("PRAGMA page_size").fetchone()[0] == 16384
    new.close()
    # a registry made before, with SQLite's default 4 KiB pages, keeps them and its rows
    older = tmp_path / "older.db"
    made = sqlite3.connect(older)
    made.execute("PRAGMA page_size = 4096")
    made.execute("PRAGMA journal_mode = WAL")
    made.close()
    store = SQLiteStore(older)
    prov = Provenance("目录.csv", "b1", "test", "2026-01-01")
    store.apply(ChangeSet(nodes=[NodeWrite("Field", "301001/000001#姓名", {"name": "姓名"})]), prov)
    store.close()
    again = SQLiteStore(older)
    assert again._db.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert again.get_nodes("Field", ["301001/000001#姓名"])["301001/000001#姓名"].props == {"name": "姓名"}
    again.close()
