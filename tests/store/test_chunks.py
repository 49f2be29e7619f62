"""The chunked load of the Store contract (``Store.apply_chunks``), on every store."""

from collections.abc import Iterator

import pytest

from registry.schema.records import ApplyResult, ChangeSet, EdgeWrite, NodeRef, NodeWrite
from registry.store.base import Store, StoreMoved
from registry.store.sqlite import SQLiteStore
from tests.store.test_contract import DEPT, prov

OLD = NodeRef("Dataset", "301001/000009")


def dataset(n: int) -> NodeRef:
    return NodeRef("Dataset", f"301001/{n:06d}")


def chunk(n: int) -> ChangeSet:
    """One dataset of the department, with one field."""
    ds = dataset(n)
    field = NodeRef("Field", f"{ds.key}#姓名")
    return ChangeSet(
        nodes=[
            NodeWrite("Dataset", ds.key, {"resource_code": ds.key, "name": f"人口信息{n}"}),
            NodeWrite("Field", field.key, {"name": "姓名", "dataset": ds.key}),
        ],
        edges=[EdgeWrite("PROVIDES", DEPT, ds), EdgeWrite("HAS_FIELD", ds, field)],
    )


def department() -> ChangeSet:
    return ChangeSet(nodes=[NodeWrite("Department", DEPT.key, {"code": DEPT.key, "name": "浙江省公安厅"})])


def test_chunks_are_applied_in_order_and_consumed_one_at_a_time(store: Store) -> None:
    seen_by_generator: list[bool] = []

    def chunks() -> Iterator[ChangeSet]:
        yield department()
        for n in range(1, 4):
            # the previous chunk is already in the store when the next one is built
            seen_by_generator.append(bool(store.get_nodes("Department", [DEPT.key])))
            yield chunk(n)

    result = store.apply_chunks(chunks(), prov("b1"))
    assert result.totals()["created"] == 1 + 3 * 2 + 3 * 2
    assert store.label_counts() == {"Dataset": 3, "Department": 1, "Field": 3}
    # an edge in a later chunk points at the department written by the first one
    assert len(store.edges([DEPT], types=["PROVIDES"])) == 3
    assert seen_by_generator in ([True, True, True], [False, False, False])


def test_retirement_and_record_come_from_the_final_step(store: Store) -> None:
    store.apply(ChangeSet(nodes=department().nodes + chunk(9).nodes, edges=chunk(9).edges), prov("b0"))
    outcome: list[ApplyResult] = []

    def finish(result: ApplyResult) -> ChangeSet:
        outcome.append(result)
        listed = {e.dst for e in store.edges([DEPT], types=["PROVIDES"])}
        return ChangeSet(
            retire_nodes=sorted(listed - {dataset(1), dataset(2)}),
            record=NodeWrite("ImportBatch", "b1", {"id": "b1", "source": "b1.csv", "format": "catalogue"}),
        )

    result = store.apply_chunks([chunk(1), chunk(2)], prov("b1"), finish)
    assert store.get_nodes("Dataset", [OLD.key]) == {}
    assert result.total("retired") >= 1
    record = store.get_nodes("ImportBatch", ["b1"])["b1"]
    assert record.props["counts"]["created"] == 8
    assert record.props["counts"]["retired"] == result.total("retired")
    assert len(outcome) == 1


def test_an_abandoned_load_retires_nothing(store: Store) -> None:
    store.apply(ChangeSet(nodes=department().nodes + chunk(9).nodes, edges=chunk(9).edges), prov("b0"))

    def finish(_result: ApplyResult) -> ChangeSet:
        raise RuntimeError("退休数量超过限制")

    with pytest.raises(RuntimeError):
        store.apply_chunks([chunk(1)], prov("b1"), finish)
    assert store.get_nodes("Dataset", [OLD.key])
    assert store.get_nodes("ImportBatch", ["b1"]) == {}


def test_a_chunk_may_not_retire(store: Store) -> None:
    with pytest.raises(ValueError, match="final step"):
        store.apply_chunks([ChangeSet(retire_nodes=[DEPT])], prov("b1"))


def test_rerunning_the_same_chunks_changes_nothing(store: Store) -> None:
    store.apply_chunks([department(), chunk(1), chunk(2)], prov("b1"))
    version = store.version()
    again = store.apply_chunks([department(), chunk(1), chunk(2)], prov("b2"))
    assert not again.changed
    assert again.totals()["unchanged"] == 1 + 2 * 4
    assert store.version() == version


def test_a_key_written_twice_in_one_load_into_an_empty_store_is_merged(store: Store) -> None:
    first = department()
    second = ChangeSet(nodes=[NodeWrite("Department", DEPT.key, {"short_name": "公安厅"})])
    result = store.apply_chunks([first, chunk(1), second, chunk(1)], prov("b1"))
    assert store.get_nodes("Department", [DEPT.key])[DEPT.key].props == {
        "code": DEPT.key,
        "name": "浙江省公安厅",
        "short_name": "公安厅",
    }
    assert result.counts["Department"] == {"created": 1, "updated": 1}
    assert result.counts["PROVIDES"] == {"created": 1, "unchanged": 1}


def test_dry_run_keeps_nothing(store: Store) -> None:
    result = store.apply_chunks([department(), chunk(1)], prov("b1"), dry_run=True)
    assert result.totals()["created"] == 5
    assert store.label_counts() == {}


