"""The embedded store's levels table: sparse numbers stamped with the version they are
exact for, written only under that check, absent from a file made before it (stale until
first written); and ``nodes_around``, which tells what a write did to each node's life."""

import sqlite3
from pathlib import Path

from registry.schema.records import ChangeSet, NodeRef, NodeWrite, Provenance
from registry.store.sqlite import SQLiteStore


def _prov(batch: str) -> Provenance:
    return Provenance("测试.csv", batch, "测试员", "2026-01-01T00:00:00+00:00")


def _write(store: SQLiteStore, batch: str, *keys: str, retire: tuple[str, ...] = ()) -> int:
    changes = ChangeSet(
        nodes=[NodeWrite("System", key, {"code": key, "name": f"系统{key}"}) for key in keys],
        retire_nodes=[NodeRef("System", key) for key in retire],
    )
    return store.apply(changes, _prov(batch)).version


def test_a_new_file_starts_exact_and_empty(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    assert store.levels_stamp() == store.version() == 0
    assert store.levels_above(0) == (0, {})
    store.close()


def test_levels_are_stamped_only_for_the_version_they_were_computed_from(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    version = _write(store, "b1", "A", "B", "C")
    assert store.levels_above(0) is None  # the write moved the version, not the stamp
    assert store.write_levels(lambda put: put({("System", "A"): 3}), since=version) is None  # stamp is 0
    assert store.write_levels(lambda put: put({("System", "A"): 3}), since=0, version=version + 1) is None
    assert store.write_levels(lambda put: put({("System", "A"): 3, ("System", "B"): 1}), since=0) == version
    assert store.levels_above(0) == (version, {"System": {"A": 3, "B": 1}})
    assert store.levels_above(1) == (version, {"System": {"A": 3}})
    assert store.stored_levels({"System": ["A", "C"]}) == {("System", "A"): 3}
    later = _write(store, "b2", "D")
    assert store.write_levels(lambda put: put({("System", "A"): 0, ("System", "B"): None}), since=version) == later
    assert store.levels_above(0) == (later, {})
    store.close()


def test_a_recomputation_starts_from_an_empty_table(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    store.write_levels(lambda put: put({("System", "A"): 2}), since=0)
    _write(store, "b1", "B")
    assert store.write_levels(lambda put: put({("System", "B"): 1}), since=None) == 1
    assert store.levels_above(0) == (1, {"System": {"B": 1}})
    assert store.write_levels(lambda put: put({("System", "C"): 1}), since=None) == 1  # exact already: kept
    assert store.levels_above(0) == (1, {"System": {"B": 1}})
    store.close()


def test_a_file_from_before_the_table_reads_as_stale_until_written(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = SQLiteStore(path)
    _write(store, "b1", "A")
    store.close()
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE levels; DELETE FROM meta WHERE k = 'levels_version';")
    db.close()
    old = SQLiteStore(path)
    assert old.levels_stamp() is None
    assert old.stored_levels({"System": ["A"]}) == {}
    assert old.levels_above(0) is None
    assert old.write_levels(lambda put: put({("System", "A"): 1}), since=0) is None
    assert old.write_levels(lambda put: put({("System", "A"): 1}), since=None) == 1
    assert old.levels_above(0) == (1, {"System": {"A": 1}})
    old.close()


def test_nodes_around_tell_what_a_write_did_to_each_node(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    _write(store, "b1", "A", "B", "C")
    _write(store, "b2", retire=("C",))
    _write(store, "b3", "D", "C", retire=("A",))
    refs = [NodeRef("System", key) for key in "ABCDE"]
    assert sorted(store.nodes_around(refs, "b3")) == [
        (NodeRef("System", "A"), True, False),
        (NodeRef("System", "B"), True, True),
        (NodeRef("System", "C"), False, True),
        (NodeRef("System", "D"), False, True),
    ]
    store.close()
