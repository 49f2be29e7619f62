"""A small Chinese registry served through the ASGI app, and one token per kind of caller.

The registry has one of each sensitivity case the leak test needs: a classified system
on the intranet (警务情报研判系统), an intranet-only dataset (重点人员信息, held only by
that system), a dataset with a field derived from it (人口画像指标.风险等级, so the whole
dataset is classified by lineage), and public entries around them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from registry.schema.codes import make_credit_code
from registry.schema.model import (
    DataElement,
    Dataset,
    Department,
    FieldItem,
    Interface,
    Need,
    Project,
    System,
    field_key,
)
from registry.schema.records import NodeRef
from registry.service import Caller, Declaration, EdgeDecl, RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore

GA = make_credit_code("11", "330000", "00253001")  # 浙江省公安厅
SJ = make_credit_code("11", "330000", "00253002")  # 浙江省大数据发展管理局
MZ = make_credit_code("11", "330000", "00253003")  # 浙江省民政厅

SECRET_SYS = "ZJGA-QB-01"  # 警务情报研判系统, 机密, intranet
HUZHENG_SYS = "ZJGA-HZ-01"  # 户政业务办理系统, extranet
MZ_SYS = "ZJMZ-JZ-01"  # 社会救助信息系统, extranet
INTRANET_DS = "301001/000001"  # 重点人员信息, held only by the classified system
HUJI_DS = "301001/000002"  # 户籍人口基本信息
DERIVED_DS = "301002/000001"  # 人口画像指标, a field derived from 重点人员信息
JIUZHU_DS = "302001/000001"  # 低保救助对象信息

CLASSIFIED_TEXT = [
    SECRET_SYS,
    "警务情报研判系统",
    "情报研判",
    INTRANET_DS,
    "重点人员信息",
    "人员类别",
    DERIVED_DS,
    "人口画像指标",
    "风险等级",
    "NEED-QB-1",
    "重点人员核查",
    "PRJ-QB",
    "警务情报平台建设项目",
    "IF-QB-01",
]
"""Every name and key that must never reach a caller without intranet clearance."""


def _fields(dataset: str, *names: str) -> list[FieldItem]:
    return [FieldItem(dataset=dataset, name=n, data_type="C") for n in names]


def _has_fields(dataset: str, *names: str) -> list[EdgeDecl]:
    return [EdgeDecl("HAS_FIELD", NodeRef("Dataset", dataset), NodeRef("Field", field_key(dataset, n))) for n in names]


def build_registry(service: RegistryService) -> None:
    d = lambda code: NodeRef("Department", code)  # noqa: E731
    s = lambda code: NodeRef("System", code)  # noqa: E731
    ds = lambda code: NodeRef("Dataset", code)  # noqa: E731
    nodes = [
        Department(code=GA, name="浙江省公安厅", level="provincial", region="330000"),
        Department(code=SJ, name="浙江省大数据发展管理局", level="provincial", region="330000"),
        Department(code=MZ, name="浙江省民政厅", level="provincial", region="330000"),
        System(
            code=SECRET_SYS,
            name="警务情报研判系统",
            description="情报研判与重点人员管控",
            functions=["情报研判"],
            network="intranet",
            secrecy_level="confidential",
            status="operating",
        ),
        System(
            code=HUZHENG_SYS,
            name="户政业务办理系统",
            description="户籍登记与迁移业务办理",
            functions=["户籍登记", "户口迁移"],
            network="extranet",
            mlps_level=3,
            status="operating",
            public_service=True,
        ),
        System(
            code=MZ_SYS,
            name="社会救助信息系统",
            description="低保、特困人员救助审核",
            functions=["救助审核"],
            network="extranet",
            status="operating",
        ),
        Dataset(resource_code=INTRANET_DS, name="重点人员信息", share_type="not_shared", share_condition="涉密"),
        Dataset(
            resource_code=HUJI_DS,
            name="户籍人口基本信息",
            share_type="conditional",
            share_condition="仅限政务办理使用",
            share_mode="interface",
            update_cycle="daily",
            published_on="2023-05-01",
        ),
        Dataset(resource_code=DERIVED_DS, name="人口画像指标", share_type="unconditional"),
        Dataset(resource_code=JIUZHU_DS, name="低保救助对象信息", share_type="unconditional", share_mode="file"),
        *_fields(INTRANET_DS, "人员类别", "公民身份号码"),
        *_fields(HUJI_DS, "姓名", "公民身份号码", "户籍地址"),
        *_fields(DERIVED_DS, "风险等级", "年龄段"),
        *_fields(JIUZHU_DS, "姓名", "身份证号", "救助类别"),
        DataElement(code="DE00001", name="公民身份号码", synonyms=["身份证号", "身份证号码"]),
        Interface(code="IF-HJ-01", kind="api", protocol="https", network="extranet"),
        Interface(code="IF-QB-01", kind="api", protocol="https", network="intranet"),
        Need(id="NEED-MZ-1", purpose="低保对象户籍核验", legal_basis="社会救助暂行办法"),
        Need(id="NEED-QB-1", purpose="重点人员核查"),
        Project(code="PRJ-HZ", name="户政业务系统升级项目", stage="building", approved_budget=380.0),
        Project(code="PRJ-QB", name="警务情报平台建设项目", stage="trial"),
    ]
    edges = [
        EdgeDecl("OPERATES", d(GA), s(SECRET_SYS)),
        EdgeDecl("OPERATES", d(GA), s(HUZHENG_SYS)),
        EdgeDecl("OPERATES", d(MZ), s(MZ_SYS)),
        EdgeDecl("PROVIDES", d(GA), ds(INTRANET_DS)),
        EdgeDecl("PROVIDES", d(GA), ds(HUJI_DS)),
        EdgeDecl("PROVIDES", d(SJ), ds(DERIVED_DS)),
        EdgeDecl("PROVIDES", d(MZ), ds(JIUZHU_DS)),
        EdgeDecl("HOLDS", s(SECRET_SYS), ds(INTRANET_DS)),
        EdgeDecl("HOLDS", s(HUZHENG_SYS), ds(HUJI_DS)),
        EdgeDecl("HOLDS", s(MZ_SYS), ds(JIUZHU_DS)),
        *_has_fields(INTRANET_DS, "人员类别", "公民身份号码"),
        *_has_fields(HUJI_DS, "姓名", "公民身份号码", "户籍地址"),
        *_has_fields(DERIVED_DS, "风险等级", "年龄段"),
        *_has_fields(JIUZHU_DS, "姓名", "身份证号", "救助类别"),
        EdgeDecl("MEANS", NodeRef("Field", field_key(HUJI_DS, "公民身份号码")), NodeRef("DataElement", "DE00001")),
        EdgeDecl("MEANS", NodeRef("Field", field_key(JIUZHU_DS, "身份证号")), NodeRef("DataElement", "DE00001")),
        EdgeDecl("MEANS", NodeRef("Field", field_key(INTRANET_DS, "公民身份号码")), NodeRef("DataElement", "DE00001")),
        EdgeDecl(
            "DERIVED_FROM",
            NodeRef("Field", field_key(DERIVED_DS, "风险等级")),
            NodeRef("Field", field_key(INTRANET_DS, "人员类别")),
            {"processing_method": "规则评分"},
        ),
        EdgeDecl(
            "DERIVED_FROM",
            NodeRef("Field", field_key(JIUZHU_DS, "身份证号")),
            NodeRef("Field", field_key(HUJI_DS, "公民身份号码")),
            {"processing_method": "接口核验"},
        ),
        EdgeDecl("EXPOSED_VIA", ds(HUJI_DS), NodeRef("Interface", "IF-HJ-01")),
        EdgeDecl("EXPOSED_VIA", ds(INTRANET_DS), NodeRef("Interface", "IF-QB-01")),
        EdgeDecl("SHARED_WITH", ds(HUJI_DS), d(MZ), {"agreement": "浙公民共享〔2023〕3号", "since": "2023-06-01"}),
        EdgeDecl("NEEDS", d(MZ), NodeRef("Need", "NEED-MZ-1")),
        EdgeDecl("FOR", NodeRef("Need", "NEED-MZ-1"), ds(HUJI_DS)),
        EdgeDecl("NEEDS", d(SJ), NodeRef("Need", "NEED-QB-1")),
        EdgeDecl("FOR", NodeRef("Need", "NEED-QB-1"), ds(INTRANET_DS)),
        EdgeDecl("LED_BY", NodeRef("Project", "PRJ-HZ"), d(GA)),
        EdgeDecl("CO_BUILT_BY", NodeRef("Project", "PRJ-HZ"), d(SJ)),
        EdgeDecl("BUILDS", NodeRef("Project", "PRJ-HZ"), s(HUZHENG_SYS)),
        EdgeDecl("LED_BY", NodeRef("Project", "PRJ-QB"), d(GA)),
        EdgeDecl("BUILDS", NodeRef("Project", "PRJ-QB"), s(SECRET_SYS)),
    ]
    service.load(Declaration(source="测试目录.json", format="api", nodes=nodes, edges=edges), Caller.system("fixture"))


class Client:
    """httpx2 against the ASGI app, driven from synchronous tests through an anyio portal."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        self.portal = portal
        self.client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://registry.test")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        return self.portal.call(lambda: self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("POST", url, **kwargs)


