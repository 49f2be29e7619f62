"""A load into an empty embedded store builds its secondary indexes once, at the end:
they exist after the load, and a load that is rolled back (refused, or a dry run)
leaves them as they were. Its rows are inserted without a lookup, and a key an earlier
chunk of the same load wrote gives the rows and counts a lookup gives."""

from pathlib import Path

import pytest

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite, Provenance
from registry.store.sqlite import _DEFERRED_INDEXES, SQLiteStore

DATASET = NodeRef("Dataset", "301330100/001")
PROV0 = Provenance("户籍.csv", "b0", "test", "2026-11-30T00:00:00+00:00")


def _indexes(store: SQLiteStore) -> set[str]:
    return {name for (name,) in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _chunk() -> ChangeSet:
    fields = [NodeWrite("Field", f"{DATASET.key}#{name}", {"name": name}) for name in ("姓名", "公民身份号码")]
    return ChangeSet(
        nodes=[NodeWrite("Dataset", DATASET.key, {"name": "居民户籍信息"}), *fields],
        edges=[EdgeWrite("HAS_FIELD", DATASET, NodeRef("Field", f.key)) for f in fields],
    )


def test_indexes_are_built_after_a_load_into_an_empty_store(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "registry.db")
    assert set(_DEFERRED_INDEXES) <= _indexes(store)
    store.apply_chunks([_chunk()], Provenance("户籍.csv", "b1", "test", "2026-11-30T00:00:00+00:00"))
    assert set(_DEFERRED_INDEXES) <= _indexes(store)
    plan = store._db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM edges WHERE dst_label = 'Field' AND dst_key = ?", (f"{DATASET.key}#姓名",)
    ).fetchall()
    assert "edges_by_dst" in str(plan)
    assert [e.src for e in store.edges([NodeRef("Field", f"{DATASET.key}#姓名")], direction="in")] == [DATASET]


def test_a_rolled_back_load_keeps_the_indexes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "registry.db")
    store.apply_chunks([_chunk()], Provenance("户籍.csv", "b1", "test", "2026-11-30T00:00:00+00:00"), dry_run=True)
    assert set(_DEFERRED_INDEXES) <= _indexes(store)

    def refused() -> object:
        yield _chunk()
        raise ValueError("a bad part")

    with pytest.raises(ValueError, match="a bad part"):
        store.apply_chunks(refused(), Provenance("户籍.csv", "b2", "test", "2026-11-30T00:00:00+00:00"))  # type: ignore[arg-type]
    assert set(_DEFERRED_INDEXES) <= _indexes(store)
    assert store.label_counts() == {}


def _written_twice() -> list[ChangeSet]:
    """Two chunks of forty fields, then a third writing one field again (changed), the
    dataset again (unchanged) and one edge again."""
    names = [f"字段{i:03d}" for i in range(40)]
    chunks = [
        ChangeSet(
            nodes=[NodeWrite("Dataset", DATASET.key, {"name": "居民户籍信息"})]
            + [NodeWrite("Field", f"{DATASET.key}#{n}", {"name": n, "length": len(n) + part}) for n in names[part::2]],
            edges=[EdgeWrite("HAS_FIELD", DATASET, NodeRef("Field", f"{DATASET.key}#{n}")) for n in names[part::2]],
        )
        for part in (0, 1)
    ]
    first = f"{DATASET.key}#{names[0]}"
    again = ChangeSet(
        nodes=[NodeWrite("Field", first, {"name": names[0], "length": 99}), chunks[0].nodes[0]],
        edges=[EdgeWrite("HAS_FIELD", DATASET, NodeRef("Field", first))],
    )
    return [*chunks, again]


@pytest.mark.parametrize("empty", [True, False])
def test_keys_written_again_by_a_later_chunk_give_the_rows_a_lookup_gives(tmp_path: Path, empty: bool) -> None:
    """Into an empty store the third chunk's rows are inserted unless present, and fall
    short: its label's and type's rows are then looked up and merged, with the same
    outcome as into a store that held a node before (where every key is looked up). None
    of the load's nodes existed before it, either way."""
    store = SQLiteStore(tmp_path / "registry.db")
    if not empty:
        store.apply(ChangeSet(nodes=[NodeWrite("Department", "330000000000", {"name": "省公安厅"})]), PROV0)
    result = store.apply_chunks(_written_twice(), Provenance("户籍.csv", "b1", "test", "2026-11-30T00:00:00+00:00"))
    assert result.counts["Field"] == {"created": 40, "updated": 1}
    assert result.counts["Dataset"] == {"created": 1, "unchanged": 2}
    assert result.counts["HAS_FIELD"] == {"created": 40, "unchanged": 1}
    assert result.existed == set()
    assert store._db.execute("SELECT count(*) FROM edges").fetchone()[0] == 40
    first, second = f"{DATASET.key}#字段000", f"{DATASET.key}#字段001"
    stored = store.get_nodes("Field", [first, second])
    assert [stored[k].props["length"] for k in sorted(stored)] == [99, 6]
    assert [(h.op, h.changes) for h in store.history(NodeRef("Field", first))][-1] == ("update", {"length": [5, 99]})


def test_a_load_tells_which_of_its_nodes_existed_before_it(tmp_path: Path) -> None:
    """Written again, the dataset and a retired field existed (the field is revived); the
    new field did not, nor does the batch record."""
    store = SQLiteStore(tmp_path / "registry.db")
    store.apply_chunks([_chunk()], PROV0)
    gone = NodeRef("Field", f"{DATASET.key}#姓名")
    store.apply(ChangeSet(retire_nodes=[gone]), Provenance("api", "b1", "test", "2026-11-30T00:00:01+00:00"))
    again = ChangeSet(
        nodes=[
            NodeWrite("Dataset", DATASET.key, {"name": "居民户籍信息"}),
            NodeWrite("Field", gone.key, {"name": "姓名"}),
            NodeWrite("Field", f"{DATASET.key}#住址", {"name": "住址"}),
        ]
    )
    result = store.apply_chunks(
        [again],
        Provenance("户籍.csv", "b2", "test", "2026-11-30T00:00:02+00:00"),
        lambda _result: ChangeSet(record=NodeWrite("ImportBatch", "b2", {"source": "户籍.csv"})),
    )
    assert result.existed == {("Dataset", DATASET.key), ("Field", gone.key)}
    assert result.counts["Field"] == {"created": 1, "updated": 1}
