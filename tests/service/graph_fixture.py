"""A small registry with one of each sensitivity case, built through the service."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from registry.schema.codes import make_credit_code
from registry.schema.model import DataElement, Dataset, Department, FieldItem, Need, Project, System, field_key
from registry.schema.records import NodeRef
from registry.service import Caller, Declaration, EdgeDecl, RegistryService
from registry.store.sqlite import SQLiteStore

GA = make_credit_code("11", "330000", "00253001")  # 浙江省公安厅
SJ = make_credit_code("11", "330000", "00253002")  # 浙江省大数据发展管理局

SECRET_SYS = "ZJGA-JM-01"
PUBLIC_SYS = "ZJGA-WW-01"
INTRANET_DS = "301001/000001"
PUBLIC_DS = "301001/000002"
DERIVED_DS = "301002/000001"


def refuse(*_args: object, **_kwargs: object) -> None:
    """Stands in for a store read that a kept answer must make unnecessary."""
    raise AssertionError("the store was read again")


@contextmanager
def two_workers(path: Path) -> Iterator[tuple[RegistryService, RegistryService]]:
    """This registry in one file, opened by two services as two server workers open it,
    so that a write by one must drop what the other kept."""
    first = RegistryService(SQLiteStore(path))
    build(first)
    second = RegistryService(SQLiteStore(path))
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def dept(code: str) -> NodeRef:
    return NodeRef("Department", code)


def build(service: RegistryService) -> None:
    nodes = [
        Department(code=GA, name="浙江省公安厅", level="provincial", region="330000"),
        Department(code=SJ, name="浙江省大数据发展管理局", level="provincial", region="330000"),
        System(code=SECRET_SYS, name="警务情报研判系统", network="intranet", secrecy_level="confidential"),
        System(code=PUBLIC_SYS, name="户政业务办理系统", network="extranet"),
        Dataset(resource_code=INTRANET_DS, name="重点人员信息", share_type="not_shared", share_condition="涉密"),
        Dataset(resource_code=PUBLIC_DS, name="户籍人口基本信息", share_type="unconditional"),
        Dataset(resource_code=DERIVED_DS, name="人口画像指标", share_type="unconditional"),
        FieldItem(dataset=INTRANET_DS, name="人员类别"),
        FieldItem(dataset=PUBLIC_DS, name="姓名"),
        FieldItem(dataset=DERIVED_DS, name="风险等级"),
        FieldItem(dataset=DERIVED_DS, name="年龄段"),
        DataElement(code="DE00001", name="公民身份号码", synonyms=["身份证号"]),
        Need(id="NEED-1", purpose="重点人员核查"),
        Project(code="PRJ-1", name="警务情报平台建设项目"),
    ]
    edges = [
        EdgeDecl("OPERATES", dept(GA), NodeRef("System", SECRET_SYS)),
        EdgeDecl("OPERATES", dept(GA), NodeRef("System", PUBLIC_SYS)),
        EdgeDecl("PROVIDES", dept(GA), NodeRef("Dataset", INTRANET_DS)),
        EdgeDecl("PROVIDES", dept(GA), NodeRef("Dataset", PUBLIC_DS)),
        EdgeDecl("PROVIDES", dept(SJ), NodeRef("Dataset", DERIVED_DS)),
        EdgeDecl("HOLDS", NodeRef("System", SECRET_SYS), NodeRef("Dataset", INTRANET_DS)),
        EdgeDecl("HOLDS", NodeRef("System", PUBLIC_SYS), NodeRef("Dataset", PUBLIC_DS)),
        *(
            EdgeDecl("HAS_FIELD", NodeRef("Dataset", ds), NodeRef("Field", field_key(ds, name)))
            for ds, name in [
                (INTRANET_DS, "人员类别"),
                (PUBLIC_DS, "姓名"),
                (DERIVED_DS, "风险等级"),
                (DERIVED_DS, "年龄段"),
            ]
        ),
        EdgeDecl(
            "DERIVED_FROM",
            NodeRef("Field", field_key(DERIVED_DS, "风险等级")),
            NodeRef("Field", field_key(INTRANET_DS, "人员类别")),
            {"processing_method": "规则评分"},
        ),
        EdgeDecl("NEEDS", dept(SJ), NodeRef("Need", "NEED-1")),
        EdgeDecl("FOR", NodeRef("Need", "NEED-1"), NodeRef("Dataset", INTRANET_DS)),
        EdgeDecl("LED_BY", NodeRef("Project", "PRJ-1"), dept(GA)),
        EdgeDecl("BUILDS", NodeRef("Project", "PRJ-1"), NodeRef("System", SECRET_SYS)),
    ]
    service.load(Declaration(source="fixture", format="api", nodes=nodes, edges=edges), Caller.system())
