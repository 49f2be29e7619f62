"""The pages that write, in a real browser on the demo: a reviewer dismisses a finding and it
stays dismissed after a reload; an editor uploads a catalogue, sees the bad cells named
before anything is written, then imports a good one."""

import csv
import http.server
import io
import threading
import time
from pathlib import Path

import httpx2
from playwright.sync_api import Browser

from registry import demo
from tests.web.browser import GD_ZR, Demo, open_page, screenshot, wait_ready

CATALOGUE = demo.DEMO_DIR / "catalogues" / "gd-nr.csv"
"""广东省自然资源厅's catalogue; the demo's editor token edits that department."""


def _api(site: Demo, query: str, token: str, variables: dict | None = None) -> dict:
    answer = httpx2.post(
        f"{site.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]


def test_a_dismissed_finding_stays_dismissed_after_reload(browser: Browser, demo_server: Demo) -> None:
    token = demo_server.tokens["reviewer"]
    page = open_page(browser, demo_server, "/review?rule=unused_dataset", token=token)
    wait_ready(page)
    row = page.locator("#queue tbody tr").first
    finding = row.get_attribute("data-finding")
    assert finding and "特种设备使用登记信息" in row.inner_text()
    row.locator("button.dismiss").click()
    assert row.locator(".error").inner_text() == "请填写复核意见。"
    row.locator("textarea").fill("该资源已纳入2025年共享计划，暂不作为问题")
    row.locator("button.dismiss").click()
    row.locator(".badge[data-status=dismissed]").wait_for()

    page.reload()
    wait_ready(page)
    assert page.locator(f'#queue tr[data-finding="{finding}"]').count() == 0  # the queue shows open findings
    page.goto(f"{demo_server.url}/review?status=dismissed")
    wait_ready(page)
    kept = page.locator(f'#queue tr[data-finding="{finding}"]')
    assert kept.locator(".badge").get_attribute("data-status") == "dismissed"
    assert "该资源已纳入2025年共享计划" in kept.inner_text() and "审核员-王" in kept.inner_text()
    rules = _api(demo_server, "{ dashboard { findingsByRule { rule dismissed } } }", token)
    assert {"rule": "unused_dataset", "dismissed": 1} in rules["dashboard"]["findingsByRule"]
    page.goto(f"{demo_server.url}/review?status=")
    wait_ready(page)
    screenshot(page, "review")
    page.context.close()


def _catalogue(edit: dict[tuple[int, str], str]) -> bytes:
    """The demo catalogue with some cells replaced: (data row index, column) -> value."""
    rows = list(csv.DictReader(io.StringIO(CATALOGUE.read_text(encoding="utf-8"))))
    for (index, column), value in edit.items():
        rows[index][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_bad_catalogue_is_reported_cell_by_cell_and_a_good_one_imports(
    browser: Browser, demo_server: Demo, tmp_path: Path
) -> None:
    bad = tmp_path / "gd-nr.csv"
    bad.write_bytes(_catalogue({(1, "数据长度"): "二十八", (3, "数据类型"): "图片"}))
    page = open_page(browser, demo_server, "/import", token=demo_server.tokens["editor"])
    wait_ready(page)
    page.set_input_files("#import-file", str(bad))
    page.click("#import-check")
    page.locator("#issues").wait_for()
    cells = [[c.inner_text() for c in r.locator("td").all()] for r in page.locator("#issues tbody tr").all()]
    named = {(row[1], row[2]) for row in cells}
    assert ("3", "数据长度") in named and ("5", "数据类型") in named, cells
    assert {"二十八", "图片"} <= {row[3] for row in cells}
    assert all(row[0] == "gd-nr.csv" for row in cells)
    assert page.locator("#import-confirm").is_disabled()
    assert "未写入任何数据" in page.locator("#import-status").inner_text()
    screenshot(page, "import")

    good = tmp_path / "good" / "gd-nr.csv"
    good.parent.mkdir()
    text = CATALOGUE.read_text(encoding="utf-8")  # the resource's abstract, on every row of the resource
    good.write_text(text.replace("不动产权属登记信息。", "不动产权属登记信息（2025年更新）。"), encoding="utf-8")
    page.set_input_files("#import-file", str(good))
    page.click("#import-check")
    page.locator("#import-status", has_text="检查通过").wait_for()
    assert page.locator("#issues tr.issue-error").count() == 0
    token = demo_server.tokens["editor"]
    before = _api(demo_server, '{ dataset(resourceCode: "210440000/001") { abstract } }', token)
    assert "2025" not in before["dataset"]["abstract"]  # the dry run wrote nothing
    page.click("#import-confirm")
    page.locator("#import-status", has_text="已导入").wait_for()
    after = _api(demo_server, '{ dataset(resourceCode: "210440000/001") { abstract } }', token)
    assert after["dataset"]["abstract"] == "全省房屋、土地等不动产权属登记信息（2025年更新）。"
    page.context.close()


class _Hook(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that answers 200 to every call (the deliveries then succeed)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


SUBSCRIBE = """mutation($kind: String!, $target: String!, $url: String!) {
  subscribe(targetKind: $kind, target: $target, url: $url) { subscription { id } } }"""
MINE = "{ mySubscriptions { id deliveries } }"


def _deliveries(site: Demo, token: str, subscription: str) -> list[dict]:
    mine = _api(site, MINE, token)["mySubscriptions"]
    found: list[dict] = next(s for s in mine if s["id"] == subscription)["deliveries"]
    return found


def test_a_session_sees_its_subscriptions_with_their_deliveries_and_unsubscribes(
    browser: Browser, demo_server: Demo
) -> None:
    token = demo_server.tokens["reviewer"]
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    try:
        watched = {"kind": "department", "target": GD_ZR, "url": hook}
        watching = _api(demo_server, SUBSCRIBE, token, watched)["subscribe"]["subscription"]["id"]
        other = {"kind": "entry", "target": "System:440000-ZR-XT001", "url": hook}
        dropped = _api(demo_server, SUBSCRIBE, token, other)["subscribe"]["subscription"]["id"]
        # a change in the department: the server delivers it in the background
        change = """mutation($d: String!) { upsertDataset(provider: $d, input: {resourceCode: "210440000/001",
          name: "广东省不动产登记信息", formatCategory: SPREADSHEET}) { updated } }"""
        _api(demo_server, change, demo_server.tokens["admin"], {"d": GD_ZR})
        deadline = time.monotonic() + 30
        while not _deliveries(demo_server, token, watching):
            assert time.monotonic() < deadline, "the change was not delivered"
            time.sleep(0.2)

        page = open_page(browser, demo_server, "/subscriptions", token=token)
        wait_ready(page)
        assert page.locator("#sub-count").inner_text() == "共 2 个订阅"
        row = page.locator(f'#subscriptions tr[data-subscription="{watching}"]')
        assert "部门" in row.inner_text() and GD_ZR in row.inner_text()
        assert "1 次，最近：已送达" in row.locator("summary").inner_text()
        row.locator("summary").click()  # the delivery log
        assert row.locator("table.deliveries tbody tr[data-status=delivered]").count() == 1
        screenshot(page, "subscriptions")
        page.locator(f'#subscriptions tr[data-subscription="{dropped}"] button.unsubscribe').click()
        page.locator("#sub-status", has_text=f"已取消订阅 {dropped}").wait_for()
        assert page.locator("#sub-count").inner_text() == "共 1 个订阅"
        page.reload()
        wait_ready(page)
        assert page.locator("#subscriptions > tbody > tr").count() == 1
        assert [s["id"] for s in _api(demo_server, MINE, token)["mySubscriptions"]] == [watching]
        page.context.close()
    finally:
        receiver.shutdown()
        receiver.server_close()