def _seeded(store: Store) -> int:
    """The department and its dataset 9 (``OLD``); the version a caller's checks saw."""
    store.apply(ChangeSet(nodes=department().nodes + chunk(9).nodes, edges=chunk(9).edges), prov("b0"))
    return store.version()


def test_a_write_made_for_a_version_the_store_has_left_writes_nothing(store: Store) -> None:
    """Another program wrote after the caller's checks (at version ``seen``): a load, a
    single write, a retirement and a dry run made for ``seen`` are all refused with
    ``StoreMoved`` and leave the store as that program left it."""
    seen = _seeded(store)
    store.apply(chunk(1), prov("other"))
    moved = store.version()
    writes = {
        "load": lambda: store.apply_chunks([chunk(2), chunk(3)], prov("b1"), at_version=seen),
        "apply": lambda: store.apply(chunk(2), prov("b2"), at_version=seen),
        "retire": lambda: store.apply(ChangeSet(retire_nodes=[OLD, dataset(1)]), prov("b3"), at_version=seen),
        "dry run": lambda: store.apply_chunks([chunk(2)], prov("b4"), dry_run=True, at_version=seen),
    }
    for name, write in writes.items():
        with pytest.raises(StoreMoved):
            write()
        assert store.version() == moved, name
    assert set(store.get_nodes("Dataset", [dataset(n).key for n in (1, 2, 3, 9)])) == {dataset(1).key, OLD.key}
    assert store.open_loads() == []


def test_a_load_made_for_the_current_version_is_not_stopped_by_its_own_chunks(store: Store) -> None:
    """Each chunk that a store commits on its own moves the version; the load's later
    chunks and its final step (which retires) must take that for the load's own doing."""
    seen = _seeded(store)

    def finish(_result: ApplyResult) -> ChangeSet:
        return ChangeSet(retire_nodes=[OLD])

    result = store.apply_chunks([chunk(1), chunk(2), chunk(3)], prov("b1"), finish, at_version=seen)
    assert result.counts["Dataset"] == {"created": 3, "retired": 1}
    assert set(store.get_nodes("Dataset", [dataset(n).key for n in (1, 2, 3, 9)])) == {
        dataset(1).key,
        dataset(2).key,
        dataset(3).key,
    }
    assert store.version() > seen and store.open_loads() == []
    assert not store.apply(chunk(3), prov("b2"), at_version=store.version()).changed


def test_sqlite_applies_a_load_in_one_transaction(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "one.db")

    def chunks() -> Iterator[ChangeSet]:
        yield department()
        yield chunk(1)
        raise ValueError("第3行: 信息资源代码 is empty")

    with pytest.raises(ValueError):
        store.apply_chunks(chunks(), prov("b1"))
    assert store.label_counts() == {}
    assert store.version() == 0
    store.close()


def as_rows(changes: ChangeSet) -> ChangeSet:
    """The same upserts as tuples, the form a load's set-aside parts come back in."""
    return ChangeSet(
        node_rows=[(n.label, n.key, n.props) for n in changes.nodes],
        edge_rows=[(e.type, e.src.label, e.src.key, e.dst.label, e.dst.key, e.props) for e in changes.edges],
    )


def test_upserts_given_as_rows_are_applied_as_writes_are(store: Store) -> None:
    first, second = as_rows(chunk(1)), chunk(2)
    # writes and rows in one chunk; an edge row at a node given as a write, and the reverse
    mixed = ChangeSet(
        nodes=second.nodes,
        edges=[EdgeWrite("PROVIDES", DEPT, dataset(1))],
        node_rows=first.node_rows,
        edge_rows=[*first.edge_rows[1:], ("PROVIDES", "Department", DEPT.key, "Dataset", dataset(2).key, {})],
    )
    mixed.edges.append(second.edges[1])
    result = store.apply_chunks([department(), mixed], prov("b1"))
    assert result.totals()["created"] == 1 + 2 * 2 + 2 * 2
    assert store.label_counts() == {"Dataset": 2, "Department": 1, "Field": 2}
    assert {e.dst for e in store.edges([DEPT], types=["PROVIDES"])} == {dataset(1), dataset(2)}
    field = store.get_nodes("Field", [f"{dataset(1).key}#姓名"])[f"{dataset(1).key}#姓名"]
    assert field.props == {"name": "姓名", "dataset": dataset(1).key}
    # the same rows again change nothing; a row with a new property updates its node
    again = store.apply_chunks([as_rows(chunk(1))], prov("b2"))
    assert again.totals()["created"] == 0 and again.totals()["unchanged"] == 4
    renamed = ChangeSet(node_rows=[("Dataset", dataset(1).key, {"name": "人口基本信息"})])
    assert store.apply(renamed, prov("b3")).totals()["updated"] == 1
    assert store.get_nodes("Dataset", [dataset(1).key])[dataset(1).key].props["name"] == "人口基本信息"


def test_an_edge_row_at_a_missing_node_is_refused(store: Store) -> None:
    store.apply_chunks([department()], prov("b1"))
    dangling = ChangeSet(edge_rows=[("PROVIDES", "Department", DEPT.key, "Dataset", dataset(7).key, {})])
    with pytest.raises(ValueError, match="do not exist"):
        store.apply_chunks([dangling], prov("b2"))
    assert store.get_nodes("Dataset", [dataset(7).key]) == {}
