"""E-government project rules PRJ-1 to PRJ-4 (see ``registry.analysis.rules`` for sources).

A project's file is judged as declared: its approved budget, the adjustments it made and
whether each was approved, the progress reports it submitted, and the dates of its
risk assessment, trial operation, archive and completion acceptance. Reports fall due
on dates, so PRJ-2 is judged as of a given day (today by default, a fixed day in tests
and reviews, so a finding can be reproduced).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from pydantic import TypeAdapter

from registry.analysis import graphs
from registry.analysis.findings import Serialisable
from registry.analysis.rules import rule
from registry.schema.enums import ProjectStage, ReportKind
from registry.schema.model import ProjectAdjustment, ProjectReport
from registry.schema.records import NodeRef

BUDGET_THRESHOLD = 0.15
"""Share of the approved total investment beyond which an adjustment needs approval."""

UNDER_CONSTRUCTION = frozenset({ProjectStage.BUILDING, ProjectStage.TRIAL, ProjectStage.ARCHIVE_ACCEPTED})
"""Stages in which progress reports are owed: from approval until completion acceptance."""

_ADJUSTMENTS = TypeAdapter(list[ProjectAdjustment])
_REPORTS = TypeAdapter(list[ProjectReport])
_REPORT_NAMES = {ReportKind.HALF_YEAR: "半年报告", ReportKind.ANNUAL: "年度报告"}


@dataclass(frozen=True)
class ProjectFinding(Serialisable):
    rule: str
    severity: str
    message: str
    subject: str
    """The project's code (every policy finding names its subject so)."""
    project: str
    project_name: str
    department: str | None
    department_name: str | None
    source: str
    clause: str
    evidence: dict[str, Any] = field(default_factory=dict)


def report_due(kind: ReportKind, year: int) -> date:
    """Half-year reports are due on 31 July of their year, annual ones on 31 January of the next."""
    return date(year, 7, 31) if kind is ReportKind.HALF_YEAR else date(year + 1, 1, 31)


def reports_owed(start: date, as_of: date, until: date | None = None) -> list[tuple[ReportKind, int, date]]:
    """Every report due between a project's approval (``start``) and ``as_of`` (or its
    completion acceptance, ``until``, when earlier): the half-year report of a year whose
    first half the project was under way in, and the annual report of every year it was."""
    end = min(as_of, until) if until else as_of
    owed = []
    for year in range(start.year, end.year + 1):
        for kind in (ReportKind.HALF_YEAR, ReportKind.ANNUAL):
            covered_from = date(year, 6, 30) if kind is ReportKind.HALF_YEAR else date(year, 12, 31)
            due = report_due(kind, year)
            if start <= covered_from and due <= end:
                owed.append((kind, year, due))
    return owed


def _prj1(attrs: dict[str, Any], threshold: float) -> dict[str, Any] | None:
    """Unapproved adjustments: a goal change, or budget changes that together exceed the
    threshold of the approved total (two unapproved 10% rises are a 20% one)."""
    adjustments = [a for a in _ADJUSTMENTS.validate_python(attrs.get("adjustments") or []) if not a.approved]
    if not adjustments:
        return None
    budget = attrs.get("approved_budget")
    net = sum(a.budget_change or 0.0 for a in adjustments)
    share = abs(net) / budget if budget else None
    over = share is not None and share > threshold
    goals = [a for a in adjustments if a.goals_changed]
    if not (over or goals):
        return None
    cited = [a for a in adjustments if (over and a.budget_change) or a.goals_changed]
    return {
        "approved_budget": budget,
        "unapproved_change": net,
        "share_of_budget": share,
        "threshold": threshold,
        "goals_changed": bool(goals),
        "adjustments": [a.model_dump(mode="json", exclude_none=True) for a in cited],
    }


def _prj2(attrs: dict[str, Any], as_of: date) -> dict[str, Any] | None:
    stage = attrs.get("stage")
    start = graphs.as_date(attrs.get("approved_on"))
    if stage not in UNDER_CONSTRUCTION or start is None:
        return None
    submitted = {(r.kind, r.year) for r in _REPORTS.validate_python(attrs.get("reports") or [])}
    owed = reports_owed(start, as_of, graphs.as_date(attrs.get("completion_accepted_on")))
    missing = [
        {"kind": kind.value, "name": f"{year}年{_REPORT_NAMES[kind]}", "year": year, "due": due.isoformat()}
        for kind, year, due in owed
        if (kind.value, year) not in submitted
    ]
    if not missing:
        return None
    return {"stage": stage, "approved_on": start.isoformat(), "as_of": as_of.isoformat(), "missing": missing}


