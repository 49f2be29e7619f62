"""``edges_by_type`` leaves out the bulk edge type (HAS_FIELD), whose entries served only
counts and cost a national load 7–11 CPU s a province to keep up to date. The reads by
type still find the other types through it, the counts still count the bulk type, and a
registry file made before (its index holding every edge) gives the same answers."""

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite
from registry.store.sqlite import SQLiteStore
from tests.store.sqlite_steps import counted_steps
from tests.store.test_contract import prov

T = TypeVar("T")

DEPARTMENT = NodeRef("Department", "11110000000000001X")
TYPE_LISTS = (["HAS_FIELD"], ["PROVIDES"], ["HAS_FIELD", "PROVIDES"], ["DERIVED_FROM", "PROVIDES"], ["OPERATES"])


def _registry(path: Path, datasets: int = 200) -> SQLiteStore:
    """A department's catalogue: each dataset provided by the department with five 信息项,
    one 信息项 derived from the previous dataset's, then one HAS_FIELD and one PROVIDES
    edge retired."""
    store = SQLiteStore(path)
    nodes = [NodeWrite("Department", DEPARTMENT.key, {"credit_code": DEPARTMENT.key, "name": "市公安局"})]
    edges = []
    refs = [NodeRef("Dataset", f"301001/{n:06d}") for n in range(datasets)]
    for n, dataset in enumerate(refs):
        nodes.append(NodeWrite("Dataset", dataset.key, {"resource_code": dataset.key, "name": f"户籍信息{n}"}))
        edges.append(EdgeWrite("PROVIDES", DEPARTMENT, dataset))
        for name in ("姓名", "身份证号", "住址", "联系电话", "工作单位"):
            field = NodeRef("Field", f"{dataset.key}#{name}")
            nodes.append(NodeWrite("Field", field.key, {"name": name, "dataset": dataset.key}))
            edges.append(EdgeWrite("HAS_FIELD", dataset, field))
        if n:
            edges.append(
                EdgeWrite(
                    "DERIVED_FROM", NodeRef("Field", f"{dataset.key}#姓名"), NodeRef("Field", f"{refs[n - 1].key}#姓名")
                )
            )
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    retired = [
        EdgeWrite("HAS_FIELD", refs[1], NodeRef("Field", f"{refs[1].key}#住址")),
        EdgeWrite("PROVIDES", DEPARTMENT, refs[2]),
    ]
    store.apply(ChangeSet(retire_edges=[edge.ref for edge in retired]), prov("b2"))
    return store


def _steps(store: SQLiteStore, read: Callable[[], Iterator[T]]) -> tuple[int, list[T]]:
    """Virtual-machine steps (in hundreds) SQLite took to answer ``read``, and the answer."""
    return counted_steps(store, read, 100)


def test_the_type_index_leaves_the_bulk_type_out_and_still_serves_the_others(tmp_path: Path) -> None:
    store = _registry(tmp_path / "r.db")
    (partial,) = store._db.execute("SELECT partial FROM pragma_index_list('edges') WHERE name = 'edges_by_type'")
    assert partial == (1,)
    # no types, no read: not a pass over the edges, nor the counts that choose the index
    assert counted_steps(store, lambda: store.iter_edges([]), 1) == (0, [])

    steps, operated = _steps(store, lambda: store.iter_edge_ends(["OPERATES"]))
    assert operated == []
    assert steps < 5  # one index search, not a pass over 1,000 HAS_FIELD edges
    group_steps, groups = _steps(store, lambda: store.iter_linked_groups("OPERATES", "System"))
    assert groups == [] and group_steps < 5

    record_steps, records = _steps(store, lambda: store.iter_edges(["OPERATES"], include_retired=True))
    assert records == [] and record_steps < 5

    scan_steps, fields = _steps(store, lambda: store.iter_edge_ends(["HAS_FIELD"]))
    assert len(fields) == 999 and scan_steps > 20 * max(steps, group_steps, record_steps, 1)
    store.close()


