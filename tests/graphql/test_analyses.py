"""The analysis queries on the demo registry: the planted problems are found, with their
evidence, by a cleared reviewer; a public viewer gets findings computed on what it may
see, so not one classified name or key appears in any answer."""

import json
from typing import Any

import pytest

from registry.service import Caller
from tests.graphql.conftest import Api

ANALYSES = """query($proposal: ProposalInput!) {
  duplicates { kind rule message score members { key name departmentName project } shared { name weight }
    pairs { score parts message a { key } b { key } } evidence }
  datasetDuplicates: duplicates(kind: DATASET) { members { key } }
  duplicateCheck(proposal: $proposal) { score message a { key } b { key name } shared { name } }
  sharingGaps { kind rule message subject subjectLabel department departmentName evidence }
  placementFindings { rule severity message system systemName department secrecyLevel network action evidence }
  sharingMatrix { total departments { code name } cells { provider consumer datasets } }
}"""

PROPOSAL = {
    "name": "广东省不动产权属登记系统",
    "description": "不动产产权、抵押和查封登记",
    "functions": ["不动产登记"],
    "fields": ["不动产单元号", "权利人名称", "坐落", "登记时间", "抵押权人"],
}


def _analyses(api: Api, who: str) -> dict[str, Any]:
    return api.data(ANALYSES, {"proposal": PROPOSAL}, as_=who)


def _hidden_text(api: Api) -> list[str]:
    """The key and name of everything hidden from the public, read as the operator."""
    texts: set[str] = set()
    for ref in api.service.hidden(Caller.public()):
        if ref.label == "ImportBatch":
            continue
        texts.add(ref.key)
        props = api.service.get(Caller.system(), ref.label, ref.key).props
        for prop in ("name", "purpose"):
            if len(str(props.get(prop, ""))) >= 4:
                texts.add(str(props[prop]))
    public_names = {
        str(r.props.get("name"))
        for label in ("System", "Dataset", "Field", "Department")
        for r in api.service.find(Caller.public(), label)
    }
    return sorted(texts - public_names)


def test_planted_problems_are_found_with_evidence(demo_api: Api) -> None:
    found = _analyses(demo_api, "admin")
    duplicate_keys = [sorted(m["key"] for m in c["members"]) for c in found["duplicates"]]
    assert ["440000-ZJ-XT001", "440000-ZR-XT001"] in duplicate_keys
    cluster = found["duplicates"][duplicate_keys.index(["440000-ZJ-XT001", "440000-ZR-XT001"])]
    assert cluster["shared"] and cluster["pairs"][0]["parts"]
    assert {m["departmentName"] for m in cluster["members"]} == {"广东省自然资源厅", "广东省住房和城乡建设厅"}

    check = {m["b"]["key"] for m in found["duplicateCheck"]} | {m["a"]["key"] for m in found["duplicateCheck"]}
    assert check & {"440000-ZJ-XT001", "440000-ZR-XT001"}

    gaps = {(g["kind"], g["subject"]) for g in found["sharingGaps"]}
    assert {
        ("unmet_need", "NEED-2024-002"),
        ("blocked_need", "NEED-2024-001"),
        ("boundary_need", "NEED-2024-003"),
    } <= gaps
    assert all(g["message"] and g["evidence"] is not None for g in found["sharingGaps"])

    placement = {(f["rule"], f["system"]) for f in found["placementFindings"]}
    assert ("NET-1", "330000-GA-XT002") in placement
    assert {("NET-3", "100000-GA-XT002"), ("NET-3", "100000-SW-XT001")} <= placement
    assert found["sharingMatrix"]["total"] > 0 and found["sharingMatrix"]["cells"]


def test_a_public_viewer_sees_no_classified_finding_or_evidence(demo_api: Api) -> None:
    cleared = json.dumps(_analyses(demo_api, "admin"), ensure_ascii=False)
    public = _analyses(demo_api, "public")
    text = json.dumps(public, ensure_ascii=False)
    hidden = _hidden_text(demo_api)
    assert "330000-GA-XT002" in hidden and "330000-GA-XT002" in cleared
    assert [t for t in hidden if t in text] == []
    assert all(f["rule"] != "NET-1" for f in public["placementFindings"])
    assert all(g["kind"] != "boundary_need" for g in public["sharingGaps"])
    assert public["sharingMatrix"]["total"] < json.loads(cleared)["sharingMatrix"]["total"]


def test_filters_lineage_and_impact(demo_api: Api) -> None:
    data = demo_api.data(
        """{ unmet: sharingGaps(kind: "unmet_need") { subject }
             fieldLinks: fields(first: 500) { edges { node { key derivedFrom { field { key } } } } } }""",
        as_="admin",
    )
    assert [g["subject"] for g in data["unmet"]] == ["NEED-2024-002"]
    derived = next(e["node"] for e in data["fieldLinks"]["edges"] if e["node"]["derivedFrom"])
    source = derived["derivedFrom"][0]["field"]["key"]
    up = demo_api.data(
        """query($k: String!) { lineage(key: $k, direction: UP, depth: 2) { root direction steps { field via depth }
             datasets departments } }""",
        {"k": derived["key"]},
        as_="admin",
    )["lineage"]
    assert up["direction"] == "up" and source in [s["field"] for s in up["steps"]]

    dataset = source.split("#")[0]
    impact = demo_api.data(
        """query($k: String!) { impact(key: $k) {
             subject message datasetsLost derivedDatasets systems departments } }""",
        {"k": dataset},
        as_="admin",
    )["impact"]
    assert impact["subject"].endswith(dataset) or impact["subject"] == dataset
    assert derived["key"].split("#")[0] in impact["derivedDatasets"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ sharingGaps(kind: "nonsense") { kind } }', "BAD_INPUT"),
        ('{ lineage(key: "no-such-field") { root } }', "NOT_FOUND"),
        ('{ impact(key: "330000-GA-XT002") { subject } }', "NOT_FOUND"),
    ],
)
def test_analysis_errors_are_clear(demo_api: Api, query: str, code: str) -> None:
    error = demo_api.post(query, as_="public")["errors"][0]
    assert error["extensions"]["code"] == code
    assert "Traceback" not in error["message"]
