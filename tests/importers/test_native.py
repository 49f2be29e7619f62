"""The native JSON/YAML format: the whole graph, its errors by path, its references."""

import json
from pathlib import Path
from typing import Any

import yaml

from registry import importers
from registry.schema.document import SCHEMA_PATH, schema_text
from registry.service import Caller, RegistryService

MARKET = "11330000002487596U"
POLICE = "11330000002487676F"


def _document(fixtures: Path) -> dict[str, Any]:
    return yaml.safe_load((fixtures / "zj_registry.yaml").read_text(encoding="utf-8"))


def test_yaml_document_declares_the_whole_graph(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "zj_registry.yaml")
    assert declaration.issues == []
    labels = sorted(n.LABEL for n in declaration.nodes)
    assert labels.count("Field") == 4 and labels.count("System") == 2 and "Need" in labels
    nodes = {(n.LABEL, n.key()): n for n in declaration.nodes}
    system = nodes[("System", "ZJGA-RKXT")]
    assert (system.network, system.status, system.mlps_level) == ("extranet", "operating", 3)  # 外网, 运行
    assert nodes[("Department", POLICE)].level == "provincial"  # 省级
    assert nodes[("Dataset", "10102/001")].share_type == "conditional"
    edges = {(e.type, e.src.key, e.dst.key): e.props for e in declaration.edges}
    assert edges[("SHARED_WITH", "10102/001", MARKET)] == {"agreement": "浙公数共〔2023〕12号", "since": "2023-02-01"}
    assert edges[("DERIVED_FROM", "10201/001#法定代表人身份号码", "10102/001#公民身份号码")] == {
        "processing_method": "登记时比对核验"
    }
    for edge in ("OPERATES", "HOLDS", "PROVIDES", "EXPOSED_VIA", "MEANS", "LED_BY", "CO_BUILT_BY", "BUILDS"):
        assert any(t == edge for t, _, _ in edges)
    assert ("NEEDS", MARKET, "NEED-ZJ-001") in edges and ("FOR", "NEED-ZJ-001", "DE00001") in edges
    assert {(s.department, s.label) for s in declaration.scopes} == {(MARKET, "Dataset"), (MARKET, "System")}


def test_nodes_are_what_validating_their_written_properties_gives(fixtures: Path) -> None:
    """Nodes are built from the document's checked values without a second validation:
    they must be exactly the validated nodes, with only the written properties set, so
    that a partial declaration still never resets what it omits."""
    declaration = importers.read(fixtures / "zj_registry.yaml")
    assert len(declaration.nodes) == 15
    for node in declaration.nodes:
        written = {name: getattr(node, name) for name in node.model_fields_set}
        validated = type(node).model_validate(written)
        assert node == validated and node.model_fields_set == validated.model_fields_set
        assert node.props() == validated.props()
    dataset = next(n for n in declaration.nodes if n.LABEL == "Dataset")
    assert dataset.secrecy_level == "none" and "secrecy_level" not in dataset.props()  # 密级 not written
    field = next(n for n in declaration.nodes if n.LABEL == "Field")
    assert {"dataset", "name"} <= field.model_fields_set and "declassified" not in field.props()


def test_json_and_yaml_load_identically_and_twice_is_a_no_op(
    fixtures: Path, tmp_path: Path, service: RegistryService
) -> None:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(_document(fixtures), ensure_ascii=False, default=str), encoding="utf-8")
    admin = Caller.system()
    first = service.load(importers.read(path), admin)
    assert first.result.total("created") == 15 + 21
    again = service.load(importers.read(fixtures / "zj_registry.yaml"), admin)
    assert (again.result.total("created"), again.result.total("updated")) == (0, 0)


def test_every_error_is_reported_at_its_path_and_skip_invalid_keeps_the_rest(
    fixtures: Path, tmp_path: Path, service: RegistryService
) -> None:
    doc = _document(fixtures)
    doc["systems"][0]["network"] = "卫星网"
    doc["datasets"][0]["fields"][1]["data_type"] = "字符串X"
    doc["datasets"][1]["share_type"] = "不予共享"
    doc["needs"][0]["for_element"] = "DE09999"
    doc["projects"][0]["builds"] = ["NO-SUCH-SYSTEM"]
    doc["datasets"].append({"resource_code": "10102/001", "name": "重复声明"})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    declaration = importers.read(path, skip_invalid=True)
    found = {(i.row, i.column) for i in declaration.errors}
    assert found == {
        ("systems[0]", "network"),
        ("datasets[0].fields[1]", "data_type"),
        ("datasets[1]", "share_condition"),
        ("needs[0]", "for_element"),
        ("projects[0]", "builds[0]"),
        ("datasets[2]", None),
    }
    # references to the invalid system are not reported again as references to nothing
    keys = {(n.LABEL, n.key()) for n in declaration.nodes}
    assert ("System", "ZJGA-RKXT") not in keys and ("Field", "10102/001#姓名") not in keys
    assert ("Field", "10102/001#公民身份号码") in keys
    assert declaration.scopes == []  # skipped items must not read as removed ones
    report = service.load(declaration, Caller.system(), skip_invalid=True)
    assert report.result.total("created") > 0
    assert report.retired == []


def test_unparseable_document_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"departments": [', encoding="utf-8")
    declaration = importers.read(path)
    assert declaration.errors and "not valid JSON" in declaration.errors[0].reason
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "mapping" in importers.read(path).errors[0].reason


def test_yaml_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "elements.yaml"
    path.write_text("data_elements:\n  - code: 0101\n    name: 性别\n  - code: 330000\n    name: 行政区划\n")
    declaration = importers.read(path)
    assert declaration.issues == []
    assert sorted(n.key() for n in declaration.nodes) == ["0101", "330000"]


def test_committed_json_schema_matches_the_models() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "registry/schema/native.schema.json is stale: run python -m registry.schema.document"
    )
