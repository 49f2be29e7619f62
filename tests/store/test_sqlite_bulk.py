"""A load into an empty embedded store builds its secondary indexes once, at the end:
they exist after the load, and a load that is rolled back (refused, or a dry run)
leaves them as they were. Its rows are inserted without a lookup unless a key's bit
was set by an earlier chunk; a bit shared by two keys costs a lookup, never a wrong row."""

from pathlib import Path

import pytest

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite, Provenance
from registry.store import sqlite
from registry.store.sqlite import _DEFERRED_INDEXES, SQLiteStore

DATASET = NodeRef("Dataset", "301330100/001")


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


@pytest.mark.parametrize("bits", [8, sqlite._Written.BITS])
def test_keys_on_a_shared_bit_or_written_again_give_the_rows_a_lookup_gives(
    tmp_path: Path, bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With eight bits nearly every key shares one with an earlier chunk's: each is then
    looked up, and the outcome is the same as with the full bitmap."""
    monkeypatch.setattr(sqlite._Written, "BITS", bits)
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
    store = SQLiteStore(tmp_path / "registry.db")
    result = store.apply_chunks([*chunks, again], Provenance("户籍.csv", "b1", "test", "2026-11-30T00:00:00+00:00"))
    assert result.counts["Field"] == {"created": 40, "updated": 1}
    assert result.counts["Dataset"] == {"created": 1, "unchanged": 2}
    assert result.counts["HAS_FIELD"] == {"created": 40, "unchanged": 1}
    assert store._db.execute("SELECT count(*) FROM edges").fetchone()[0] == 40
    stored = store.get_nodes("Field", [first, f"{DATASET.key}#{names[1]}"])
    assert [stored[k].props["length"] for k in sorted(stored)] == [99, 6]
