"""The Store contract: every implementation must pass this same code."""

import pytest

from registry.schema.records import ChangeSet, EdgeRef, EdgeWrite, NodeRef, NodeWrite, Provenance
from registry.store.base import DanglingEdges, Store

DEPT = NodeRef("Department", "11330000MB0000001X")
SYS = NodeRef("System", "ZJ-RK-01")
DS = NodeRef("Dataset", "301001/000001")


def prov(batch: str, at: str = "2026-01-01T00:00:00+00:00", by: str = "测试员") -> Provenance:
    return Provenance(source=f"{batch}.csv", batch=batch, by=by, at=at)


def seed(store: Store) -> None:
    store.apply(seed_changes(), prov("b1"))


def seed_changes() -> ChangeSet:
    return ChangeSet(
        nodes=[
            NodeWrite("Department", DEPT.key, {"code": DEPT.key, "name": "浙江省公安厅"}),
            NodeWrite("System", SYS.key, {"code": SYS.key, "name": "人口信息管理系统", "network": "extranet"}),
            NodeWrite("System", "ZJ-JT-02", {"code": "ZJ-JT-02", "name": "交通违法处理系统"}),
            NodeWrite(
                "Dataset", DS.key, {"resource_code": DS.key, "name": "常住人口信息", "share_type": "conditional"}
            ),
        ],
        edges=[
            EdgeWrite("OPERATES", DEPT, SYS),
            EdgeWrite("OPERATES", DEPT, NodeRef("System", "ZJ-JT-02")),
            EdgeWrite("PROVIDES", DEPT, DS),
            EdgeWrite("HOLDS", SYS, DS),
        ],
    )


def test_apply_counts_and_version(store: Store) -> None:
    before = store.version()
    seed(store)
    assert store.version() > before
    assert store.label_counts() == {"Dataset": 1, "Department": 1, "System": 2}
    assert store.edge_type_counts() == {"HOLDS": 1, "OPERATES": 2, "PROVIDES": 1}


def test_reapplying_the_same_changes_is_a_no_op(store: Store) -> None:
    seed(store)
    version = store.version()
    result = store.apply(
        ChangeSet(
            nodes=[NodeWrite("System", SYS.key, {"code": SYS.key, "name": "人口信息管理系统"})],
            edges=[EdgeWrite("HOLDS", SYS, DS)],
        ),
        prov("b2"),
    )
    assert result.totals() == {"created": 0, "updated": 0, "unchanged": 2, "retired": 0}
    assert not result.changed
    assert store.version() == version


def test_a_write_tells_which_of_its_nodes_existed_before_it(store: Store) -> None:
    """Which upserted nodes the store held before the write, live or retired (the service
    knows the others are new); a node its own earlier chunk created is new."""
    first = store.apply_chunks(
        [seed_changes(), ChangeSet(nodes=[NodeWrite("System", SYS.key, {"code": SYS.key, "name": "人口信息"})])],
        prov("b1"),
    )
    assert first.existed == set()
    store.apply(ChangeSet(retire_nodes=[NodeRef("System", "ZJ-JT-02")]), prov("b2"))
    result = store.apply(
        ChangeSet(
            nodes=[
                NodeWrite("System", "ZJ-JT-02", {"code": "ZJ-JT-02", "name": "交通违法处理系统"}),
                NodeWrite("Dataset", DS.key, {"name": "常住人口信息"}),
                NodeWrite("Dataset", "301001/000002", {"resource_code": "301001/000002", "name": "暂住人口信息"}),
            ],
            edges=[EdgeWrite("PROVIDES", DEPT, NodeRef("Dataset", "301001/000002"))],
        ),
        prov("b3"),
    )
    assert result.existed == {("System", "ZJ-JT-02"), ("Dataset", DS.key)}


def test_a_write_tells_which_ends_of_its_edges_the_store_held_before_it(store: Store) -> None:
    """Edge ends the write did not upsert beside the edge and an earlier batch created
    (the service starts the levels' update from them); an end that an earlier chunk of
    the same write created, or that the same chunk upserted, is not one."""
    seed(store)
    store.apply(ChangeSet(retire_nodes=[NodeRef("System", "ZJ-JT-02")]), prov("b2"))
    new = NodeRef("Dataset", "301001/000002")
    result = store.apply_chunks(
        [
            ChangeSet(
                nodes=[NodeWrite("Dataset", new.key, {"resource_code": new.key, "name": "暂住人口信息"})],
                edges=[EdgeWrite("PROVIDES", DEPT, new)],
            ),
            ChangeSet(
                nodes=[NodeWrite("Dataset", DS.key, {"name": "常住人口信息"})],
                edges=[EdgeWrite("HOLDS", SYS, new), EdgeWrite("HOLDS", SYS, DS)],
            ),
        ],
        prov("b3"),
    )
    assert result.linked == {("Department", DEPT.key), ("System", SYS.key)}
    assert result.existed == {("Dataset", DS.key)}
    with pytest.raises(DanglingEdges):
        store.apply(ChangeSet(edges=[EdgeWrite("HOLDS", NodeRef("System", "ZJ-JT-02"), new)]), prov("b4"))


