"""The queries the pages make (dashboard aggregates, generic findings, explorer
neighbourhoods, suggestions and paths): what they answer, their bounds, and that nothing
classified reaches a caller without clearance through any of them."""

import json

import pytest

from tests.graphql.conftest import CLASSIFIED_TEXT, GA, HUJI_DS, INTRANET_DS, MZ, SECRET_SYS, SJ, Api

PAGES = (
    """
fragment n on GraphNode { id label key name network secrecyLevel shareType }
{
  dashboard {
    findingsByRule { rule family count }
    zones { network secrecyLevel systems }
    matrix { departments { code name } cells { provider consumer datasets } total shown departmentsTotal }
    departments(first: 100) { totalCount items { code name systems datasets findings
      systemsByNetwork { key count } datasetsByShareType { key count } } }
  }
  findings(first: 200) { totalCount items { id rule family kind message subjects { ref name } departments evidence } }
  ga: neighbourhood(entries: [{kind: DEPARTMENT, key: "{ga}"}]) { nodes { ...n } edges { id type } more { id more } }
  secret: neighbourhood(entries: [{kind: SYSTEM, key: "{secret}"}]) { nodes { ...n } edges { id } }
  hidden: entries(entries: [{kind: SYSTEM, key: "{secret}"}, {kind: DATASET, key: "{intranet}"}]) { ...n }
  s1: suggest(text: "情报") { kind key name }
  s2: suggest(text: "人员") { kind key name }
  path: dataPaths(source: {kind: DEPARTMENT, key: "{ga}"}, target: {kind: DEPARTMENT, key: "{sj}"}) {
    paths graph { nodes { ...n } } }
}
""".replace("{ga}", GA)
    .replace("{sj}", SJ)
    .replace("{secret}", SECRET_SYS)
    .replace("{intranet}", INTRANET_DS)
)


def _leaks(text: str) -> list[str]:
    return [t for t in CLASSIFIED_TEXT if t in text]


@pytest.mark.parametrize("viewer", ["public", "public_reviewer", None])
def test_the_pages_queries_show_nothing_classified_without_clearance(api: Api, viewer: str | None) -> None:
    cleared = api.data(PAGES, as_="reviewer")
    assert set(_leaks(json.dumps(cleared, ensure_ascii=False))) >= {SECRET_SYS, INTRANET_DS, "警务情报研判系统"}
    assert {n["id"] for n in cleared["hidden"]} == {f"System:{SECRET_SYS}", f"Dataset:{INTRANET_DS}"}

    public = api.data(PAGES, as_=viewer)
    assert _leaks(json.dumps(public, ensure_ascii=False)) == []
    assert public["hidden"] == [] and public["secret"] == {"nodes": [], "edges": []}
    assert public["s1"] == []
    systems = {d["code"]: d["systems"] for d in public["dashboard"]["departments"]["items"]}
    full = {d["code"]: d["systems"] for d in cleared["dashboard"]["departments"]["items"]}
    assert (systems[GA], full[GA]) == (1, 2)
    assert sum(z["systems"] for z in public["dashboard"]["zones"]) == 2


def test_neighbourhood_is_bounded_and_says_how_much_is_left_out(api: Api) -> None:
    query = """query($limit: Int!, $relations: [String!]) {
      neighbourhood(entries: [{kind: DEPARTMENT, key: "GA"}], relations: $relations, limit: $limit) {
        nodes { id } edges { type source target } more { id more } } }""".replace("GA", GA)
    everything = api.data(query, {"limit": 100}, as_="reviewer")["neighbourhood"]
    assert {e["type"] for e in everything["edges"]} == {"OPERATES", "PROVIDES", "LED_BY"}
    assert everything["more"] == []
    one = api.data(query, {"limit": 1}, as_="reviewer")["neighbourhood"]
    assert len(one["edges"]) == 1
    assert one["more"] == [{"id": f"Department:{GA}", "more": len(everything["edges"]) - 1}]
    operates = api.data(query, {"limit": 100, "relations": ["OPERATES"]}, as_="reviewer")["neighbourhood"]
    assert {e["type"] for e in operates["edges"]} == {"OPERATES"} and len(operates["edges"]) == 2
    bad = api.post(query, {"limit": 100, "relations": ["KNOWS"]}, as_="reviewer")
    assert "unknown relation 'KNOWS'" in bad["errors"][0]["message"]
    too_many = api.post(query, {"limit": 100000}, as_="reviewer")
    assert "limit must be between" in too_many["errors"][0]["message"]