def _prj3(attrs: dict[str, Any]) -> dict[str, Any] | None:
    completed = graphs.as_date(attrs.get("completion_accepted_on"))
    archived = graphs.as_date(attrs.get("archive_accepted_on"))
    if completed is None or (archived is not None and archived <= completed):
        return None
    return {"completion_accepted_on": completed.isoformat(), "archive_accepted_on": archived and archived.isoformat()}


def _prj4(attrs: dict[str, Any]) -> dict[str, Any] | None:
    trial = graphs.as_date(attrs.get("trial_started_on"))
    assessed = graphs.as_date(attrs.get("risk_assessment_on"))
    if trial is None and attrs.get("stage") != ProjectStage.TRIAL:
        return None
    if assessed is not None and (trial is None or assessed <= trial):
        return None
    return {
        "trial_started_on": trial and trial.isoformat(),
        "risk_assessment_on": assessed and assessed.isoformat(),
        "stage": attrs.get("stage"),
    }


def _message(rule_id: str, name: str, evidence: dict[str, Any]) -> str:
    if rule_id == "PRJ-1":
        parts = []
        if evidence["share_of_budget"] is not None and evidence["share_of_budget"] > evidence["threshold"]:
            parts.append(
                f"未经批准的投资调整 {evidence['unapproved_change']:,.0f} 元，占批复总投资 "
                f"{evidence['share_of_budget']:.1%}（超过 {evidence['threshold']:.0%}）"
            )
        if evidence["goals_changed"]:
            parts.append("建设目标变更未经批准")
        return f"PRJ-1: 项目「{name}」" + "；".join(parts)
    if rule_id == "PRJ-2":
        names = "、".join(f"{m['name']}（{m['due']}前）" for m in evidence["missing"])
        return f"PRJ-2: 在建项目「{name}」缺少 {names}"
    if rule_id == "PRJ-3":
        archived = evidence["archive_accepted_on"] or "未进行"
        return f"PRJ-3: 项目「{name}」{evidence['completion_accepted_on']} 竣工验收，档案验收 {archived}"
    assessed = evidence["risk_assessment_on"] or "未开展"
    started = evidence["trial_started_on"] or "已试运行"
    return f"PRJ-4: 项目「{name}」试运行 {started}，信息安全风险评估 {assessed}"


def project_findings(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    budget_threshold: float = BUDGET_THRESHOLD,
    projects: Sequence[NodeRef] | None = None,
) -> list[ProjectFinding]:
    """PRJ-1..PRJ-4 for every project in ``graph`` (or the ``projects`` given, in key
    order, when a caller has already listed them), in project key then rule order."""
    today = as_of or date.today()
    findings = []
    for project in graphs.nodes(graph, "Project") if projects is None else projects:
        attrs = graph.nodes[project]
        found = (
            ("PRJ-1", "error", _prj1(attrs, budget_threshold)),
            ("PRJ-2", "warning", _prj2(attrs, today)),
            ("PRJ-3", "error", _prj3(attrs)),
            ("PRJ-4", "error", _prj4(attrs)),
        )
        for rule_id, severity, evidence in found:
            if evidence is not None:
                findings.append(_finding(graph, project, rule_id, severity, evidence))
    return findings


def _finding(
    graph: nx.MultiDiGraph, project: NodeRef, rule_id: str, severity: str, evidence: dict[str, Any]
) -> ProjectFinding:
    name = graph.nodes[project].get("name", project.key)
    lead = graphs.first(graphs.out(graph, project, "LED_BY"))
    cited = rule(rule_id)
    return ProjectFinding(
        rule=rule_id,
        severity=severity,
        message=_message(rule_id, name, evidence),
        subject=project.key,
        project=project.key,
        project_name=name,
        department=lead.key if lead else None,
        department_name=graphs.name_of(graph, lead),
        source=cited.source,
        clause=cited.clause,
        evidence=evidence,
    )
