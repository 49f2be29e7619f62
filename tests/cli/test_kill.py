"""SIGKILL in the middle of a multi-file import: the files committed before it stay, and
nothing of the file being written when the process died is in the store."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from registry import demo
from registry.schema.codes import make_credit_code
from registry.service import Caller, RegistryService
from registry.store import open_store
from tests.cli.conftest import Run

BIG_DEPARTMENT = make_credit_code("11", "440000", "00999991")
DATASETS, FIELDS = 2000, 100  # 200k 信息项: long enough a write to be caught in the middle
TIMEOUT = 180.0


def _big_document(path: Path) -> Path:
    document = {
        "version": 1,
        "departments": [{"code": BIG_DEPARTMENT, "name": "广东省测试数据局"}],
        "datasets": [
            {
                "resource_code": f"399440000/{i:05d}",
                "name": f"批量测试数据集{i}",
                "provider": BIG_DEPARTMENT,
                "fields": [{"name": f"信息项{j}", "data_type": "C"} for j in range(FIELDS)],
            }
            for i in range(DATASETS)
        ],
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _writing_after(db: Path, committed: int) -> bool:
    """True once ``committed`` batches are in and a write transaction holds the file's
    write lock (another writer cannot begin), i.e. the next file is being written."""
    if not db.exists():
        return False
    with closing(sqlite3.connect(db, timeout=0, isolation_level=None)) as probe:
        try:
            version = probe.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()
        except sqlite3.OperationalError:
            return False
        if version is None or version[0] < committed:
            return False
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
        return False


def _stats(db: Path) -> dict[str, dict[str, int]]:
    store = open_store(db)
    try:
        return RegistryService(store).stats(Caller.system())
    finally:
        store.close()


def test_sigkill_while_writing_keeps_exactly_the_earlier_files(tmp_path: Path, run: Run, store: Path) -> None:
    early = [demo.DEMO_DIR / "catalogues" / "mps.csv", demo.DEMO_DIR / "catalogues" / "mca.csv"]
    big = _big_document(tmp_path / "big.json")
    killed = tmp_path / "killed.db"
    command = "from registry.cli import main; main()"
    args = ["--store", str(killed), "import", *map(str, early), str(big)]
    proc = subprocess.Popen([sys.executable, "-c", command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not _writing_after(killed, len(early)):
            assert proc.poll() is None, f"import ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "import never reached the big file"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert run("import", *map(str, early)).exit_code == 0  # the reference: the earlier files alone
    assert _stats(killed) == _stats(store)
    with closing(sqlite3.connect(killed)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    survivor = open_store(killed)
    try:
        service = RegistryService(survivor)
        assert service.lookup(Caller.system(), BIG_DEPARTMENT) == []
        assert service.count(Caller.system(), "Dataset", text="批量测试数据集") == 0
        assert len(service.find(Caller.system(), "Dataset")) == _stats(store)["nodes"]["Dataset"]
    finally:
        survivor.close()
