"""Sharing requests (共享申请) and their statutory deadlines, rules REQ-1 to REQ-4.

Periods run in working days on the official calendar (``registry.analysis.workdays``)
and default to the periods of decree 809 as summarised in ``docs/policy-rules.md``; a
province with other periods passes its own ``Deadlines``. Which periods apply depends on
the share type of the dataset asked for: an unconditional dataset is to be delivered
at once (REQ-4), anything else is replied to (REQ-1) and, when agreed, delivered
(REQ-2) within their periods. A refusal must give its basis (REQ-3). Open requests are
judged as of a day, so a finding can be reproduced.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from registry.analysis import graphs
from registry.analysis.findings import Serialisable
from registry.analysis.rules import rule
from registry.analysis.workdays import CalendarRangeError, WorkCalendar, official
from registry.schema.enums import ReplyOutcome, ShareType
from registry.schema.records import NodeRef


@dataclass(frozen=True)
class Deadlines(Serialisable):
    """Periods in working days."""

    unconditional_delivery: int = 1
    """An unconditional dataset is delivered within this many working days of the request."""
    reply: int = 10
    """Any other request is replied to within this many working days of its submission."""
    delivery: int = 20
    """An agreed request is delivered within this many working days of the agreement."""

    def __post_init__(self) -> None:
        for name in ("unconditional_delivery", "reply", "delivery"):
            if getattr(self, name) < 1:
                raise ValueError(f"the {name} period must be at least one working day")


@dataclass(frozen=True)
class RequestStatus(Serialisable):
    """Where a request stands as of a day: what it waits for, by when, and whether that is past."""

    request: str
    purpose: str
    requester: str | None
    requester_name: str | None
    provider: str | None
    provider_name: str | None
    target: str | None
    target_label: str | None
    target_name: str | None
    share_type: str | None
    submitted_on: str
    stage: str
    """awaiting_reply, awaiting_delivery, delivered or refused."""
    due: str | None
    """The last day of the period it waits on (None when closed, or beyond the calendar's years)."""
    overdue: bool


@dataclass(frozen=True)
class RequestFinding(Serialisable):
    rule: str
    severity: str
    message: str
    subject: str
    requester: str | None
    requester_name: str | None
    provider: str | None
    provider_name: str | None
    target: str | None
    target_name: str | None
    source: str
    clause: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Request:
    """One request's declared facts, read once from the projection."""

    ref: NodeRef
    attrs: dict[str, Any]
    requester: NodeRef | None
    provider: NodeRef | None
    target: NodeRef | None
    share_type: str | None
    submitted: date
    replied: date | None
    delivered: date | None
    outcome: str | None

    @property
    def unconditional(self) -> bool:
        return self.share_type == ShareType.UNCONDITIONAL

    @property
    def agreed(self) -> bool:
        return self.outcome is not None and ReplyOutcome(self.outcome).agreed


def _requests(graph: nx.MultiDiGraph, refs: Sequence[NodeRef] | None) -> list[_Request]:
    found = []
    for ref in graphs.nodes(graph, "SharingRequest") if refs is None else refs:
        attrs = graph.nodes[ref]
        target = graphs.first(graphs.out(graph, ref, "FOR"))
        share_type = graphs.attr(graph, target, "share_type") if target and target.label == "Dataset" else None
        found.append(
            _Request(
                ref=ref,
                attrs=attrs,
                requester=graphs.first(graphs.into(graph, ref, "REQUESTS")),
                provider=graphs.first(graphs.out(graph, ref, "ADDRESSED_TO")),
                target=target,
                share_type=share_type,
                submitted=graphs.as_date(attrs["submitted_on"]) or date.min,
                replied=graphs.as_date(attrs.get("replied_on")),
                delivered=graphs.as_date(attrs.get("delivered_on")),
                outcome=attrs.get("outcome"),
            )
        )
    return found


def _due(calendar: WorkCalendar, start: date, days: int) -> str | None:
    try:
        return calendar.add(start, days).isoformat()
    except CalendarRangeError:
        return None


def request_status(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    deadlines: Deadlines | None = None,
    calendar: WorkCalendar | None = None,
    requests: Sequence[NodeRef] | None = None,
) -> list[RequestStatus]:
    """Every request in ``graph`` (or the ``requests`` given, in key order) with its stage
    and the deadline it waits on, in key order."""
    today = as_of or date.today()
    periods = deadlines or Deadlines()
    cal = calendar or official()
    rows = []
    for r in _requests(graph, requests):
        stage, start, days = _waiting(r, periods)
        overdue = start is not None and start <= today and cal.late(start, days, today)
        rows.append(
            RequestStatus(
                request=r.ref.key,
                purpose=r.attrs.get("purpose", ""),
                requester=r.requester.key if r.requester else None,
                requester_name=graphs.name_of(graph, r.requester),
                provider=r.provider.key if r.provider else None,
                provider_name=graphs.name_of(graph, r.provider),
                target=r.target.key if r.target else None,
                target_label=r.target.label if r.target else None,
                target_name=graphs.name_of(graph, r.target),
                share_type=r.share_type,
                submitted_on=r.submitted.isoformat(),
                stage=stage,
                due=_due(cal, start, days) if start is not None else None,
                overdue=overdue,
            )
        )
    return rows


def _waiting(r: _Request, periods: Deadlines) -> tuple[str, date | None, int]:
    """The stage, and the start and length of the period the request waits on (None when closed)."""
    if r.outcome == ReplyOutcome.REFUSED:
        return "refused", None, 0
    if r.delivered is not None:
        return "delivered", None, 0
    if r.unconditional:
        return "awaiting_delivery", r.submitted, periods.unconditional_delivery
    if r.replied is None:
        return "awaiting_reply", r.submitted, periods.reply
    return "awaiting_delivery", r.replied, periods.delivery


def request_findings(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    deadlines: Deadlines | None = None,
    calendar: WorkCalendar | None = None,
    requests: Sequence[NodeRef] | None = None,
) -> list[RequestFinding]:
    """REQ-1..REQ-4 for every request in ``graph`` (or the ``requests`` given, in key
    order), in request key then rule order."""
    today = as_of or date.today()
    periods = deadlines or Deadlines()
    cal = calendar or official()
    findings = []
    for r in _requests(graph, requests):
        if r.submitted > today:
            continue
        for rule_id, evidence in _judge(r, periods, cal, today):
            findings.append(_finding(graph, r, rule_id, evidence))
    return findings


def _period(cal: WorkCalendar, start: date, days: int, done: date | None, today: date) -> dict[str, Any] | None:
    """Evidence when the act (``done``, or nothing by ``today``) came after the period."""
    end = done or today
    if end < start or not cal.late(start, days, end):
        return None
    return {
        "from": start.isoformat(),
        "working_days_allowed": days,
        "deadline": _due(cal, start, days),
        "done_on": done.isoformat() if done else None,
        "as_of": None if done else today.isoformat(),
        "working_days_taken": cal.count(start, end),
    }


def _judge(r: _Request, periods: Deadlines, cal: WorkCalendar, today: date) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    facts = {
        "submitted_on": r.submitted.isoformat(),
        "share_type": r.share_type,
        "outcome": r.outcome,
        "replied_on": r.replied and r.replied.isoformat(),
        "delivered_on": r.delivered and r.delivered.isoformat(),
    }
    refused = r.outcome == ReplyOutcome.REFUSED
    if r.unconditional and not refused:
        late = _period(cal, r.submitted, periods.unconditional_delivery, r.delivered, today)
        if late:
            found.append(("REQ-4", {**facts, **late}))
    elif not r.unconditional:
        late = _period(cal, r.submitted, periods.reply, r.replied, today)
        if late:
            found.append(("REQ-1", {**facts, **late}))
        if r.agreed and r.replied is not None:
            late = _period(cal, r.replied, periods.delivery, r.delivered, today)
            if late:
                found.append(("REQ-2", {**facts, **late}))
    if refused and not (r.attrs.get("refusal_basis") or "").strip():
        found.append(("REQ-3", facts))
    order = {"REQ-1": 1, "REQ-2": 2, "REQ-3": 3, "REQ-4": 4}
    return sorted(found, key=lambda item: order[item[0]])


_WHAT = {
    "REQ-1": "答复逾期",
    "REQ-2": "同意后交付逾期",
    "REQ-3": "不予共享但未说明理由和依据",
    "REQ-4": "无条件共享数据未即时交付",
}


def _message(r: _Request, graph: nx.MultiDiGraph, rule_id: str, evidence: dict[str, Any]) -> str:
    who = f"{graphs.name_of(graph, r.requester) or '?'}→{graphs.name_of(graph, r.provider) or '?'}"
    text = f"{rule_id}: 共享申请 {r.ref.key}（{who}，「{graphs.name_of(graph, r.target) or '?'}」）{_WHAT[rule_id]}"
    if "working_days_allowed" not in evidence:
        return f"{text}（{r.replied.isoformat() if r.replied else ''} 答复）"
    deadline = evidence["deadline"] or "日历范围之外"
    done = f"{evidence['done_on']} 完成" if evidence["done_on"] else f"截至 {evidence['as_of']} 未完成"
    return (
        f"{text}：自 {evidence['from']} 起 {evidence['working_days_allowed']} 个工作日内（{deadline} 前），"
        f"{done}，已过 {evidence['working_days_taken']} 个工作日"
    )


def _finding(graph: nx.MultiDiGraph, r: _Request, rule_id: str, evidence: dict[str, Any]) -> RequestFinding:
    cited = rule(rule_id)
    return RequestFinding(
        rule=rule_id,
        severity="error",
        message=_message(r, graph, rule_id, evidence),
        subject=r.ref.key,
        requester=r.requester.key if r.requester else None,
        requester_name=graphs.name_of(graph, r.requester),
        provider=r.provider.key if r.provider else None,
        provider_name=graphs.name_of(graph, r.provider),
        target=r.target.key if r.target else None,
        target_name=graphs.name_of(graph, r.target),
        source=cited.source,
        clause=cited.clause,
        evidence=evidence,
    )
