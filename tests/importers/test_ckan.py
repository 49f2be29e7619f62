"""CKAN: package_search / package_show responses and ckanapi dump lines."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from registry import importers
from registry.service import Caller, RegistryService

DATA = Path(__file__).parents[1] / "data"
SEARCH = DATA / "ckan_package_search.json"
DUMP = DATA / "ckan_dump.jsonl"
HEALTH = "11330000002482269W"
BEDS = "5f1c3a8e-2b7d-4c1e-9a55-0d6e3f1b2a01"


def _nodes(declaration: Any, label: str) -> dict[str, Any]:
    return {n.key(): n for n in declaration.nodes if label == n.LABEL}


def test_package_search_maps_organisations_packages_resources_and_datastore_fields() -> None:
    assert importers.detect(SEARCH).name == "ckan"
    declaration = importers.read(SEARCH)
    assert declaration.errors == []
    [health] = _nodes(declaration, "Department").values()
    assert (health.code, health.name) == (HEALTH, "浙江省卫生健康委员会")
    datasets = _nodes(declaration, "Dataset")
    beds = datasets[BEDS]
    assert (beds.name, beds.abstract) == ("医疗机构床位信息", "全省医疗机构实有床位数，按机构统计。")
    assert (beds.share_type, beds.open_to_public, beds.update_cycle) == ("unconditional", True, "monthly")
    assert beds.published_on == date(2020, 6, 1)
    assert beds.source_record == "ckan:https://data.zj.gov.cn/dataset/hospital-beds"
    clinics = datasets["5f1c3a8e-2b7d-4c1e-9a55-0d6e3f1b2a02"]
    assert (clinics.share_type, clinics.open_to_public) == ("conditional", False)  # private package
    fields = {n.name: n.data_type for n in _nodes(declaration, "Field").values()}
    assert fields == {"机构名称": "C", "实有床位数": "I", "统计日期": "D"}  # DataStore's _id left out
    kinds = {k: n.kind for k, n in _nodes(declaration, "Interface").items()}
    assert kinds == {"9c1d0e2f-1111-4aaa-8bbb-000000000001": "file", "9c1d0e2f-1111-4aaa-8bbb-000000000002": "api"}
    edges = {(e.type, e.src.key, e.dst.key) for e in declaration.edges}
    assert ("PROVIDES", HEALTH, BEDS) in edges and ("HAS_FIELD", BEDS, f"{BEDS}#机构名称") in edges
    [skipped] = declaration.issues
    assert skipped.row == "result.results[2]" and skipped.severity == "warning"


def test_package_show_is_one_package(tmp_path: Path) -> None:
    search = json.loads(SEARCH.read_text(encoding="utf-8"))
    path = tmp_path / "package_show.json"
    show = {"help": "https://data.zj.gov.cn/api/3/action/help_show?name=package_show", "success": True}
    path.write_text(json.dumps({**show, "result": search["result"]["results"][0]}), encoding="utf-8")
    declaration = importers.read(path)
    assert list(_nodes(declaration, "Dataset")) == [BEDS]


def test_a_failed_api_call_is_one_issue(tmp_path: Path) -> None:
    path = tmp_path / "failed.json"
    failed = {"help": "https://x.gov.cn/api/3/action/help_show?name=package_show", "success": False}
    path.write_text(json.dumps({**failed, "error": {"message": "Not found"}, "result": None}), encoding="utf-8")
    [issue] = importers.read(path).issues
    assert "Not found" in issue.reason and issue.severity == "error"


def test_dump_lines_report_by_line_and_keep_going() -> None:
    assert importers.detect(DUMP).name == "ckan"
    declaration = importers.read(DUMP)
    assert [(i.row, i.severity) for i in declaration.errors] == [("line 3", "error")]
    warnings = {(i.row, i.column) for i in declaration.issues if i.severity == "warning"}
    assert ("line 1", "organization.extras.credit_code") in warnings  # publisher without a code, said once
    assert ("line 1", "datastore_fields") in warnings  # geometry has no guide data type
    assert ("line 2", "metadata_created") in warnings
    datasets = _nodes(declaration, "Dataset")
    stops = datasets["7e2a0c11-3f4b-4d5e-8a9b-000000000101"]
    assert (stops.abstract, stops.published_on) == ("杭州市公交站点位置 & 线路", date(2022, 1, 20))
    assert "Department" not in {n.LABEL for n in declaration.nodes}


def test_reimport_changes_nothing(service: RegistryService) -> None:
    admin = Caller.system()
    first = service.load(importers.read(SEARCH), admin)
    assert first.result.total("created") == 1 + 2 + 2 + 3 + 7  # nodes and edges
    again = service.load(importers.read(SEARCH), admin)
    assert (again.result.total("created"), again.result.total("updated")) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"help": "/api/3/action/x", "success": True, "result": "text"},
        {"help": "/api/3/action/x", "success": True, "result": {"results": [None, {"resources": "x"}]}},
        {"help": "/api/3/action/x", "success": True, "result": [{"id": 5, "organization": ["x"], "extras": "y"}]},
        {"help": "/api/3/action/x", "result": {"id": "a", "title": "t", "resources": [{"datastore_fields": {}}]}},
    ],
)
def test_malformed_responses_are_issues_never_a_traceback(tmp_path: Path, body: Any) -> None:
    path = tmp_path / "ckan.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    declaration = importers.read(path)
    assert importers.detect(path).name == "ckan"
    for node in declaration.nodes:
        node.props()