def test_upsert_merges_properties_and_records_history(store: Store) -> None:
    seed(store)
    result = store.apply(
        ChangeSet(nodes=[NodeWrite("System", SYS.key, {"network": "intranet", "secrecy_level": "secret"})]),
        prov("b2", at="2026-02-01T00:00:00+00:00", by="审核员"),
    )
    assert result.counts["System"]["updated"] == 1
    node = store.get_nodes("System", [SYS.key])[SYS.key]
    assert node.props == {
        "code": SYS.key,
        "name": "人口信息管理系统",
        "network": "intranet",
        "secrecy_level": "secret",
    }
    assert node.created.batch == "b1" and node.updated.batch == "b2" and node.updated.by == "审核员"
    history = [h for h in store.history(SYS) if h.node == SYS]
    assert [h.op for h in history] == ["create", "update"]
    assert history[0].changes["network"] == [None, "extranet"]
    assert history[0].prov.source == "b1.csv"
    assert history[1].changes == {"network": ["extranet", "intranet"], "secrecy_level": [None, "secret"]}
    assert history[1].prov.by == "审核员"


def test_history_includes_edges_touching_the_node(store: Store) -> None:
    seed(store)
    subjects = {h.edge.type for h in store.history(SYS) if h.edge is not None}
    assert subjects == {"OPERATES", "HOLDS"}


def test_failed_apply_leaves_store_unchanged(store: Store) -> None:
    seed(store)
    version = store.version()
    with pytest.raises(ValueError, match="do not exist"):
        store.apply(
            ChangeSet(
                nodes=[NodeWrite("Dataset", "301001/000002", {"resource_code": "301001/000002", "name": "户籍"})],
                edges=[EdgeWrite("HOLDS", SYS, NodeRef("Dataset", "no-such-dataset"))],
            ),
            prov("b2"),
        )
    assert store.version() == version
    assert store.get_nodes("Dataset", ["301001/000002"]) == {}


def test_dry_run_reports_without_writing(store: Store) -> None:
    seed(store)
    version = store.version()
    result = store.apply(
        ChangeSet(nodes=[NodeWrite("System", "NEW", {"code": "NEW", "name": "新系统"})], retire_nodes=[DS]),
        prov("b2"),
        dry_run=True,
    )
    assert result.dry_run and result.counts["System"]["created"] == 1 and result.counts["Dataset"]["retired"] == 1
    assert store.version() == version
    assert store.get_nodes("System", ["NEW"]) == {}
    assert DS.key in store.get_nodes("Dataset", [DS.key])


def test_retire_hides_node_and_its_edges_and_upsert_revives(store: Store) -> None:
    seed(store)
    result = store.apply(ChangeSet(retire_nodes=[DS]), prov("b2"))
    assert result.counts["Dataset"]["retired"] == 1
    assert result.counts["HOLDS"]["retired"] == 1 and result.counts["PROVIDES"]["retired"] == 1
    assert store.get_nodes("Dataset", [DS.key]) == {}
    assert store.get_nodes("Dataset", [DS.key], include_retired=True)[DS.key].retired
    assert store.edges([SYS], types=["HOLDS"]) == []
    assert store.count_nodes("Dataset") == 0
    revived = store.apply(
        ChangeSet(nodes=[NodeWrite("Dataset", DS.key, {"name": "常住人口信息"})], edges=[EdgeWrite("HOLDS", SYS, DS)]),
        prov("b3"),
    )
    assert revived.counts["Dataset"]["updated"] == 1 and revived.counts["HOLDS"]["updated"] == 1
    assert [h.op for h in store.history(DS) if h.node == DS] == ["create", "retire", "revive"]
    assert len(store.edges([SYS], types=["HOLDS"])) == 1


def test_retire_edge(store: Store) -> None:
    seed(store)
    store.apply(ChangeSet(retire_edges=[EdgeRef("HOLDS", SYS, DS)]), prov("b2"))
    assert store.edges([SYS], types=["HOLDS"]) == []
    assert len(list(store.iter_edges(["HOLDS"], include_retired=True))) == 1


