"""Generated registries for the benchmarks, built once per size and seed and kept on disk.

Each size gives three artefacts from one synthetic registry (``registry.synth``, planted
duplicates, gaps and placement violations, ground truth beside it):
- ``registry-N.db``: the embedded store loaded through the service;
- ``native-N.json``: the same graph as a native document (the store's own export);
- ``catalogue-N.csv``: its datasets and fields in the national catalogue layout (one row
  per 信息项, Chinese headers, Chinese enumeration values as departments write them).
They live under ``bench/results/data`` (gitignored); delete it to rebuild.
"""

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.common import RESULTS, console
from registry.importers import export_document, write_document
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.synth import Synth, generate, to_declaration

DATA = RESULTS / "data"

_SHARE = {"unconditional": "无条件共享", "conditional": "有条件共享", "not_shared": "不予共享"}
_CYCLE = {"daily": "每日", "monthly": "每月", "realtime": "实时", "yearly": "每年"}
_HEADERS = [
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源摘要",
    "信息资源格式",
    "信息项名称",
    "数据类型",
    "共享类型",
    "共享条件",
    "共享方式",
    "更新周期",
]


@dataclass(frozen=True)
class Prepared:
    datasets: int
    fields: int
    store: Path
    native: Path
    catalogue: Path
    truth: Path


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_catalogue(synth: Synth, path: Path) -> int:
    """Rows in the national layout with the resource columns repeated on every row."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_HEADERS)
        for i, key in enumerate(synth.dataset_keys):
            dept = synth.departments[synth.department_of(i)]
            props = synth.dataset_props[i]
            resource = [
                synth.dataset_names[i],
                key,
                dept["name"],
                dept["code"],
                synth.dataset_abstracts[i],
                "数据库/oracle",
            ]
            share = [
                _SHARE[props["share_type"]],
                props.get("share_condition") or "",
                "共享平台/接口",
                _CYCLE.get(props.get("update_cycle") or "", "每日"),
            ]
            for fid in dict.fromkeys(synth.field_lists[i]):
                writer.writerow([*resource, synth.field_names[fid], "C", *share])
                rows += 1
    return rows


def copy_store(source: Path, target: Path) -> None:
    """A private copy of a cached registry: the cache may be shared (hard-linked) with other
    runs, so it is opened only when a write-ahead log must be folded in first."""
    wal = source.with_name(source.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        store = SQLiteStore(source)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    shutil.copyfile(source, target)


def prepare(datasets: int, seed: int = 1) -> Prepared:
    DATA.mkdir(parents=True, exist_ok=True)
    stem = f"{datasets}-s{seed}"
    store_path = DATA / f"registry-{stem}.db"
    native = DATA / f"native-{stem}.json"
    catalogue = DATA / f"catalogue-{stem}.csv"
    truth = DATA / f"truth-{stem}.json"
    if not (store_path.exists() and native.exists() and catalogue.exists() and truth.exists()):
        console.print(f"[dim]preparing a generated registry of {datasets:,} datasets (once; cached in {DATA})[/dim]")
        synth = generate(datasets=datasets, seed=seed)
        remove_store(store_path)
        store = SQLiteStore(store_path)
        RegistryService(store).load(to_declaration(synth), Caller.system())
        write_document(export_document(store, records=False), native)
        store.close()
        write_catalogue(synth, catalogue)
        truth.write_text(json.dumps(synth.truth, ensure_ascii=False), encoding="utf-8")
    config = json.loads(truth.read_text(encoding="utf-8"))["config"]
    return Prepared(config["datasets"], config["fields"], store_path, native, catalogue, truth)
