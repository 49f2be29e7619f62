"""Every analysis's findings in one generic shape (rule, message, subjects, evidence), so a
rule another analysis adds appears in the pages and the review queue without a new type,
each with its review status.

The findings are those of ``service.graph(caller)``: what the caller may not see is not in
the graph, so no finding, count or subject name can mention it. A finding's status comes
from its ``Review``: the decision holds while the finding's evidence fingerprint is the
one the decision was made on; once the evidence changes the finding is open again.
"""

from collections.abc import Iterable
from typing import cast

import networkx as nx
import strawberry
from strawberry.scalars import JSON

from registry.analysis import catalog, graphs
from registry.graphql.nodes import Ctx
from registry.schema.records import NodeRecord, NodeRef
from registry.service import InvalidInput

OPEN, CONFIRMED, DISMISSED, STATUSES = catalog.OPEN, catalog.CONFIRMED, catalog.DISMISSED, catalog.STATUSES

MAX_PAGE = 200


@strawberry.type(description="An entry a finding names.")
class Subject:
    ref: str = strawberry.field(description="`Label:key`")
    label: str
    key: str
    name: str


@strawberry.type(description="The decision last recorded on a finding.")
class ReviewInfo:
    decision: str
    reason: str
    by: str
    at: str
    stale: bool = strawberry.field(description="The evidence changed since: the decision no longer holds.")


@strawberry.type(description="A finding of any analysis: duplicate construction, sharing gap, network placement, ….")
class Finding:
    id: str = strawberry.field(description="Stable identity: the rule and the entries named.")
    rule: str
    family: str
    kind: str
    severity: str | None
    message: str
    subjects: list[Subject]
    departments: list[str]
    evidence: JSON
    fingerprint: str = strawberry.field(description="Hash of the evidence the finding rests on (not its scores).")
    status: str = strawberry.field(description="open, confirmed or dismissed.")
    review: ReviewInfo | None


@strawberry.type
class FindingPage:
    items: list[Finding]
    total_count: int


def graph_of(info: Ctx) -> nx.MultiDiGraph:
    return info.context.service.graph(info.context.caller)


def findings_of(info: Ctx) -> list[catalog.Finding]:
    """Every analysis's findings over what the caller may see, computed once per state of
    the store and clearance and shared by every server process (``RegistryService.analysed``):
    the longest computation behind the dashboard and the findings list."""
    service, caller = info.context.service, info.context.caller
    return service.analysed(caller, "findings", lambda graph: catalog.all_findings(graph, service.rows(caller)))


def subject(graph: nx.MultiDiGraph, ref: str) -> Subject:
    label, _, key = ref.partition(":")
    node = NodeRef(label, key)
    name = graphs.name_of(graph, node) if node in graph else None
    return Subject(ref=ref, label=label, key=key, name=name or key)


def decisions(info: Ctx) -> dict[str, NodeRecord]:
    """The visible review decisions by finding identity."""
    service, caller = info.context.service, info.context.caller
    return {record.key: record for record in service.find(caller, "Review")}


def review_of(found: catalog.Finding, decided: dict[str, NodeRecord]) -> tuple[str, ReviewInfo | None]:
    record = decided.get(found.id)
    status, stale = catalog.review_status(found, record)
    if record is None:
        return status, None
    info = ReviewInfo(
        decision=str(record.props.get("decision")),
        reason=str(record.props.get("reason", "")),
        by=record.updated.by,
        at=record.updated.at,
        stale=stale,
    )
    return status, info


def status_of(found: catalog.Finding, decided: dict[str, NodeRecord]) -> str:
    return review_of(found, decided)[0]


def to_type(graph: nx.MultiDiGraph, found: catalog.Finding, decided: dict[str, NodeRecord]) -> Finding:
    status, review = review_of(found, decided)
    return Finding(
        id=found.id,
        rule=found.rule,
        family=found.family,
        kind=found.kind,
        severity=found.severity,
        message=found.message,
        subjects=[subject(graph, ref) for ref in found.subjects],
        departments=found.departments,
        evidence=cast(JSON, found.evidence),
        fingerprint=found.fingerprint,
        status=status,
        review=review,
    )


def select(
    found: Iterable[catalog.Finding],
    decided: dict[str, NodeRecord],
    *,
    rule: str | None = None,
    family: str | None = None,
    department: str | None = None,
    subject: str | None = None,
    status: str | None = None,
) -> list[catalog.Finding]:
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return [
        f
        for f in found
        if (rule is None or f.rule == rule)
        and (family is None or f.family == family)
        and (department is None or department in f.departments)
        and (subject is None or subject in f.subjects)
        and (status is None or status_of(f, decided) == status)
    ]


def page(
    graph: nx.MultiDiGraph, found: list[catalog.Finding], decided: dict[str, NodeRecord], first: int, offset: int
) -> FindingPage:
    if not 0 < first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset must not be negative")
    items = [to_type(graph, f, decided) for f in found[offset : offset + first]]
    return FindingPage(items=items, total_count=len(found))


@strawberry.type
class FindingsQuery:
    @strawberry.field(
        description="Findings of every analysis, optionally of one rule, family (duplicate, gap, placement), "
        "department (code), subject (`Label:key`) or review status (open, confirmed, dismissed)."
    )
    def findings(
        self,
        info: Ctx,
        rule: str | None = None,
        family: str | None = None,
        department: str | None = None,
        subject: str | None = None,
        status: str | None = None,
        first: int = 50,
        offset: int = 0,
    ) -> FindingPage:
        graph = graph_of(info)
        decided = decisions(info)
        found = select(
            findings_of(info),
            decided,
            rule=rule,
            family=family,
            department=department,
            subject=subject,
            status=status,
        )
        return page(graph, found, decided, first, offset)
