"""Projects, sharing requests and authoritative sources in the native format: validated
where they are written, turned into edges (a delivered request into the sharing relation
naming it), and exported so that importing the export again changes nothing."""

from pathlib import Path

import jsonschema

from registry import importers
from registry.schema.document import json_schema
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

DOC = """version: 1
departments:
- {code: 1110000000001340XG, name: 民政部}
- {code: 11100000000013928X, name: 国家税务总局}
data_elements:
- code: DE06004
  name: 个人所得税应纳税额
  authoritative_sources:
  - {department: 11100000000013928X, dataset: 306100000/003}
datasets:
- resource_code: 306100000/003
  name: 个人所得税纳税记录
  provider: 11100000000013928X
  share_type: 有条件共享
  share_condition: 仅限履职使用
  fields:
  - {name: 应纳税额, element: DE06004}
projects:
- code: 2024-100000-MZ-001
  name: 全国低收入人口动态监测信息平台
  stage: 在建
  approved_on: '2024-03-15'
  approved_budget: 56000000
  led_by: 1110000000001340XG
  adjustments:
  - {adjusted_on: '2025-04-01', budget_change: 9000000, description: 增加省级节点}
  reports:
  - {kind: 半年报告, year: 2024, submitted_on: '2024-07-29'}
requests:
- id: MCA-SQ-2026-0206
  purpose: 低保家庭经济状况核对
  legal_basis: 《社会救助暂行办法》
  submitted_on: '2026-02-06'
  replied_on: '2026-02-28'
  outcome: 有条件同意
  conditions: 仅限低保审核使用
  delivered_on: '2026-03-05'
  requester: 1110000000001340XG
  provider: 11100000000013928X
  for_dataset: 306100000/003
"""


def test_policy_entries_load_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(DOC, encoding="utf-8")
    store = SQLiteStore(tmp_path / "registry.db")
    service = RegistryService(store)
    try:
        declaration = importers.read(path)
        assert declaration.errors == []
        service.load(declaration, Caller.system())
        shared = store.edges([NodeRef("Dataset", "306100000/003")], types=["SHARED_WITH"])
        assert [(e.dst.key, e.props) for e in shared] == [
            ("1110000000001340XG", {"request": "MCA-SQ-2026-0206", "since": "2026-03-05"})
        ]
        project = store.get_nodes("Project", ["2024-100000-MZ-001"])["2024-100000-MZ-001"].props
        assert project["reports"] == [{"kind": "half_year", "year": 2024, "submitted_on": "2024-07-29"}]
        assert project["stage"] == "building"
        document = importers.export_document(store)
        jsonschema.validate(document, json_schema())
        (request,) = document["requests"]
        assert request["requester"] == "1110000000001340XG" and request["outcome"] == "agreed_with_conditions"
        sources = document["data_elements"][0]["authoritative_sources"]
        assert sorted(sources, key=str) == [{"dataset": "306100000/003"}, {"department": "11100000000013928X"}]
        again = service.load(
            importers.read(importers.write_document(document, tmp_path / "export.json")), Caller.system()
        )
        assert (again.result.total("created"), again.result.total("updated")) == (0, 0)
    finally:
        store.close()


def test_bad_policy_entries_are_reported_where_they_are_written(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    text = DOC.replace("replied_on: '2026-02-28'", "replied_on: '2026-02-01'").replace("kind: 半年报告", "kind: 季报")
    path.write_text(text, encoding="utf-8")
    issues = {(i.row, i.column): i.reason for i in importers.read(path).errors}
    assert "before the request was submitted" in issues[("requests[0]", None)]
    assert ("projects[0].reports[0]", "kind") in issues
