"""Findings review through GraphQL: a decision is stored with its author and time, holds
until the finding's evidence changes, keeps its history, is refused to callers who may not
decide or may not see the finding, and confirmed findings export as XLSX."""

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook

from registry.analysis import catalog
from tests.graphql.conftest import CLASSIFIED_TEXT, GA, HUJI_DS, JIUZHU_DS, MZ, Api

FINDINGS = """query($status: String) { findings(status: $status, first: 200) {
  totalCount items { id rule status fingerprint subjects { ref } review { decision reason by at stale } } } }"""
REVIEW = """mutation($id: String!, $decision: ReviewDecision!, $reason: String!) {
  reviewFinding(id: $id, decision: $decision, reason: $reason) { id status review { decision reason by at stale } } }"""
RULES = "{ dashboard { findingsByRule { rule count confirmed dismissed } } }"
DECLARE_FORMAT = """mutation($provider: String!, $code: String!, $name: String!) {
  upsertDataset(provider: $provider, input: {resourceCode: $code, name: $name, formatCategory: DATABASE}) {
    updated } }"""
HISTORY = """query($k: String!) {
  lookup(key: $k) { label history { op changes { property old new } provenance { by } } } }"""


def _finding(api: Api, rule: str, subject: str, as_: str = "reviewer") -> dict:
    items = api.data(FINDINGS, as_=as_)["findings"]["items"]
    return next(f for f in items if f["rule"] == rule and f["subjects"][0]["ref"] == subject)


def _rules(api: Api, as_: str = "reviewer") -> dict[str, dict]:
    return {r["rule"]: r for r in api.data(RULES, as_=as_)["dashboard"]["findingsByRule"]}


def test_a_dismissed_finding_stays_dismissed_until_its_evidence_changes(api: Api) -> None:
    target = _finding(api, "SHR-1", f"Dataset:{HUJI_DS}")
    before = _rules(api)["SHR-1"]
    reason = "接口已在共享平台登记"
    decided = api.data(REVIEW, {"id": target["id"], "decision": "DISMISSED", "reason": reason}, as_="reviewer")
    review = decided["reviewFinding"]["review"]
    assert decided["reviewFinding"]["status"] == "dismissed"
    assert (review["decision"], review["reason"], review["by"], review["stale"]) == (
        "dismissed",
        "接口已在共享平台登记",
        "token:内网审核员",
        False,
    )
    assert review["at"].startswith("20")
    after = _rules(api)["SHR-1"]
    assert (after["count"], after["dismissed"]) == (before["count"] - 1, 1)
    dismissed = api.data(FINDINGS, {"status": "dismissed"}, as_="reviewer")["findings"]["items"]
    assert [f["id"] for f in dismissed] == [target["id"]]

    # an unrelated write leaves the decision standing
    other = {"provider": MZ, "code": JIUZHU_DS, "name": "低保救助对象信息"}
    assert api.data(DECLARE_FORMAT, other, as_="admin")["upsertDataset"]["updated"] == 1
    assert _finding(api, "SHR-1", f"Dataset:{HUJI_DS}")["status"] == "dismissed"

    # the finding's own evidence changes (its dataset now declares a format): open again
    own = {"provider": GA, "code": HUJI_DS, "name": "户籍人口基本信息"}
    assert api.data(DECLARE_FORMAT, own, as_="admin")["upsertDataset"]["updated"] == 1
    reopened = _finding(api, "SHR-1", f"Dataset:{HUJI_DS}")
    assert reopened["id"] == target["id"] and reopened["fingerprint"] != target["fingerprint"]
    assert reopened["status"] == "open" and reopened["review"]["stale"] is True


def test_decisions_keep_their_history_and_confirmed_ones_export(api: Api) -> None:
    target = _finding(api, "unused_dataset", f"Dataset:{JIUZHU_DS}")
    api.data(REVIEW, {"id": target["id"], "decision": "DISMISSED", "reason": "待核实"}, as_="reviewer")
    api.data(REVIEW, {"id": target["id"], "decision": "CONFIRMED", "reason": "确无共享，请民政厅说明"}, as_="admin")
    history = api.data(HISTORY, {"k": target["id"]}, as_="reviewer")["lookup"]
    assert [n["label"] for n in history] == ["Review"]
    entries = history[0]["history"]
    decisions = [c for h in entries for c in h["changes"] if c["property"] == "decision"]
    assert decisions[-1] == {"property": "decision", "old": "dismissed", "new": "confirmed"}
    assert entries[-1]["provenance"]["by"] == "token:管理员"

    report = api.data("{ confirmedReport }", as_="reviewer")["confirmedReport"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(report))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["编号", "规则", "类别", "问题描述"]
    assert len(rows) == 2 and rows[1][0] == target["id"]
    assert "低保救助对象信息" in rows[1][4] and rows[1][7] == "确无共享，请民政厅说明" and rows[1][6] == "确认"


