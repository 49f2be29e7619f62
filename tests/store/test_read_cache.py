"""Records and edge lists the SQLite store keeps for its committed version
(``registry.store.read_cache``): the same answers as a fresh read, none read twice at one
version, dropped by a write here or in another process, never filled from a write
transaction's uncommitted rows, and bounded."""

from pathlib import Path

import pytest

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite
from registry.store.read_cache import ReadCache
from registry.store.sqlite import SQLiteStore
from tests.store.test_contract import prov

GA = NodeRef("Department", "11330000002482061F")
DATASETS = [NodeRef("Dataset", f"301001/{n:06d}") for n in range(3)]


def _registry(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    nodes = [NodeWrite("Department", GA.key, {"credit_code": GA.key, "name": "浙江省公安厅"})]
    edges = []
    for n, dataset in enumerate(DATASETS):
        nodes.append(NodeWrite("Dataset", dataset.key, {"resource_code": dataset.key, "name": f"户籍人口信息{n}"}))
        edges.append(EdgeWrite("PROVIDES", GA, dataset))
        for name in ("姓名", "身份证号"):
            nodes.append(NodeWrite("Field", f"{dataset.key}#{name}", {"name": name, "dataset": dataset.key}))
            edges.append(EdgeWrite("HAS_FIELD", dataset, NodeRef("Field", f"{dataset.key}#{name}")))
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    return store


def _refuse_reads(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("read from the file again")

    monkeypatch.setattr(store, "_read_nodes", refuse)
    monkeypatch.setattr(store, "_read_edges", refuse)


def test_a_second_read_at_one_version_answers_the_same_without_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _registry(tmp_path / "r.db")
    keys = [d.key for d in DATASETS] + ["301001/999999"]  # one that does not exist
    nodes = store.get_nodes("Dataset", keys)
    fields = store.edges(DATASETS, direction="out", types=["HAS_FIELD"])
    both = store.edges([GA, DATASETS[0]], direction="both")
    _refuse_reads(store, monkeypatch)
    assert store.get_nodes("Dataset", keys) == nodes and sorted(nodes) == sorted(keys[:3])
    assert store.edges(DATASETS, direction="out", types=["HAS_FIELD"]) == fields and len(fields) == 6
    assert store.edges([GA, DATASETS[0]], direction="both") == both
    # an edge between two asked nodes comes once, as from the file
    assert len(both) == len({e.ref for e in both}) == 3 + 2
    store.close()


def test_a_write_here_or_in_another_process_is_seen_at_the_next_read(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store, other = _registry(path), SQLiteStore(path)
    assert store.get_nodes("Dataset", [DATASETS[0].key])[DATASETS[0].key].props["name"] == "户籍人口信息0"
    assert len(store.edges([GA], types=["PROVIDES"])) == 3
    other.apply(
        ChangeSet(
            nodes=[
                NodeWrite("Dataset", DATASETS[0].key, {"resource_code": DATASETS[0].key, "name": "常住人口信息"}),
                NodeWrite("Dataset", "301001/000009", {"resource_code": "301001/000009", "name": "出入境证件信息"}),
            ],
            edges=[EdgeWrite("PROVIDES", GA, NodeRef("Dataset", "301001/000009"))],
        ),
        prov("b2"),
    )
    assert store.get_nodes("Dataset", [DATASETS[0].key])[DATASETS[0].key].props["name"] == "常住人口信息"
    assert len(store.edges([GA], types=["PROVIDES"])) == 4
    store.apply(ChangeSet(retire_nodes=[DATASETS[1]]), prov("b3"))
    assert DATASETS[1].key not in store.get_nodes("Dataset", [DATASETS[1].key])
    assert len(store.edges([GA], types=["PROVIDES"])) == 3
    store.close()
    other.close()


def test_reads_inside_a_dry_run_neither_fill_nor_use_the_kept_records(tmp_path: Path) -> None:
    store = _registry(tmp_path / "r.db")
    new = NodeRef("Dataset", "301001/000009")
    assert store.get_nodes("Dataset", [new.key]) == {}
    assert len(store.edges([GA], types=["PROVIDES"])) == 3
    seen: dict[str, int] = {}

    def finish(_result: object) -> ChangeSet:
        # a load's own reads see what it has written, not what was kept
        seen["nodes"] = len(store.get_nodes("Dataset", [new.key]))
        seen["edges"] = len(store.edges([GA], types=["PROVIDES"]))
        return ChangeSet()

    changes = ChangeSet(
        nodes=[NodeWrite("Dataset", new.key, {"resource_code": new.key, "name": "出入境证件信息"})],
        edges=[EdgeWrite("PROVIDES", GA, new)],
    )
    store.apply_chunks([changes], prov("b2"), finish, dry_run=True)
    assert seen == {"nodes": 1, "edges": 4}
    # rolled back: nothing of it was kept
    assert store.get_nodes("Dataset", [new.key]) == {}
    assert len(store.edges([GA], types=["PROVIDES"])) == 3
    store.close()


def test_what_is_kept_is_bounded_and_the_oldest_goes_first() -> None:
    cache = ReadCache(limit=3).at(1)
    for n in range(5):
        _, keep = cache.get_nodes("Field", [f"k{n}"], lambda keys: {})
        keep(1)
    assert list(cache.nodes.values) == [("Field", "k2"), ("Field", "k3"), ("Field", "k4")]
    assert cache.nodes.held == 3


def test_a_read_made_while_the_registry_moved_is_not_kept() -> None:
    cache = ReadCache().at(1)
    _, keep = cache.get_nodes("Field", ["k"], lambda keys: {})
    keep(2)  # the version read after the rows is not the one read before them
    assert cache.nodes.values == {}
