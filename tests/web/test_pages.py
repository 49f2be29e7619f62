"""The dashboard and the explorer in a real browser, on the demo registry: what they show is
what /graphql gives the same token, and the explorer answers searches and clicks."""

import struct
from pathlib import Path
from typing import Any

import httpx2
import networkx as nx
from playwright.sync_api import Browser, Page

from tests.web.browser import GD_ZR, Demo, open_page, screenshot, wait_ready, wait_until


def _api(demo: Demo, query: str, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx2.post(f"{demo.url}/graphql", json={"query": query}, headers=headers, timeout=30).json()
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def _rule_counts(page: Page) -> dict[str, int]:
    rows = page.locator("#findings-by-rule tbody tr")
    return {
        row.get_attribute("data-rule") or "": int(row.locator("td.num a").first.inner_text().replace(",", ""))
        for row in rows.all()
    }


def test_dashboard_shows_the_registry_as_the_api_gives_it(browser: Browser, demo_server: Demo) -> None:
    token = demo_server.tokens["reviewer"]
    page = open_page(browser, demo_server, "/", token=token)
    wait_ready(page)
    api = _api(demo_server, "{ dashboard { findingsByRule { rule count } departments { totalCount } } }", token)
    expected = {r["rule"]: r["count"] for r in api["dashboard"]["findingsByRule"]}
    assert _rule_counts(page) == expected
    # the planted problems of the demo, as its README lists them
    assert {"DUP-1", "unmet_need", "blocked_need", "boundary_need", "NET-1", "NET-3", "SHR-1"} <= set(expected)
    assert page.locator("#departments tbody tr").count() == api["dashboard"]["departments"]["totalCount"] == 11
    assert page.locator("#matrix td a").count() > 0
    assert "广东省自然资源厅" in page.locator("#departments").inner_text()
    assert page.locator("#counts a[data-kind=Dataset] .n").inner_text() == "63"
    screenshot(page, "dashboard")
    page.context.close()


def test_dashboard_in_english(browser: Browser, demo_server: Demo) -> None:
    page = open_page(browser, demo_server, "/", lang="en")
    wait_ready(page)
    assert page.locator("h2").first.inner_text() == "What the registry holds"
    with page.expect_navigation():
        page.click("#lang-switch")
    wait_ready(page)
    assert page.locator("h2").first.inner_text() == "登记概况"
    page.context.close()


def _node_count(page: Page) -> int:
    count: int = page.evaluate("window.registryGraph.nodes().length")
    return count


def _click_node(page: Page, node_id: str) -> None:
    """A real mouse click where the node is drawn."""
    box = page.locator("#cy").bounding_box()
    assert box is not None
    where = page.evaluate("id => window.registryGraph.getElementById(id).renderedPosition()", node_id)
    page.mouse.click(box["x"] + where["x"], box["y"] + where["y"])


def test_explorer_search_expand_and_paths(browser: Browser, demo_server: Demo) -> None:
    page = open_page(browser, demo_server, "/explore")
    wait_ready(page)
    page.fill("#search", "不动产登记信息")
    page.wait_for_selector("#suggestions li[data-id]")
    page.locator("#suggestions li[data-id]", has_text="广东省不动产登记信息管理平台").first.click()
    wait_until(page, "window.registryGraph.nodes().length > 1")
    assert page.locator("#selected-name").inner_text() == "广东省不动产登记信息管理平台"
    before = _node_count(page)
    # a dataset the system holds: clicking it expands its fields and who it is shared with
    dataset = page.evaluate(
        "window.registryGraph.nodes('[label = \"Dataset\"]').filter(n => !n.data('expanded')).first().id()"
    )
    page.wait_for_timeout(300)
    _click_node(page, dataset)
    wait_until(page, f"window.registryGraph.nodes().length > {before}")
    assert page.evaluate("id => window.registryGraph.getElementById(id).data('expanded')", dataset)
    labels = set(page.evaluate("window.registryGraph.nodes().map(n => n.data('label'))"))
    assert {"System", "Dataset", "Field", "Department"} <= labels
    # filtering a relation hides its edges, at once: in what is drawn and in the status count
    all_edges = page.evaluate("window.registryGraph.edges().length")
    field_edges = page.evaluate("window.registryGraph.edges('[type = \"HAS_FIELD\"]').length")
    assert field_edges > 0
    page.locator("#relations input[value=HAS_FIELD]").uncheck()
    assert page.evaluate("window.registryGraph.edges('[type = \"HAS_FIELD\"]:visible').length") == 0
    displays = page.evaluate("window.registryGraph.edges('[type = \"HAS_FIELD\"]').map(e => e.style('display'))")
    assert set(displays) == {"none"}
    assert f"{all_edges - field_edges} 条关系" in page.locator("#status").inner_text()
    page.locator("#relations input[value=HAS_FIELD]").check()
    screenshot(page, "explorer", full_page=False)
    page.context.close()


def test_explorer_paths_between_departments(browser: Browser, demo_server: Demo) -> None:
    matrix = _api(demo_server, "{ dashboard { matrix { cells { provider consumer datasets } } } }")
    cell = max(matrix["dashboard"]["matrix"]["cells"], key=lambda c: c["datasets"])
    source, target = f"Department:{cell['provider']}", f"Department:{cell['consumer']}"
    page = open_page(browser, demo_server, f"/explore?from={source}&to={target}")
    wait_ready(page)
    assert "条最短路径" in page.locator("#paths-result").inner_text()
    lit = set(page.evaluate("window.registryGraph.nodes('.lit').map(n => n.id())"))
    assert {source, target} <= lit
    assert any(i.startswith("Dataset:") for i in lit)
    page.context.close()


def test_dashboard_numbers_open_the_lists_behind_them(browser: Browser, demo_server: Demo) -> None:
    page = open_page(browser, demo_server, "/", token=demo_server.tokens["reviewer"])
    wait_ready(page)
    with page.expect_navigation():
        page.click("#counts a[data-kind=System]")
    wait_ready(page)
    assert page.locator("#list-total").inner_text().endswith("30")
    assert page.locator("#list tbody tr").count() == 30
    page.go_back()
    wait_ready(page)
    cell = page.locator("#zones tbody tr", has_text="政务内网").locator("td a").first
    shown = cell.inner_text()
    with page.expect_navigation():
        cell.click()
    wait_ready(page)
    assert page.locator("#list-total").inner_text().endswith(shown)
    assert page.locator("#list tbody tr").count() == int(shown)
    page.context.close()


def test_an_entry_page_shows_properties_provenance_history_relations_and_findings(
    browser: Browser, demo_server: Demo
) -> None:
    page = open_page(browser, demo_server, "/entry/System/440000-ZR-XT001")
    wait_ready(page)
    assert page.locator("#entry-name").inner_text() == "信息系统：广东省不动产登记信息管理平台"
    assert "2019-440000-ZR-001" in page.locator("#properties").inner_text()
    assert "registry.yaml" in page.locator("#provenance").inner_text()
    assert page.locator("#history tbody tr").count() >= 1
    relations = page.locator("#relations").inner_text()
    assert "广东省自然资源厅" in relations and "广东省不动产登记信息" in relations
    assert "DUP-1" in page.locator("#entry-findings").inner_text()
    screenshot(page, "entry")
    page.context.close()


CLASSIFIED_SYSTEMS = {
    "100000-GA-XT001": "国家人口基础信息库",
    "100000-GA-XT003": "出入境管理信息系统",
    "330000-GA-XT002": "浙江省重点人员动态管控系统",
    "440000-ZR-XT002": "广东省国土空间规划一张图实施监督系统",
}
"""Systems of the demo on the intranet or classified (a public caller must never see them)."""


def test_a_public_token_s_pages_name_nothing_classified(browser: Browser, demo_server: Demo) -> None:
    names = list(CLASSIFIED_SYSTEMS.values())
    pages = ["/", "/review?status=", "/list?kind=System", "/explore?start=Department:11100000000013127D"]
    pages += [f"/entry/System/{code}" for code in CLASSIFIED_SYSTEMS]

    def texts(token: str | None) -> str:
        shown = []
        for path in pages:
            page = open_page(browser, demo_server, path, token=token)
            wait_ready(page)
            if path.startswith("/explore"):
                shown.append(str(page.evaluate("window.registryGraph.nodes().map(n => n.data('name')).join(' ')")))
            shown.append(page.locator("body").inner_text())
            page.context.close()
        return "\n".join(shown)

    cleared = texts(demo_server.tokens["reviewer"])
    assert all(name in cleared for name in names)  # the pages do reach them, given clearance
    for token in (demo_server.tokens["public"], None):
        public = texts(token)
        assert [name for name in names if name in public] == []
        assert "没有这个条目" in public


LINEAGE = """{ lineage(key: "205100000/001", kind: DATASET, direction: UP, depth: 6) {
  steps { field via dataset } } }"""
IMPACT = '{ impact(key: "210440000/001", kind: DATASET) { datasetsLost derivedDatasets systems } }'


def _lit(page: Page) -> set[str]:
    return set(page.evaluate("window.registryGraph.nodes('.lit').map(n => n.id())"))


def test_explorer_highlights_lineage_and_impact(browser: Browser, demo_server: Demo) -> None:
    token = demo_server.tokens["reviewer"]
    # 全国不动产登记汇交信息 takes 不动产单元号 from 广东省不动产登记信息 (the demo's lineage)
    national, province = "205100000/001", "210440000/001"
    page = open_page(browser, demo_server, f"/explore?start=Dataset:{national}", token=token)
    wait_ready(page)
    page.click("#lineage-up")
    page.locator("#highlight", has_text="上游血缘").wait_for()
    steps = _api(demo_server, LINEAGE, token)
    # each step: the upstream field reached, its dataset, and the field it was reached from
    reached = [
        (f"Field:{s['field']}", f"Dataset:{s['dataset']}", f"Field:{s['via']}") for s in steps["lineage"]["steps"]
    ]
    assert f"Dataset:{province}" in {dataset for _, dataset, _ in reached}
    assert {ref for step in reached for ref in step} <= _lit(page)
    faded = page.evaluate("window.registryGraph.nodes('.faded').length")
    assert faded > 0  # the rest of the view steps back
    screenshot(page, "explorer-lineage", full_page=False)

    # impact of the province's dataset: what is lost downstream if it goes
    page.goto(f"{demo_server.url}/explore?start=Dataset:{province}")
    wait_ready(page)
    page.click("#impact")
    page.locator("#highlight", has_text="影响分析").wait_for()
    impact = _api(demo_server, IMPACT, token)["impact"]
    named = {f"Dataset:{k}" for k in impact["datasetsLost"] + impact["derivedDatasets"]}
    named |= {f"System:{k}" for k in impact["systems"]}
    assert named and f"Dataset:{national}" in named
    assert named | {f"Dataset:{province}"} <= _lit(page)
    page.context.close()


def test_explorer_exports_the_view_as_png_and_graphml(browser: Browser, demo_server: Demo, tmp_path: Path) -> None:
    page = open_page(browser, demo_server, f"/explore?start=Department:{GD_ZR}", token=demo_server.tokens["reviewer"])
    wait_ready(page)
    page.locator("#relations input[value=OPERATES]").uncheck()  # a filtered view exports as shown
    shown = set(page.evaluate("window.registryGraph.nodes(':visible').map(n => n.id())"))
    edges = page.evaluate("window.registryGraph.edges(':visible').length")
    assert len(shown) > 5

    with page.expect_download() as done:
        page.click("#export-graphml")
    graphml = tmp_path / "view.graphml"
    done.value.save_as(graphml)
    assert done.value.suggested_filename == "registry-graph.graphml"
    graph = nx.read_graphml(graphml)
    assert set(graph.nodes) == shown
    assert graph.number_of_edges() == edges
    assert all(t != "OPERATES" for _, _, t in graph.edges(data="type"))
    assert graph.nodes[f"Department:{GD_ZR}"]["name"] == "广东省自然资源厅"

    with page.expect_download() as done:
        page.click("#export-png")
    png = tmp_path / "view.png"
    done.value.save_as(png)
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width > 200 and height > 200
    page.context.close()
