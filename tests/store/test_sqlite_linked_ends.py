"""``SQLiteStore.linked_ends`` (the edge walk behind keeping clearance levels up to date)
reads the edges of the nodes it is given, not every edge of the type: with a plain join
SQLite chose the type index and scanned each edge against the whole batch of nodes, and
a department's import at 10k datasets spent minutes there."""

from pathlib import Path

from registry.schema.records import ChangeSet, Direction, EdgeWrite, NodeRef, NodeWrite
from registry.store.sqlite import SQLiteStore
from tests.store.sqlite_steps import counted_steps
from tests.store.test_contract import prov

Ends = list[tuple[str, str, str, str]]


def _steps(store: SQLiteStore, refs: list[NodeRef], direction: Direction) -> tuple[int, Ends]:
    """Virtual-machine steps (in thousands) SQLite took to answer, and the answer."""
    keys: dict[str, list[str]] = {}
    for ref in refs:
        keys.setdefault(ref.label, []).append(ref.key)
    return counted_steps(store, lambda: store.linked_ends(keys, "HAS_FIELD", direction), 1000)


def test_edges_are_found_from_the_given_nodes_not_by_scanning_the_type(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    datasets = [NodeRef("Dataset", f"301001/{n:06d}") for n in range(200)]
    nodes, edges = [], []
    for dataset in datasets:
        nodes.append(NodeWrite("Dataset", dataset.key, {"resource_code": dataset.key, "name": "人口基本信息"}))
        for name in ("姓名", "身份证号", "住址", "联系电话", "工作单位"):
            field = NodeRef("Field", f"{dataset.key}#{name}")
            nodes.append(NodeWrite("Field", field.key, {"name": name, "dataset": dataset.key}))
            edges.append(EdgeWrite("HAS_FIELD", dataset, field))
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    asked = datasets[:50]
    fields = [NodeRef("Field", f"{d.key}#住址") for d in asked]

    out_steps, out = _steps(store, asked, "out")
    in_steps, back = _steps(store, fields, "in")

    assert len(out) == 250 and {(label, key) for label, key, _, _ in out} == {(d.label, d.key) for d in asked}
    assert sorted(back) == sorted(("Field", f.key, "Dataset", f.key.split("#")[0]) for f in fields)
    # an index search per given node: a few hundred steps each, not 1,000 edges x 50 nodes
    assert out_steps < 20 and in_steps < 20
    store.close()


def test_edges_touching_a_set_are_counted_once_by_type(tmp_path: Path) -> None:
    """``edge_type_counts_touching`` (what a caller's counts leave out) agrees with reading
    the edges whole: an edge with both ends in the set counts once, a retired one not at all."""
    store = SQLiteStore(tmp_path / "r.db")
    datasets = [NodeRef("Dataset", f"301001/{n:06d}") for n in range(4)]
    fields = [NodeRef("Field", f"{d.key}#姓名") for d in datasets]
    nodes = [NodeWrite(r.label, r.key, {"name": "户籍信息"}) for r in datasets + fields]
    edges = [EdgeWrite("HAS_FIELD", d, f) for d, f in zip(datasets, fields, strict=True)]
    edges += [EdgeWrite("DERIVED_FROM", fields[0], fields[1]), EdgeWrite("DERIVED_FROM", fields[2], fields[3])]
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    store.apply(ChangeSet(retire_edges=[EdgeWrite("HAS_FIELD", datasets[3], fields[3]).ref]), prov("b2"))
    hidden = {datasets[0], fields[0], fields[1], fields[3]}

    expected: dict[str, int] = {}
    for edge in store.edges(sorted(hidden), direction="both"):
        expected[edge.type] = expected.get(edge.type, 0) + 1
    by_label: dict[str, set[str]] = {}
    for ref in hidden:
        by_label.setdefault(ref.label, set()).add(ref.key)
    assert store.edge_type_counts_touching(by_label) == expected == {"HAS_FIELD": 2, "DERIVED_FROM": 2}
    assert store.edge_type_counts_touching({}) == {}
    assert store.edge_type_counts() == {"DERIVED_FROM": 2, "HAS_FIELD": 3}
    store.close()


def test_edges_around_a_write_say_whether_each_was_live_before_it(tmp_path: Path) -> None:
    """``edges_around`` (what carries a caller's counts across a write) tells, for the edges
    at the nodes asked, whether each was live before the batch and whether it is now: one
    the batch created, retired, revived or only updated, and one it did not touch; an edge
    retired earlier and left alone is not reported."""
    store = SQLiteStore(tmp_path / "r.db")
    dataset = NodeRef("Dataset", "301001/000001")
    name, card, address = (NodeRef("Field", f"{dataset.key}#{n}") for n in ("姓名", "身份证号", "住址"))
    nodes = [NodeWrite(r.label, r.key, {"name": "户籍信息"}) for r in (dataset, name, card, address)]
    has = [EdgeWrite("HAS_FIELD", dataset, f) for f in (name, card, address)]
    store.apply(ChangeSet(nodes=nodes, edges=has), prov("b1"))
    store.apply(ChangeSet(retire_edges=[has[1].ref, has[2].ref]), prov("b2"))
    derived = EdgeWrite("DERIVED_FROM", name, card)
    store.apply(
        ChangeSet(
            edges=[derived, EdgeWrite("HAS_FIELD", dataset, card), EdgeWrite("HAS_FIELD", dataset, name, {"排序": 1})]
        ),
        prov("b3"),
    )
    around = {ref: (before, now) for ref, before, now in store.edges_around([name], "b3")}
    assert around == {has[0].ref: (True, True), derived.ref: (False, True)}
    around = {ref: (before, now) for ref, before, now in store.edges_around([dataset, card], "b3")}
    # the revived HAS_FIELD was retired before b3; 住址's, retired in b2, is left out
    assert around == {has[0].ref: (True, True), has[1].ref: (False, True), derived.ref: (False, True)}
    store.apply(ChangeSet(retire_nodes=[name]), prov("b4"))
    around = {ref: (before, now) for ref, before, now in store.edges_around([name], "b4")}
    assert around == {has[0].ref: (True, False), derived.ref: (True, False)}
    store.close()
