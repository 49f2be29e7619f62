"""Every analysis's findings in one generic shape (rule, message, subjects, evidence), so a
rule another analysis adds appears in the pages and the review queue without a new type.

The findings are those of ``service.graph(caller)``: what the caller may not see is not in
the graph, so no finding, count or subject name can mention it.
"""

from collections.abc import Iterable

import networkx as nx
import strawberry
from strawberry.scalars import JSON

from registry.analysis import catalog, graphs
from registry.graphql.nodes import Ctx
from registry.schema.records import NodeRef
from registry.service import InvalidInput

MAX_PAGE = 200


@strawberry.type(description="An entry a finding names.")
class Subject:
    ref: str = strawberry.field(description="`Label:key`")
    label: str
    key: str
    name: str


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


@strawberry.type
class FindingPage:
    items: list[Finding]
    total_count: int


def graph_of(info: Ctx) -> nx.MultiDiGraph:
    return info.context.service.graph(info.context.caller)


def subject(graph: nx.MultiDiGraph, ref: str) -> Subject:
    label, _, key = ref.partition(":")
    node = NodeRef(label, key)
    name = graphs.name_of(graph, node) if node in graph else None
    return Subject(ref=ref, label=label, key=key, name=name or key)


def to_type(graph: nx.MultiDiGraph, found: catalog.Finding) -> Finding:
    return Finding(
        id=found.id,
        rule=found.rule,
        family=found.family,
        kind=found.kind,
        severity=found.severity,
        message=found.message,
        subjects=[subject(graph, ref) for ref in found.subjects],
        departments=found.departments,
        evidence=found.evidence,
        fingerprint=found.fingerprint,
    )


def select(
    found: Iterable[catalog.Finding],
    *,
    rule: str | None = None,
    family: str | None = None,
    department: str | None = None,
    subject: str | None = None,
) -> list[catalog.Finding]:
    return [
        f
        for f in found
        if (rule is None or f.rule == rule)
        and (family is None or f.family == family)
        and (department is None or department in f.departments)
        and (subject is None or subject in f.subjects)
    ]


def page(graph: nx.MultiDiGraph, found: list[catalog.Finding], first: int, offset: int) -> FindingPage:
    if not 0 < first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset must not be negative")
    return FindingPage(items=[to_type(graph, f) for f in found[offset : offset + first]], total_count=len(found))


@strawberry.type
class FindingsQuery:
    @strawberry.field(
        description="Findings of every analysis, optionally of one rule, family (duplicate, gap, placement), "
        "department (code) or subject (`Label:key`)."
    )
    def findings(
        self,
        info: Ctx,
        rule: str | None = None,
        family: str | None = None,
        department: str | None = None,
        subject: str | None = None,
        first: int = 50,
        offset: int = 0,
    ) -> FindingPage:
        graph = graph_of(info)
        found = select(catalog.all_findings(graph), rule=rule, family=family, department=department, subject=subject)
        return page(graph, found, first, offset)
