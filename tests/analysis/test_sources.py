"""Authoritative sources per data element, SRC-1..SRC-3."""

from registry.analysis.sources import source_findings
from registry.schema.model import DataElement, Dataset, Department, FieldItem, NodeModel
from tests.analysis.policy_graph import Edge, graph_of

MPS = Department(code="11100000000013127D", name="公安部")
MCA = Department(code="1110000000001340XG", name="民政部")
ZJ = Department(code="11330000002561741A", name="浙江省大数据发展管理局")
BIRTH = DataElement(code="DE01004", name="出生日期")
POPULATION = Dataset(resource_code="101100000/001", name="全国人口基础信息")
RELIEF = Dataset(resource_code="202100000/003", name="最低生活保障对象信息")
ZJ_PEOPLE = Dataset(resource_code="107330000/001", name="浙江省人口综合库")


def _holding(department: Department, dataset: Dataset, element: DataElement) -> tuple[list[NodeModel], list[Edge]]:
    item = FieldItem(dataset=dataset.resource_code, name=element.name)
    return [dataset, item], [("PROVIDES", department, dataset), ("HAS_FIELD", dataset, item), ("MEANS", item, element)]


def _graph(*extra: Edge, element: DataElement = BIRTH, authority: bool = True) -> list:
    nodes: list[NodeModel] = [MPS, MCA, ZJ, element]
    edges: list[Edge] = [("AUTHORITATIVE_SOURCE", element, POPULATION)] if authority else []
    for department, dataset in ((MPS, POPULATION), (MCA, RELIEF), (ZJ, ZJ_PEOPLE)):
        n, e = _holding(department, dataset, element)
        nodes += n
        edges += e
    return source_findings(graph_of(nodes, [*edges, *extra]))


def test_re_collection_without_sharing_or_lineage() -> None:
    found = _graph()
    assert [(f.rule, f.subject, f.department_name) for f in found] == [
        ("SRC-1", "DE01004 202100000/003", "民政部"),
        ("SRC-1", "DE01004 107330000/001", "浙江省大数据发展管理局"),
    ]
    assert found[0].evidence["authority"]["name"] == "公安部"


def test_sharing_or_lineage_from_the_source_is_not_re_collection() -> None:
    mca_field = FieldItem(dataset=RELIEF.resource_code, name="出生日期")
    source_field = FieldItem(dataset=POPULATION.resource_code, name="出生日期")
    found = _graph(("SHARED_WITH", POPULATION, ZJ), ("DERIVED_FROM", mca_field, source_field))
    assert found == []


def test_two_authorities() -> None:
    found = _graph(("AUTHORITATIVE_SOURCE", BIRTH, MCA))
    assert [(f.rule, f.subject) for f in found] == [("SRC-2", "DE01004")]
    assert {a["name"] for a in found[0].evidence["authorities"]} == {"公安部", "民政部"}


def test_widely_held_without_authority() -> None:
    found = _graph(authority=False)
    assert [(f.rule, f.subject) for f in found] == [("SRC-3", "DE01004")]
    assert len(found[0].evidence["holders"]) == 3


def test_universal_elements_are_left_out() -> None:
    identity = DataElement(code="DE01001", name="公民身份号码", universal=True)
    assert _graph(element=identity, authority=False) == []
    assert _graph(element=identity) == []
