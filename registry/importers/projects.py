"""A project sheet (电子政务项目台账), as CSV or XLSX with Chinese headers.

One project per group of rows: the project columns (编码, 名称, 阶段, 批复, 验收 dates …)
are written on its first row (or repeated), and each row may also carry one event of the
project's file in the 事项 columns: a budget adjustment (概算调整), a change of goals
(目标调整), an approval (批复) or a progress report (半年报告 / 年度报告). A row with an
empty 项目编码 continues the project above. Amounts are in 万元 unless the header says
元. The layout and every header are documented in docs/policy-rules.md.

Every bad cell is an Issue at its row and under the header as the file writes it; a
project with any bad cell is left out whole (with ``skip_invalid``) rather than loaded
half-declared. The file is read in one go and is bounded like a catalogue.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from registry.importers.base import Format, Probe
from registry.importers.source import sha256
from registry.importers.tabular import Table, read_table
from registry.importers.values import parse_date, split_list
from registry.schema.codes import clean_code
from registry.schema.enums import ProjectStage, ReportKind
from registry.schema.model import Project, ProjectAdjustment, ProjectApproval, ProjectReport
from registry.schema.records import NodeRef
from registry.schema.synonyms import canonical, normalise
from registry.service.declaration import Declaration, EdgeDecl
from registry.service.errors import Issue

NAME = "projects"
WAN = 10_000.0

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("项目编码", "项目代码", "项目编号"),
    "name": ("项目名称",),
    "stage": ("建设阶段", "项目阶段", "阶段"),
    "led_by": ("牵头部门代码", "建设单位代码", "项目单位代码"),
    "co_built_by": ("共建部门代码", "参建部门代码"),
    "builds": ("建设系统代码", "系统代码"),
    "approved_on": ("批复日期", "初步设计批复日期", "立项批复日期"),
    "budget_wan": ("批复总投资（万元）", "批复总投资(万元)", "批复概算（万元）", "批复概算(万元)", "批复总投资"),
    "budget_yuan": ("批复总投资（元）", "批复总投资(元)", "批复概算（元）", "批复概算(元)"),
    "risk_assessment_on": ("信息安全风险评估日期", "风险评估日期"),
    "trial_started_on": ("试运行日期", "试运行开始日期"),
    "archive_accepted_on": ("档案验收日期",),
    "completion_accepted_on": ("竣工验收日期",),
    "event": ("事项", "事项类型"),
    "event_on": ("事项日期", "日期"),
    "change_wan": ("调整金额（万元）", "调整金额(万元)", "调整金额"),
    "change_yuan": ("调整金额（元）", "调整金额(元)"),
    "report_year": ("报告年度", "年度"),
    "document": ("批复文号", "文号"),
    "note": ("说明", "备注"),
}
"""Canonical column -> the headers that name it; the first is used in messages."""

PROJECT_COLUMNS = (
    "name",
    "stage",
    "led_by",
    "co_built_by",
    "builds",
    "approved_on",
    "budget_wan",
    "budget_yuan",
    "risk_assessment_on",
    "trial_started_on",
    "archive_accepted_on",
    "completion_accepted_on",
)
DATES = ("approved_on", "risk_assessment_on", "trial_started_on", "archive_accepted_on", "completion_accepted_on")
EVENTS = {
    "概算调整": "budget",
    "投资调整": "budget",
    "目标调整": "goals",
    "建设内容调整": "goals",
    "批复": "approval",
    "半年报告": "report",
    "年度报告": "report",
}
_EVENTS = {normalise(name): kind for name, kind in EVENTS.items()}
_ALIASES = {normalise(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def column_of(header: str) -> str | None:
    return _ALIASES.get(normalise(header))


def header_score(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell and column_of(cell))


@dataclass
class _Project:
    code: str
    first_row: int
    props: dict[str, Any] = field(default_factory=dict)
    approvals: list[ProjectApproval] = field(default_factory=list)
    adjustments: list[ProjectAdjustment] = field(default_factory=list)
    reports: list[ProjectReport] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    bad: bool = False


class _Reader:
    def __init__(self, path: Path, table: Table) -> None:
        self.file = str(path)
        self.table = table
        self.index = {column_of(h): i for i, h in enumerate(table.headers) if column_of(h)}
        self.issues: list[Issue] = list(table.issues)

    def header(self, column: str) -> str:
        index = self.index.get(column)
        return self.table.headers[index] if index is not None else COLUMNS[column][0]

    def issue(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        self.issues.append(Issue(self.file, row, self.header(column) if column else None, value, reason))

    def cell(self, cells: list[str], column: str) -> str:
        index = self.index.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def _amount(text: str) -> float:
    try:
        return float(text.replace(",", "").replace("，", ""))
    except ValueError:
        raise ValueError(f"{text!r} is not an amount (write it as 1200 or -350.5)") from None


class _Parse:
    """One project's cells turned into values; every failure an issue at its cell."""

    def __init__(self, reader: _Reader, project: _Project, row: int) -> None:
        self.reader, self.project, self.row = reader, project, row

    def fail(self, column: str, value: str, reason: str) -> None:
        self.reader.issue(self.row, column, value, reason)
        self.project.bad = True

    def date(self, column: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            self.fail(column, text, str(exc))
            return None

    def amount(self, column: str, text: str, scale: float) -> float | None:
        if not text:
            return None
        try:
            return _amount(text) * scale
        except ValueError as exc:
            self.fail(column, text, str(exc))
            return None


def _project_cells(reader: _Reader, project: _Project, row: int, cells: list[str]) -> None:
    parse = _Parse(reader, project, row)
    for column in PROJECT_COLUMNS:
        text = reader.cell(cells, column)
        if not text:
            continue
        if column in DATES:
            value: Any = parse.date(column, text)
        elif column == "stage":
            try:
                value = canonical(ProjectStage, text).value
            except ValueError as exc:
                parse.fail(column, text, str(exc))
                continue
        elif column in ("budget_wan", "budget_yuan"):
            value = parse.amount(column, text, WAN if column == "budget_wan" else 1.0)
            column = "approved_budget"
        elif column in ("led_by", "co_built_by", "builds"):
            edge, label = {"led_by": ("LED_BY", "Department"), "co_built_by": ("CO_BUILT_BY", "Department")}.get(
                column, ("BUILDS", "System")
            )
            for code in split_list(text):
                key = clean_code(code)
                project.edges.append((edge, label, key.upper() if label == "Department" else key))
            continue
        else:
            value = text
        if value is None:
            continue
        earlier = project.props.get(column)
        if earlier is not None and earlier != value:
            parse.fail(column, text, f"differs from {earlier!r} given on an earlier row of project {project.code}")
            continue
        project.props[column] = value


def _event(reader: _Reader, project: _Project, row: int, cells: list[str]) -> None:
    text = reader.cell(cells, "event")
    if not text:
        return
    parse = _Parse(reader, project, row)
    kind = _EVENTS.get(normalise(text))
    if kind is None:
        parse.fail("event", text, f"unknown 事项; expected one of {', '.join(EVENTS)}")
        return
    on = parse.date("event_on", reader.cell(cells, "event_on"))
    document = reader.cell(cells, "document") or None
    note = reader.cell(cells, "note") or None
    try:
        if kind == "report":
            year_text = reader.cell(cells, "report_year")
            if not year_text.isdigit():
                parse.fail("report_year", year_text, "a progress report needs the year it covers (报告年度, e.g. 2025)")
                return
            report_kind = ReportKind.HALF_YEAR if "半年" in text else ReportKind.ANNUAL
            project.reports.append(ProjectReport(kind=report_kind, year=int(year_text), submitted_on=on))
            return
        change = parse.amount("change_wan", reader.cell(cells, "change_wan"), WAN)
        if change is None:
            change = parse.amount("change_yuan", reader.cell(cells, "change_yuan"), 1.0)
        if on is None:
            if not reader.cell(cells, "event_on"):
                parse.fail("event_on", "", f"{text} needs its date (事项日期)")
            return
        if kind == "approval":
            project.approvals.append(ProjectApproval(approved_on=on, document=document, subject=note))
            return
        project.adjustments.append(
            ProjectAdjustment(
                adjusted_on=on,
                budget_change=change,
                goals_changed=kind == "goals",
                description=note,
                approval=document,
            )
        )
    except ValidationError as exc:
        parse.fail("event", text, "; ".join(str(e["msg"]) for e in exc.errors()))


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    """The projects of the sheet; the service writes nothing from it while it has errors,
    unless ``skip_invalid``, and then only the projects without any (bad ones are left out)."""
    data = path.read_bytes()
    declaration = Declaration(source=str(path), format=NAME, sha256=sha256(data))
    table = read_table(path, data, header_score)
    reader = _Reader(path, table)
    if table.header_row is not None and "code" not in reader.index:
        reader.issue(table.header_row, None, None, f"no {COLUMNS['code'][0]} column: this is not a project sheet")
    projects: list[_Project] = []
    if table.header_row is not None and "code" in reader.index:
        current: _Project | None = None
        for row, cells in table.rows:
            code = clean_code(reader.cell(cells, "code"))
            if code and (current is None or code != current.code):
                if any(p.code == code for p in projects):
                    reader.issue(row, "code", code, f"project {code} appears again after other projects")
                    continue
                current = _Project(code, row)
                projects.append(current)
            if current is None:
                reader.issue(row, "code", "", "the first row must name its project (项目编码)")
                continue
            _project_cells(reader, current, row, cells)
            _event(reader, current, row, cells)
    declaration.issues.extend(reader.issues)
    for project in projects:
        _declare(reader, project, declaration)
    declaration.left_out = sum(1 for p in projects if p.bad)
    return declaration


def _declare(reader: _Reader, project: _Project, declaration: Declaration) -> None:
    try:
        values: dict[str, Any] = {"code": project.code, **project.props}
        for name, entries in (
            ("approvals", project.approvals),
            ("adjustments", project.adjustments),
            ("reports", project.reports),
        ):
            if entries:
                values[name] = entries
        node = Project(**values)
    except ValidationError as exc:
        project.bad = True
        for error in exc.errors():
            prop = str(error["loc"][0]) if error["loc"] else None
            column = prop if prop in COLUMNS else None
            declaration.issues.append(
                Issue(
                    reader.file, project.first_row, reader.header(column) if column else prop, None, str(error["msg"])
                )
            )
        return
    if project.bad:
        return
    ref = NodeRef("Project", node.key())
    declaration.nodes.append(node)
    for edge_type, label, key in project.edges:
        declaration.edges.append(EdgeDecl(edge_type, ref, NodeRef(label, key)))


def sniff(probe: Probe) -> bool:
    """A CSV whose first lines name 项目编码 and a project column; an XLSX by its file name
    (项目 / project), since its headers are compressed inside the workbook."""
    if probe.suffix in (".xlsx", ".xlsm"):
        name = probe.path.name.lower()
        return "项目" in name or "project" in name
    head = probe.text[:4096]
    return any(alias in head for alias in COLUMNS["code"]) and any(
        alias in head for column in ("approved_on", "budget_wan", "budget_yuan", "event") for alias in COLUMNS[column]
    )


FORMAT = Format(
    name=NAME,
    description="电子政务项目台账: one project per group of rows, with its adjustments, approvals and reports",
    suffixes=(".csv", ".tsv", ".xlsx", ".xlsm"),
    priority=50,
    sniff=sniff,
    read=read,
)