def test_a_load_into_an_empty_registry_builds_the_index_again_as_defined(tmp_path: Path) -> None:
    """The load drops the deferred indexes and builds them again from their stored
    definitions, so the index stays partial."""
    store = SQLiteStore(tmp_path / "r.db")
    dataset = NodeRef("Dataset", "301001/000001")
    store.apply_chunks(
        iter(
            [
                ChangeSet(
                    nodes=[
                        NodeWrite("Department", DEPARTMENT.key, {"credit_code": DEPARTMENT.key, "name": "市公安局"}),
                        NodeWrite("Dataset", dataset.key, {"resource_code": dataset.key, "name": "户籍信息"}),
                        NodeWrite("Field", f"{dataset.key}#姓名", {"name": "姓名", "dataset": dataset.key}),
                    ],
                    edges=[
                        EdgeWrite("PROVIDES", DEPARTMENT, dataset),
                        EdgeWrite("HAS_FIELD", dataset, NodeRef("Field", f"{dataset.key}#姓名")),
                    ],
                )
            ]
        ),
        prov("b1"),
    )
    (partial,) = store._db.execute("SELECT partial FROM pragma_index_list('edges') WHERE name = 'edges_by_type'")
    assert partial == (1,)
    assert store.edge_type_counts() == {"HAS_FIELD": 1, "PROVIDES": 1}
    store.close()


def test_a_file_whose_index_holds_every_edge_gives_the_same_answers(tmp_path: Path) -> None:
    store = _registry(tmp_path / "new.db")
    older = _registry(tmp_path / "old.db")
    older._db.executescript("DROP INDEX edges_by_type; CREATE INDEX edges_by_type ON edges (type);")

    live = Counter(edge.type for edge in store.iter_edges())
    assert store.edge_type_counts() == older.edge_type_counts() == dict(sorted(live.items()))
    assert live == {"HAS_FIELD": 999, "PROVIDES": 199, "DERIVED_FROM": 199}
    for types in TYPE_LISTS:
        ends = list(store.iter_edge_ends(types))
        assert ends == list(older.iter_edge_ends(types))
        expected = [(e.type, e.src.label, e.src.key, e.dst.label, e.dst.key) for e in store.iter_edges(types)]
        assert ends == expected
        # records by type, retired ones too, as the whole table filtered in Python gives them
        for include_retired in (False, True):
            every = [e for e in store.iter_edges(include_retired=include_retired) if e.type in types]
            assert list(store.iter_edges(types, include_retired=include_retired)) == every
            assert list(older.iter_edges(types, include_retired=include_retired)) == every
        projected = {(s.key, d.key, t) for s, d, t in store.projection(edge_types=types).edges(keys=True)}
        assert projected == {(e.src.key, e.dst.key, e.type) for e in store.iter_edges(types)}
    assert store.projection(edge_types=[]).number_of_edges() == 0
    for edge_type, label in (("HAS_FIELD", "Field"), ("PROVIDES", "Dataset"), ("DERIVED_FROM", "Field")):
        groups = list(store.iter_linked_groups(edge_type, label))
        assert groups == list(older.iter_linked_groups(edge_type, label))
        assert sum(len(keys) for _, _, keys, _ in groups) == live[edge_type]
    store.close()
    older.close()


def test_the_live_edges_of_one_type_are_read_from_the_index_alone(tmp_path: Path) -> None:
    """The index carries each edge's key and retired flag after its type: one type's live
    ends come out of it in key order, with no lookup of each edge's row and no sort, and
    the records (which need the row) cost what they cost through the index before."""
    store = _registry(tmp_path / "new.db")
    older = _registry(tmp_path / "old.db")
    older._db.executescript(
        "DROP INDEX edges_by_type; CREATE INDEX edges_by_type ON edges (type) WHERE type <> 'HAS_FIELD';"
    )
    columns = [name for _, _, name in store._db.execute("SELECT * FROM pragma_index_info('edges_by_type')")]
    assert columns == ["type", "src_label", "src_key", "dst_label", "dst_key", "retired"]
    for edge_type in ("PROVIDES", "DERIVED_FROM"):
        steps, ends = _steps(store, lambda t=edge_type: store.iter_edge_ends([t]))
        older_steps, older_ends = _steps(older, lambda t=edge_type: older.iter_edge_ends([t]))
        assert ends == older_ends and len(ends) == 199
        assert steps * 4 < older_steps * 3
        record_steps, records = _steps(store, lambda t=edge_type: store.iter_edges([t]))
        older_record_steps, older_records = _steps(older, lambda t=edge_type: older.iter_edges([t]))
        assert records == older_records and record_steps <= older_record_steps
    store.close()
    older.close()