def test_data_paths_follow_sharing(api: Api) -> None:
    query = """query($a: String!, $b: String!, $depth: Int!) {
      dataPaths(source: {kind: DEPARTMENT, key: $a}, target: {kind: DEPARTMENT, key: $b}, depth: $depth) {
        paths graph { edges { type source target } } } }"""
    found = api.data(query, {"a": GA, "b": MZ, "depth": 8}, as_="public")["dataPaths"]
    assert [f"Department:{GA}", f"Dataset:{HUJI_DS}", f"Department:{MZ}"] in found["paths"]
    assert {e["type"] for e in found["graph"]["edges"]} >= {"PROVIDES", "SHARED_WITH"}
    back = api.data(query, {"a": MZ, "b": GA, "depth": 2}, as_="public")
    assert back["dataPaths"]["paths"] == []


def test_findings_of_the_demo_as_the_analyses_report_them(demo_api: Api) -> None:
    data = demo_api.data(
        """{ dashboard { findingsByRule { rule family count } }
             findings(first: 200) { totalCount items { id rule family subjects { ref name } departments fingerprint } }
             gaps: sharingGaps { kind rule } placement: placementFindings { rule }
             systems: duplicates(kind: SYSTEM) { rule } datasets: duplicates(kind: DATASET) { rule }
             projectFindings { rule } requestFindings { rule } sourceFindings { rule } }""",
        as_="reviewer",
    )
    lists = ("gaps", "placement", "systems", "datasets", "projectFindings", "requestFindings", "sourceFindings")
    expected = sum(len(data[name]) for name in lists)
    assert all(data[name] for name in lists)  # the demo plants findings of every family
    items = data["findings"]["items"]
    assert data["findings"]["totalCount"] == len(items) == expected
    assert sum(r["count"] for r in data["dashboard"]["findingsByRule"]) == expected
    assert len({f["id"] for f in items}) == len(items)
    duplicate = next(f for f in items if f["rule"] == "DUP-1" and f["subjects"][0]["ref"].startswith("System:"))
    assert {s["name"] for s in duplicate["subjects"]} == {"广东省不动产登记信息管理平台", "广东省房屋产权登记信息系统"}
    one = demo_api.data(
        'query($d: String!) { findings(department: $d, rule: "DUP-1") { totalCount items { id } } }',
        {"d": duplicate["departments"][0]},
        as_="reviewer",
    )["findings"]
    assert duplicate["id"] in {f["id"] for f in one["items"]}
    assert one["totalCount"] < len(items)


def test_the_trend_builds_up_to_the_current_findings_over_the_demo_s_batches(demo_api: Api) -> None:
    data = demo_api.data(
        "{ dashboard { findingsByRule { rule count } trend(last: 20) { batches series { rule counts } } } }",
        as_="reviewer",
    )["dashboard"]
    trend = data["trend"]
    assert 2 <= len(trend["batches"]) <= 12 and trend["batches"] == sorted(trend["batches"])
    now = {r["rule"]: r["count"] for r in data["findingsByRule"]}
    assert {s["rule"]: s["counts"][-1] for s in trend["series"]} == now
    for series in trend["series"]:
        assert series["counts"] == sorted(series["counts"])
    # the duplicates appear only once both departments' catalogues and the registry office's document are in
    assert next(s for s in trend["series"] if s["rule"] == "DUP-1")["counts"][0] < now["DUP-1"]
