"""``SQLiteStore.iter_linked_groups`` (how duplicate detection reads every dataset's fields)
joins and groups in SQL; it must give what the plain records give, in the same order,
whatever the names hold."""

from pathlib import Path

from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite
from registry.schema.rows import linked_groups
from registry.store.sqlite import SQLiteStore
from tests.store.test_contract import prov


class _Records:
    """The store without its raw streams: ``linked_groups`` falls back to the records."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name.startswith("iter_") and name not in ("iter_nodes", "iter_edges"):
            raise AttributeError(name)
        return getattr(self._store, name)


def test_groups_are_the_records_fields_in_edge_order(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    fields = {
        "330000/000002": ["姓名", "公民身份号码", "户籍地址"],
        "330000/000001": ["联系电话", "出生日期\x1f备注", "姓名"],  # the separator inside a name
        "330000/000003": ["婚姻状况"],
    }
    nodes, edges = [], []
    for dataset, names in fields.items():
        ref = NodeRef("Dataset", dataset)
        nodes.append(NodeWrite("Dataset", dataset, {"resource_code": dataset, "name": "人口基础信息"}))
        for name in names:
            field = NodeRef("Field", f"{dataset}#{name}")
            nodes.append(NodeWrite("Field", field.key, {"name": name, "dataset": dataset}))
            edges.append(EdgeWrite("HAS_FIELD", ref, field))
    store.apply(ChangeSet(nodes=nodes, edges=edges), prov("b1"))
    store.apply(ChangeSet(retire_nodes=[NodeRef("Field", "330000/000003#婚姻状况")]), prov("b2"))

    raw = list(store.iter_linked_groups("HAS_FIELD", "Field"))
    assert raw == list(linked_groups(_Records(store), "HAS_FIELD", "Field"))  # type: ignore[arg-type]
    # by dataset key, each dataset's fields by key (here: by name), the retired one left out
    assert [(source, names) for _, source, _, names in raw] == [
        ("330000/000001", sorted(fields["330000/000001"])),
        ("330000/000002", sorted(fields["330000/000002"])),
    ]
    store.close()