@contextmanager
def serve(app: Any) -> Iterator[Client]:
    with start_blocking_portal() as portal:
        client = Client(app, portal)
        try:
            yield client
        finally:
            portal.call(client.client.aclose)


@dataclass
class Api:
    """The app under test and a token per kind of caller."""

    client: Client
    service: RegistryService
    tokens: dict[str, str]

    def post(self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[as_]}"} if as_ else {}
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None) -> dict[str, Any]:
        body = self.post(query, variables, as_=as_)
        assert not body.get("errors"), body["errors"]
        return body["data"]


def make_tokens(store: TokenStore) -> dict[str, str]:
    specs = {
        "admin": {"role": "admin", "clearance": "top_secret", "name": "管理员"},
        "reviewer": {"role": "reviewer", "clearance": "confidential", "name": "内网审核员"},
        "public_reviewer": {"role": "reviewer", "clearance": "public", "name": "外网审核员"},
        "public": {"role": "public", "name": "公众"},
        "editor_ga": {"role": "editor", "department": GA, "clearance": "public", "name": "公安厅录入员"},
        "editor_mz": {"role": "editor", "department": MZ, "clearance": "public", "name": "民政厅录入员"},
    }
    return {who: store.create(**spec)[0] for who, spec in specs.items()}


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build_registry(service)
    return service


@pytest.fixture
def api(loaded: RegistryService, tmp_path: Path) -> Iterator[Api]:
    tokens = TokenStore(tmp_path / "tokens.json")
    issued = make_tokens(tokens)
    app = create_app(loaded, tokens, WebSettings(public_view=True))
    with serve(app) as client:
        yield Api(client, loaded, issued)


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The bundled demo registry, loaded through the importers as ``registry demo`` does."""
    from registry import demo
    from registry.importers import read
    from registry.store.sqlite import SQLiteStore

    folder = tmp_path_factory.mktemp("demo")
    store = SQLiteStore(folder / "demo.db")
    service = RegistryService(store)
    for path in demo.files():
        service.load(read(path), Caller.system("demo"))
    tokens = TokenStore(folder / "tokens.json")
    issued = make_tokens(tokens)
    with serve(create_app(service, tokens, WebSettings(public_view=False))) as client:
        yield Api(client, service, issued)
    store.close()
