"""DCAT-US data.json: detected by content (not taken for native), mapped as docs/interop.md
says, every messy record reported at its place, re-import a no-op."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from registry import importers
from registry.service import Caller, ImportRejected, RegistryService

DATA = Path(__file__).parents[1] / "data"
CATALOGUE = DATA / "dcat_us_data.json"
MARKET = "11330000002487596U"


def _nodes(declaration: Any, label: str) -> dict[str, Any]:
    return {n.key(): n for n in declaration.nodes if label == n.LABEL}


def test_a_data_json_is_detected_as_dcat_us_not_native() -> None:
    assert importers.detect(CATALOGUE).name == "dcat-us"
    declaration = importers.read(CATALOGUE)
    assert not any("Extra inputs" in i.reason for i in declaration.issues)


def test_datasets_publishers_and_distributions_map_as_documented() -> None:
    declaration = importers.read(CATALOGUE)
    [market] = _nodes(declaration, "Department").values()
    assert (market.code, market.name) == (MARKET, "浙江省市场监督管理局")
    datasets = _nodes(declaration, "Dataset")
    assert set(datasets) == {"10201/001", "data.zj.gov.cn/dataset/30502-003", "30601/002"}
    firms = datasets["10201/001"]
    assert firms.abstract == "全省市场主体登记信息，含企业名称、统一社会信用代码&注册资本。\n每日更新"
    assert (firms.share_type, firms.open_to_public, firms.update_cycle) == ("unconditional", True, "daily")
    assert (firms.published_on, firms.format_category, firms.format_type) == (date(2019, 3, 15), "spreadsheet", "CSV")
    assert (firms.share_mode, firms.source_record) == ("interface", "dcat-us:10201/001")
    food = datasets["data.zj.gov.cn/dataset/30502-003"]
    assert (food.share_type, food.open_to_public, food.update_cycle) == ("conditional", True, "monthly")
    assert food.share_condition == food.open_condition == "仅向注册的食品生产企业开放，需实名认证"
    assert food.source_record == "dcat-us:https://data.zj.gov.cn/dataset/30502_003"
    devices = datasets["30601/002"]
    assert (devices.share_type, devices.open_to_public, devices.published_on) == (
        "conditional",
        False,
        date(2021, 7, 1),
    )
    edges = {(e.type, e.src.key, e.dst.key) for e in declaration.edges}
    assert ("PROVIDES", MARKET, "10201/001") in edges
    assert not any(t == "PROVIDES" and dst == "30601/002" for t, _, dst in edges)  # publisher without a code
    interfaces = _nodes(declaration, "Interface")
    api = interfaces["https://api.zj.gov.cn/scjg/qydj"]
    assert (api.kind, api.network, api.protocol) == ("api", "internet", "API")
    assert interfaces["https://data.zj.gov.cn/download/10201-001.csv"].kind == "file"
    assert declaration.scopes == []


def test_each_messy_record_is_reported_at_its_place() -> None:
    declaration = importers.read(CATALOGUE)
    errors = {(i.row, i.column): i.reason for i in declaration.errors}
    assert set(errors) == {("dataset[3]", "identifier"), ("dataset[4]", "title")}
    assert "dataset[0]" in errors[("dataset[3]", "identifier")]
    warnings = {(i.row, i.column) for i in declaration.issues if i.severity == "warning"}
    assert ("dataset[2]", "publisher.identifier") in warnings  # no 统一社会信用代码
    assert all(i.file == str(CATALOGUE) for i in declaration.issues)


def test_errors_refuse_the_file_unless_skipping_and_reimport_changes_nothing(service: RegistryService) -> None:
    admin = Caller.system()
    with pytest.raises(ImportRejected):
        service.load(importers.read(CATALOGUE), admin)
    first = service.load(importers.read(CATALOGUE, skip_invalid=True), admin, skip_invalid=True)
    assert first.result.total("created") > 0 and first.rejected_rows == 2
    again = service.load(importers.read(CATALOGUE, skip_invalid=True), admin, skip_invalid=True)
    assert (again.result.total("created"), again.result.total("updated")) == (0, 0)


@pytest.mark.parametrize(
    "dataset",
    [
        [],
        "not a list",
        [None, 3, "text"],
        [{"title": 42, "identifier": {"a": 1}, "publisher": "某局", "distribution": {"downloadURL": 5}}],
        [{"title": "标题", "identifier": "a b c", "publisher": {"name": None}, "distribution": ["x", None]}],
        [{"title": "<script>x</script>", "identifier": "x" * 300, "issued": 20230101, "accessLevel": ["public"]}],
        [{"title": "标题", "identifier": "ok-1", "description": "\ud83d lone", "accrualPeriodicity": {"x": 1}}],
    ],
)
def test_malformed_records_are_issues_never_a_traceback(tmp_path: Path, dataset: Any) -> None:
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": dataset}),
        encoding="utf-8",
    )
    declaration = importers.read(path)
    for node in declaration.nodes:
        node.props()  # what the store would be handed
    assert all(i.file == str(path) for i in declaration.issues)


def test_a_file_that_is_not_json_is_one_issue(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('{"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": [', encoding="utf-8")
    [issue] = importers.read(path).issues
    assert "not valid JSON" in issue.reason
