"""Another process writing must not lock anyone out (issue 11, items 6 and 8): readers
open the file and read the last committed state, a writer says it is waiting and gives
up with a clear BUSY-style error, and the file holding classified entries is private."""

import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import registry.store.sqlite as sqlite_module
from registry.cli import main
from registry.schema.codes import make_credit_code
from registry.schema.model import Department
from registry.service import Busy, Caller, Declaration, RegistryService
from registry.store.sqlite import SQLiteStore

HOLD = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE meta SET v = v WHERE k = 'version'")
print("holding", flush=True)
time.sleep(60)
"""
GA = make_credit_code("11", "330000", "00253001")


def _load(service: RegistryService, name: str) -> None:
    service.load(
        Declaration(source="测试", format="api", nodes=[Department(code=GA, name=name)]), Caller.system("测试")
    )


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "registry.db"
    store = SQLiteStore(path)
    _load(RegistryService(store), "浙江省公安厅")
    store.close()
    return path


@pytest.fixture
def writer_elsewhere(registry_file: Path) -> Iterator[None]:
    """Another process holding a write transaction on the file."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(registry_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_readers_open_and_read_while_another_process_writes(registry_file: Path, writer_elsewhere: None) -> None:
    started = time.monotonic()
    store = SQLiteStore(registry_file)
    assert store.label_counts() == {"Department": 1, "ImportBatch": 1}
    assert store.get_nodes("Department", [GA])[GA].props["name"] == "浙江省公安厅"
    store.close()
    result = CliRunner().invoke(main, ["--store", str(registry_file), "stats"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 5, "a reader waited for the writer"


def test_a_waiting_writer_says_so_then_gives_up_clearly(
    registry_file: Path, writer_elsewhere: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "WRITE_WAIT_SECONDS", 0.5)
    store = SQLiteStore(registry_file)
    said: list[str] = []
    store.on_wait = said.append
    with pytest.raises(Busy, match="another process has been writing"):
        _load(RegistryService(store), "改名")
    assert said and "waiting up to" in said[0]
    assert store.get_nodes("Department", [GA])[GA].props["name"] == "浙江省公安厅"
    store.close()


def test_a_writer_goes_ahead_once_the_other_is_done(registry_file: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD.replace("60", "1"), str(registry_file)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    store = SQLiteStore(registry_file)
    said: list[str] = []
    store.on_wait = said.append
    _load(RegistryService(store), "浙江省公安厅（改）")
    holder.wait()
    assert said, "the writer said it was waiting"
    assert store.get_nodes("Department", [GA])[GA].props["name"] == "浙江省公安厅（改）"
    store.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_registry_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    store = SQLiteStore(path)
    _load(RegistryService(store), "浙江省公安厅")
    parts = [path, path.with_name("registry.db-wal"), path.with_name("registry.db-shm")]
    assert all(p.exists() for p in parts)
    assert [_mode(p) for p in parts] == [0o600, 0o600, 0o600]
    store.close()

    legacy = tmp_path / "old.db"
    SQLiteStore(legacy).close()
    legacy.chmod(0o644)
    SQLiteStore(legacy).close()
    assert _mode(legacy) == 0o600
