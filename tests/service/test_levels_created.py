"""A write's levels update starts from the nodes it created only where they may need a
level (``levels.seeding``) and from every touched node stored before it: a created node
that needs a level gets it, whether by its own properties or from a stored node it is
linked to, the stored table stays equal to a full computation after every write, and a
write of public entries only walks no closure over what it created."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from registry.schema.model import Dataset, FieldItem, System, field_key
from registry.schema.records import Key, NodeRef
from registry.service import Caller, Declaration, EdgeDecl, RegistryService, visibility_cache
from registry.service.levels import Update, seeding, update_stored
from registry.service.visibility import required_levels
from registry.store.sqlite import SQLiteStore
from tests.service.graph_fixture import GA, INTRANET_DS, SECRET_SYS, build

ADMIN = Caller.system()
NEW_DS = "301009/000001"


def _table(store: SQLiteStore) -> dict[NodeRef, int]:
    """The stored levels, after checking they are stamped current and equal a full computation."""
    assert store.levels_stamp() == store.version()
    found = store.levels_above(0)
    assert found is not None
    table = {NodeRef(label, key): level for label, keys in found[1].items() for key, level in keys.items()}
    assert table == {ref: level for ref, level in required_levels(store.projection()).items() if level > 0}
    return table


@pytest.fixture
def service(tmp_path: Path) -> Any:
    service = RegistryService(SQLiteStore(tmp_path / "r.db"))
    build(service)
    yield service
    service.close()


def _store(service: RegistryService) -> SQLiteStore:
    assert isinstance(service.store, SQLiteStore)
    return service.store


def _load(service: RegistryService, nodes: list[Any], edges: list[EdgeDecl]) -> None:
    service.load(Declaration(source="new.yaml", format="api", nodes=nodes, edges=edges), ADMIN)


def _new_dataset(*names: str) -> tuple[list[Any], list[EdgeDecl]]:
    """A public dataset of department GA with public fields ``names``."""
    nodes: list[Any] = [Dataset(resource_code=NEW_DS, name="新增数据集", share_type="unconditional")]
    nodes += [FieldItem(dataset=NEW_DS, name=name) for name in names]
    edges = [EdgeDecl("PROVIDES", NodeRef("Department", GA), NodeRef("Dataset", NEW_DS))]
    edges += [
        EdgeDecl("HAS_FIELD", NodeRef("Dataset", NEW_DS), NodeRef("Field", field_key(NEW_DS, name))) for name in names
    ]
    return nodes, edges


def test_a_created_classified_system_gives_its_created_datasets_and_fields_levels(service: RegistryService) -> None:
    nodes, edges = _new_dataset("姓名", "住址")
    nodes.append(System(code="ZJGA-JM-09", name="新建涉密系统", secrecy_level="secret"))
    edges.append(EdgeDecl("HOLDS", NodeRef("System", "ZJGA-JM-09"), NodeRef("Dataset", NEW_DS)))
    _load(service, nodes, edges)
    table = _table(_store(service))
    for ref in (
        NodeRef("System", "ZJGA-JM-09"),
        NodeRef("Dataset", NEW_DS),
        NodeRef("Field", field_key(NEW_DS, "姓名")),
        NodeRef("Field", field_key(NEW_DS, "住址")),
    ):
        assert table.get(ref, 0) > 0, ref


def test_a_created_public_dataset_held_by_a_stored_classified_system_gets_its_level(
    service: RegistryService,
) -> None:
    nodes, edges = _new_dataset("姓名")
    edges.append(EdgeDecl("HOLDS", NodeRef("System", SECRET_SYS), NodeRef("Dataset", NEW_DS)))
    _load(service, nodes, edges)
    table = _table(_store(service))
    assert table[NodeRef("Dataset", NEW_DS)] == table[NodeRef("System", SECRET_SYS)] > 0
    assert table[NodeRef("Field", field_key(NEW_DS, "姓名"))] > 0


def test_a_created_field_derived_from_a_stored_classified_field_gets_its_level(service: RegistryService) -> None:
    source = NodeRef("Field", field_key(INTRANET_DS, "人员类别"))
    nodes, edges = _new_dataset("风险标签", "姓名")
    edges.append(EdgeDecl("DERIVED_FROM", NodeRef("Field", field_key(NEW_DS, "风险标签")), source))
    _load(service, nodes, edges)
    table = _table(_store(service))
    assert table[NodeRef("Field", field_key(NEW_DS, "风险标签"))] == table[source] > 0
    # the dataset takes its field's level, and its other field the dataset's
    assert table[NodeRef("Dataset", NEW_DS)] == table[NodeRef("Field", field_key(NEW_DS, "姓名"))] == table[source]


def test_created_public_entries_only_leave_the_table_as_it_was_and_walk_no_closure_over_them(
    service: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(service)
    before = _table(store)
    updates: list[Update] = []

    def spied(read: Any, graph: Any, starts: Iterable[Key]) -> Update:
        update = update_stored(read, graph, starts)
        updates.append(update)
        return update

    monkeypatch.setattr(visibility_cache, "update_stored", spied)
    nodes, edges = _new_dataset("姓名", "住址", "联系电话")
    _load(service, nodes, edges)
    after = _table(store)
    batches = {ref for ref in after if ref.label == "ImportBatch"}
    assert len(batches - before.keys()) == 1
    assert {ref: level for ref, level in after.items() if ref not in batches} == {
        ref: level for ref, level in before.items() if ref not in batches
    }
    [update] = updates
    created = {("Dataset", NEW_DS), *(("Field", field_key(NEW_DS, n)) for n in ("姓名", "住址", "联系电话"))}
    assert not created & update.closure
    assert ("Department", GA) in update.closure  # a stored end of a written edge


def test_seeding_is_what_a_node_may_need_by_itself() -> None:
    assert seeding("System", {"secrecy_level": "secret"})
    assert seeding("System", {"network": "intranet"})
    assert seeding("ImportBatch", {})
    assert seeding("Review", {})
    assert not seeding("Dataset", {"secrecy_level": "none", "declassified": True})
    assert not seeding("Field", {"name": "姓名"})
    assert not seeding("Need", {})
