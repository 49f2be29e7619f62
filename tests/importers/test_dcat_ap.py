"""DCAT-AP in RDF, read with rdflib: Turtle written to the spec, and the JSON-LD the
registry itself exports."""

from datetime import date
from pathlib import Path
from typing import Any

from registry import importers
from registry.exporters import EXPORTS, Selection
from registry.service import Caller, RegistryService
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]

DATA = Path(__file__).parents[1] / "data"
TURTLE = DATA / "dcat_ap_catalogue.ttl"
MARKET = "11330000002487596U"


def _nodes(declaration: Any, label: str) -> dict[str, Any]:
    return {n.key(): n for n in declaration.nodes if label == n.LABEL}


def test_turtle_catalogue_maps_as_documented() -> None:
    assert importers.detect(TURTLE).name == "dcat-ap"
    declaration = importers.read(TURTLE)
    datasets = _nodes(declaration, "Dataset")
    assert set(datasets) == {"10201/001", "data.zj.gov.cn/dataset/rkjbxx"}
    firms = datasets["10201/001"]
    assert (firms.name, firms.abstract) == ("企业登记信息", "全省市场主体登记信息，每日更新")  # Chinese preferred
    assert (firms.share_type, firms.open_to_public, firms.update_cycle) == ("unconditional", True, "daily")
    assert (firms.published_on, firms.format_category) == (date(2019, 3, 15), "spreadsheet")
    people = datasets["data.zj.gov.cn/dataset/rkjbxx"]
    assert (people.share_type, people.open_condition, people.update_cycle) == (
        "conditional",
        "仅限注册用户申请使用",
        "yearly",
    )
    assert people.published_on == date(2023, 6, 30) and people.share_mode == "interface"
    assert list(_nodes(declaration, "Department")) == [MARKET]
    interfaces = _nodes(declaration, "Interface")
    assert (
        interfaces["https://data.zj.gov.cn/dataset/10201-001/csv"].url
        == "https://data.zj.gov.cn/download/10201-001.csv"
    )
    [error] = declaration.errors
    assert error.row == "dcat:Dataset without IRI #1" and error.column == "dct:identifier"
    assert any(i.column == "dct:publisher/dct:identifier" for i in declaration.issues)  # 大数据局 has no code


def test_the_registry_json_ld_export_reads_back(demo_service: RegistryService, tmp_path: Path) -> None:
    path = tmp_path / "open.jsonld"
    admin = Caller.system()
    EXPORTS["dcat-ap"].write(Selection(demo_service.rows(admin)), path)
    declaration = importers.read(path)
    assert declaration.format == "dcat-ap" and declaration.errors == []
    expected = {d.key for d in demo_service.find(admin, "Dataset", where={"open_to_public": True})}
    assert set(_nodes(declaration, "Dataset")) == expected
    again = demo_service.load(declaration, admin, dry_run=True)
    assert again.totals["created"] == 0  # the same datasets, departments and interfaces


def test_unparsable_rdf_and_remote_contexts_are_one_issue(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset <b", encoding="utf-8")
    [issue] = importers.read(broken).issues
    assert "not valid turtle" in issue.reason
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "https://example.org/ctx.jsonld", "@type": "dcat:Dataset"}', encoding="utf-8")
    [issue] = importers.read(remote, "dcat-ap").issues
    assert issue.column == "@context" and "does not fetch" in issue.reason
