"""Department-scoped listing (the department filter of dashboard lists) and the rule that
nobody writes to an entry hidden from them."""

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, InvalidInput, PermissionDenied, RegistryService, Role
from tests.service.graph_fixture import GA, PUBLIC_DS, PUBLIC_SYS, SECRET_SYS, SJ, build

PUBLIC = Caller.public()
CLEARED = Caller("审核员", Role.REVIEWER, Clearance.CONFIDENTIAL)


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build(service)
    return service


def test_linked_lists_follow_clearance(loaded: RegistryService) -> None:
    ga = NodeRef("Department", GA)
    assert [r.key for r in loaded.find_linked(CLEARED, "System", ga, "OPERATES")] == [SECRET_SYS, PUBLIC_SYS]
    assert [r.key for r in loaded.find_linked(PUBLIC, "System", ga, "OPERATES")] == [PUBLIC_SYS]
    assert loaded.count_linked(PUBLIC, "System", ga, "OPERATES") == 1
    assert loaded.count_linked(PUBLIC, "Dataset", ga, "PROVIDES") == 1


def test_linked_lists_filter_page_and_search(loaded: RegistryService) -> None:
    ga = NodeRef("Department", GA)
    assert [r.key for r in loaded.find_linked(CLEARED, "System", ga, "OPERATES", where={"network": "intranet"})] == [
        SECRET_SYS
    ]
    assert [r.key for r in loaded.find_linked(CLEARED, "System", ga, "OPERATES", after=SECRET_SYS)] == [PUBLIC_SYS]
    assert [r.key for r in loaded.find_linked(CLEARED, "System", ga, "OPERATES", limit=1)] == [SECRET_SYS]
    assert [r.key for r in loaded.find_linked(PUBLIC, "Dataset", ga, "PROVIDES", text="户籍")] == [PUBLIC_DS]
    assert loaded.find_linked(PUBLIC, "Dataset", NodeRef("Department", SJ), "PROVIDES") == []


def test_linked_rejects_a_relation_that_does_not_join_the_kinds(loaded: RegistryService) -> None:
    with pytest.raises(InvalidInput, match="does not link"):
        loaded.find_linked(PUBLIC, "Dataset", NodeRef("Department", GA), "OPERATES")


def test_an_uncleared_editor_cannot_overwrite_a_hidden_entry(loaded: RegistryService) -> None:
    editor = Caller("公安厅录入员", Role.EDITOR, Clearance.PUBLIC, department=GA)
    before = loaded.get(Caller.system(), "System", SECRET_SYS)
    with pytest.raises(PermissionDenied, match="clearance"):
        loaded.upsert(editor, [System(code=SECRET_SYS, name="改名", network="extranet")])
    assert loaded.get(Caller.system(), "System", SECRET_SYS).props == before.props


def test_an_edge_to_a_hidden_entry_fails_like_an_edge_to_nothing(loaded: RegistryService) -> None:
    from registry.service import EdgeDecl, NotFound

    editor = Caller("大数据局录入员", Role.EDITOR, Clearance.PUBLIC, department=SJ)
    sj = NodeRef("Department", SJ)
    with pytest.raises(NotFound) as hidden:
        loaded.upsert(editor, [], [EdgeDecl("NEEDS", sj, NodeRef("Need", "NEED-1"))])
    with pytest.raises(NotFound) as missing:
        loaded.upsert(editor, [], [EdgeDecl("NEEDS", sj, NodeRef("Need", "NEED-404"))])
    assert str(hidden.value).replace("NEED-1", "X") == str(missing.value).replace("NEED-404", "X")


def test_stats_are_cached_per_clearance_until_the_store_changes(loaded: RegistryService) -> None:
    before = loaded.stats(PUBLIC)
    assert loaded.stats(PUBLIC) == before and loaded.stats(CLEARED) != before
    loaded.upsert(Caller.system(), [System(code="ZJSJ-XT-09", name="公共数据平台", network="extranet")])
    after = loaded.stats(PUBLIC)
    assert after["nodes"]["System"] == before["nodes"]["System"] + 1
