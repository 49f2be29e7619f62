"""Confirmed findings as an XLSX report to send to the departments: one row per finding,
in Chinese, with the decision's reason, author and time beside the finding."""

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from registry.analysis import graphs
from registry.analysis.catalog import CONFIRMED, Finding, review_status
from registry.schema.records import NodeRecord, NodeRef

COLUMNS = (
    ("编号", 22),
    ("规则", 10),
    ("类别", 10),
    ("问题描述", 60),
    ("涉及条目", 50),
    ("涉及部门", 40),
    ("复核结论", 10),
    ("复核意见", 40),
    ("复核人", 14),
    ("复核时间", 22),
    ("证据", 60),
)
FAMILY = {
    "duplicate": "重复建设",
    "gap": "共享缺口",
    "placement": "网络部署",
    "project": "项目管理",
    "request": "共享申请时限",
    "source": "权威数据源",
}
DECISION = {"confirmed": "确认", "dismissed": "驳回"}


@dataclass(frozen=True)
class ReportRow:
    finding: Finding
    subject_names: list[str]
    department_names: list[str]
    decision: str
    reason: str
    by: str
    at: str


def _name(graph: nx.MultiDiGraph, ref: NodeRef) -> str:
    return f"{graphs.name_of(graph, ref) or ref.key}（{ref.key}）" if ref in graph else str(ref)


def confirmed_rows(
    graph: nx.MultiDiGraph, findings: Sequence[Finding], decided: dict[str, NodeRecord]
) -> list[ReportRow]:
    """The findings whose current decision is confirmed, with names read off ``graph`` (the
    caller's visible projection, so the report names only what the caller may see)."""
    rows = []
    for found in findings:
        review = decided.get(found.id)
        if review is None or review_status(found, review)[0] != CONFIRMED:
            continue
        rows.append(
            ReportRow(
                finding=found,
                subject_names=[_name(graph, NodeRef(*s.split(":", 1))) for s in found.subjects],
                department_names=[_name(graph, NodeRef("Department", code)) for code in found.departments],
                decision=CONFIRMED,
                reason=str(review.props.get("reason", "")),
                by=review.updated.by,
                at=review.updated.at,
            )
        )
    return rows


def findings_workbook(rows: Sequence[ReportRow], title: str = "已确认问题") -> bytes:
    """The XLSX file's bytes."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        f = row.finding
        sheet.append(
            [
                f.id,
                f.rule,
                FAMILY.get(f.family, f.family),
                f.message,
                "\n".join(row.subject_names),
                "\n".join(row.department_names),
                DECISION.get(row.decision, row.decision),
                row.reason,
                row.by,
                row.at,
                json.dumps(f.evidence, ensure_ascii=False, sort_keys=True),
            ]
        )
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