def test_only_reviewers_and_administrators_decide_and_only_on_what_they_see(api: Api) -> None:
    visible = _finding(api, "SHR-1", f"Dataset:{HUJI_DS}")
    for who in ("public", "editor_ga", None):
        answer = api.post(REVIEW, {"id": visible["id"], "decision": "DISMISSED", "reason": "无"}, as_=who)
        assert "only a reviewer or an administrator" in answer["errors"][0]["message"]
    blank = api.post(REVIEW, {"id": visible["id"], "decision": "DISMISSED", "reason": "  "}, as_="reviewer")
    assert "reason" in blank["errors"][0]["message"]
    classified = _finding(api, "blocked_need", "Need:NEED-QB-1")
    hidden = api.post(REVIEW, {"id": classified["id"], "decision": "DISMISSED", "reason": "无"}, as_="public_reviewer")
    assert hidden["errors"][0]["message"] == f"no finding with id {classified['id']!r}"


def test_a_review_of_a_classified_finding_is_as_hidden_as_the_finding(api: Api) -> None:
    classified = _finding(api, "blocked_need", "Need:NEED-QB-1")
    reason = "重点人员核查需求被阻断"
    api.data(REVIEW, {"id": classified["id"], "decision": "CONFIRMED", "reason": reason}, as_="reviewer")
    query = """query($k: String!) { lookup(key: $k) { key } stats { nodes { name count } }
      findings(first: 200) { items { id message review { reason } } } confirmedReport }"""
    cleared = api.data(query, {"k": classified["id"]}, as_="reviewer")
    assert cleared["lookup"] == [{"key": classified["id"]}]
    assert {n["name"]: n["count"] for n in cleared["stats"]["nodes"]}["Review"] == 1
    for who in ("public", "public_reviewer"):
        public = api.data(query, {"k": classified["id"]}, as_=who)
        assert public["lookup"] == [] and "Review" not in {n["name"] for n in public["stats"]["nodes"]}
        text = json.dumps(public, ensure_ascii=False)
        assert [t for t in CLASSIFIED_TEXT if t in text] == [] and "重点人员核查需求被阻断" not in text
        sheet = load_workbook(io.BytesIO(base64.b64decode(public["confirmedReport"]))).active
        assert sheet.max_row == 1


def test_a_decision_leaves_the_analyses_as_computed_and_shows_in_the_queue(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []

    def counted(finder: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
        def run(graph: Any) -> list[Any]:
            runs.append(finder.__name__)
            return finder(graph)

        return run

    monkeypatch.setattr(catalog, "FINDERS", [counted(f) for f in catalog.FINDERS])
    for who in ("public_reviewer", "admin"):  # a caller with entries hidden from it, and one without
        _rules(api, as_=who)
    computed = len(runs)
    assert computed == 2 * len(catalog.FINDERS)

    target = _finding(api, "SHR-1", f"Dataset:{HUJI_DS}", as_="public_reviewer")
    api.data(REVIEW, {"id": target["id"], "decision": "CONFIRMED", "reason": "已通知户籍部门"}, as_="public_reviewer")
    confirmed = api.data(FINDINGS, {"status": "confirmed"}, as_="public_reviewer")["findings"]["items"]
    assert [(f["id"], f["review"]["reason"]) for f in confirmed] == [(target["id"], "已通知户籍部门")]
    assert _rules(api, as_="public_reviewer")["SHR-1"]["confirmed"] == 1
    assert _rules(api, as_="admin")["SHR-1"]["confirmed"] == 1
    assert len(runs) == computed  # nothing recomputed for either caller

    # any other write is read by the analyses: they run again
    other = {"provider": MZ, "code": JIUZHU_DS, "name": "低保救助对象信息"}
    api.data(DECLARE_FORMAT, other, as_="admin")
    assert _rules(api, as_="public_reviewer")["SHR-1"]["confirmed"] == 1
    assert len(runs) == computed + len(catalog.FINDERS)