def test_find_filter_search_page_and_exclude(store: Store) -> None:
    seed(store)
    systems = store.find_nodes("System")
    assert [n.key for n in systems] == ["ZJ-JT-02", "ZJ-RK-01"]
    assert [n.key for n in store.find_nodes("System", where={"network": "extranet"})] == [SYS.key]
    assert [n.key for n in store.find_nodes("System", text="人口")] == [SYS.key]
    assert store.find_nodes("System", text="%") == []
    assert [n.key for n in store.find_nodes("System", after="ZJ-JT-02")] == [SYS.key]
    assert [n.key for n in store.find_nodes("System", limit=1)] == ["ZJ-JT-02"]
    assert [n.key for n in store.find_nodes("System", exclude=["ZJ-JT-02"])] == [SYS.key]
    assert store.count_nodes("System") == 2
    assert store.count_nodes("System", exclude=[SYS.key]) == 1
    assert store.count_nodes("System", text="交通") == 1


def test_edges_by_direction_and_type(store: Store) -> None:
    seed(store)
    out = store.edges([DEPT], direction="out")
    assert sorted((e.type, e.dst.key) for e in out) == [
        ("OPERATES", "ZJ-JT-02"),
        ("OPERATES", SYS.key),
        ("PROVIDES", DS.key),
    ]
    assert [e.src for e in store.edges([DS], direction="in", types=["HOLDS"])] == [SYS]
    both = store.edges([SYS], direction="both")
    assert sorted(e.type for e in both) == ["HOLDS", "OPERATES"]
    batched = store.edges([SYS, NodeRef("System", "ZJ-JT-02")], direction="in", types=["OPERATES"])
    assert len(batched) == 2


def test_record_written_only_when_something_changed(store: Store) -> None:
    batch_props = {"id": "b1", "source": "a.csv", "format": "catalogue", "by": "x", "at": "t"}
    record = NodeWrite("ImportBatch", "b1", batch_props)
    changes = ChangeSet(nodes=[NodeWrite("Department", DEPT.key, {"code": DEPT.key, "name": "浙江省公安厅"})])
    changes.record = record
    store.apply(changes, prov("b1"))
    batch = store.get_nodes("ImportBatch", ["b1"])["b1"]
    assert batch.props["counts"]["created"] == 1
    changes.record = NodeWrite("ImportBatch", "b2", {**record.props, "id": "b2"})
    store.apply(changes, prov("b2"))
    assert store.get_nodes("ImportBatch", ["b2"]) == {}


def test_projection_is_cached_until_the_store_changes(store: Store) -> None:
    seed(store)
    graph = store.projection()
    assert graph is store.projection()
    assert graph.nodes[SYS]["name"] == "人口信息管理系统"
    assert graph.has_edge(SYS, DS, key="HOLDS")
    part = store.projection(["System", "Dataset"], ["HOLDS", "OPERATES"])
    assert set(part.nodes) == {SYS, DS, NodeRef("System", "ZJ-JT-02")}
    assert part.number_of_edges() == 1
    store.apply(ChangeSet(nodes=[NodeWrite("System", "NEW", {"code": "NEW", "name": "新系统"})]), prov("b2"))
    assert store.projection() is not graph
    assert NodeRef("System", "NEW") in store.projection()


def test_export_streams_restore_into_an_empty_store(store: Store, tmp_path) -> None:
    from registry.store.sqlite import SQLiteStore

    seed(store)
    store.apply(ChangeSet(nodes=[NodeWrite("System", SYS.key, {"network": "intranet"})]), prov("b2"))
    store.apply(ChangeSet(retire_nodes=[NodeRef("System", "ZJ-JT-02")]), prov("b3"))
    copy = SQLiteStore(tmp_path / "copy.db")
    copy.restore(store.iter_nodes(include_retired=True), store.iter_edges(include_retired=True), store.iter_history())
    assert list(copy.iter_nodes(include_retired=True)) == list(store.iter_nodes(include_retired=True))
    assert list(copy.iter_edges(include_retired=True)) == list(store.iter_edges(include_retired=True))

    def strip(entries):
        return [(h.subject, h.op, h.changes, h.prov, h.node, h.edge) for h in entries]

    assert strip(copy.iter_history()) == strip(store.iter_history())
    assert strip(copy.history(SYS)) == strip(store.history(SYS))
    copy.close()


def test_ping(store: Store) -> None:
    store.ping()
