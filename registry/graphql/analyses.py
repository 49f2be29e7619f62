"""The analyses as queries. Each runs on ``service.graph(caller)``, the projection of what
this caller may see, so no finding, count or piece of evidence can mention anything
else; this module only maps the analyses' frozen results to GraphQL types."""

from typing import Any

import networkx as nx
import strawberry
from strawberry.scalars import JSON

from registry.analysis import duplicates, gaps, lineage, placement
from registry.graphql.enums import AnalysisKind, Direction, NodeKind
from registry.graphql.nodes import Ctx
from registry.schema.records import NodeRef
from registry.service import InvalidInput, NotFound

LINEAGE_KINDS = ("Field", "Dataset", "System")
MAX_LINEAGE_DEPTH = 20


@strawberry.type
class Member:
    key: str
    name: str
    department: str | None
    department_name: str | None
    project: str | None


@strawberry.type
class SharedElement:
    name: str
    weight: float


@strawberry.type(description="Two systems or datasets scored as duplicates, with the parts of the score.")
class DuplicateMatch:
    kind: str
    a: Member
    b: Member
    score: float
    parts: JSON
    shared: list[SharedElement]
    message: str


@strawberry.type(description="A group of systems or datasets built more than once (duplicate construction).")
class DuplicateCluster:
    kind: str
    rule: str
    message: str
    members: list[Member]
    score: float
    pairs: list[DuplicateMatch]
    shared: list[SharedElement]
    evidence: JSON


@strawberry.type(description="A sharing gap: a need nobody meets or policy blocks, unused or incomplete data.")
class Gap:
    kind: str
    rule: str | None
    message: str
    subject: str
    subject_label: str
    department: str | None
    department_name: str | None
    evidence: JSON


@strawberry.type(description="A system not on the network its classification requires (rules NET-1..NET-5).")
class PlacementFinding:
    rule: str
    severity: str
    message: str
    system: str
    system_name: str
    department: str | None
    department_name: str | None
    secrecy_level: str
    network: str | None
    action: str
    evidence: JSON


@strawberry.type
class MatrixDepartment:
    code: str
    name: str


@strawberry.type
class MatrixCell:
    provider: str
    consumer: str
    datasets: int


@strawberry.type(description="Who provides to whom: datasets shared between each pair of departments.")
class SharingMatrix:
    departments: list[MatrixDepartment]
    cells: list[MatrixCell]
    total: int


@strawberry.type
class LineageStep:
    field: str
    field_name: str
    dataset: str | None
    dataset_name: str | None
    systems: list[str]
    department: str | None
    department_name: str | None
    direction: str
    depth: int
    via: str
    processing_method: str | None


@strawberry.type(description="Upstream and/or downstream of a field, dataset or system along DERIVED_FROM.")
class Lineage:
    root: str
    direction: str
    depth: int
    steps: list[LineageStep]
    datasets: list[str]
    systems: list[str]
    departments: list[str]


@strawberry.type(description="What goes away with a system or dataset, and who depends on it.")
class Impact:
    subject: str
    message: str
    datasets_lost: list[str]
    derived_datasets: list[str]
    systems: list[str]
    departments: JSON
    needs: list[str]
    evidence: JSON


@strawberry.input(description="A planned system, as a reviewer sees it before approval.")
class ProposalInput:
    name: str
    description: str = ""
    functions: list[str] = strawberry.field(default_factory=list)
    fields: list[str] = strawberry.field(default_factory=list)
    department: str | None = None


def _member(m: duplicates.Member) -> Member:
    return Member(key=m.key, name=m.name, department=m.department, department_name=m.department_name, project=m.project)


def _shared(items: list[duplicates.SharedElement]) -> list[SharedElement]:
    return [SharedElement(name=s.name, weight=s.weight) for s in items]


def _match(m: duplicates.DuplicateMatch) -> DuplicateMatch:
    return DuplicateMatch(
        kind=m.kind,
        a=_member(m.a),
        b=_member(m.b),
        score=m.score,
        parts=m.parts,
        shared=_shared(m.shared),
        message=m.message,
    )


def _plain(cls: type, result: Any, **override: Any) -> Any:
    """A flat analysis result as the GraphQL type with the same field names."""
    data = result.to_dict()
    return cls(**{name: override.get(name, data[name]) for name in cls.__annotations__})


def _graph(info: Ctx) -> nx.MultiDiGraph:
    return info.context.service.graph(info.context.caller)


def _subject(info: Ctx, graph: nx.MultiDiGraph, key: str, kind: NodeKind | None) -> NodeRef:
    """The visible field, dataset or system with this key; NotFound alike for missing and hidden."""
    labels = [str(kind.value)] if kind is not None else list(LINEAGE_KINDS)
    found = [NodeRef(label, key) for label in labels if NodeRef(label, key) in graph]
    if not found:
        raise NotFound(f"no field, dataset or system with key {key!r}")
    if len(found) > 1:
        raise InvalidInput(f"key {key!r} names a {' and a '.join(r.label for r in found)}; pass kind to choose")
    return found[0]


@strawberry.type
class AnalysisQuery:
    @strawberry.field(description="Clusters of systems (or datasets) built more than once.")
    def duplicates(
        self, info: Ctx, kind: AnalysisKind = AnalysisKind.SYSTEM, threshold: float | None = None
    ) -> list[DuplicateCluster]:
        found = duplicates.find_duplicates(_graph(info), kind=str(kind.value), threshold=threshold)
        return [
            DuplicateCluster(
                kind=c.kind,
                rule=c.rule,
                message=c.message,
                members=[_member(m) for m in c.members],
                score=c.score,
                pairs=[_match(p) for p in c.pairs],
                shared=_shared(c.shared),
                evidence=c.to_dict()["evidence"],
            )
            for c in found
        ]

    @strawberry.field(description="Existing systems a planned one would duplicate, best first.")
    def duplicate_check(
        self, info: Ctx, proposal: ProposalInput, threshold: float | None = None, limit: int = 10
    ) -> list[DuplicateMatch]:
        plan = duplicates.Proposal(
            name=proposal.name,
            description=proposal.description,
            functions=list(proposal.functions),
            fields=list(proposal.fields),
            department=proposal.department,
        )
        return [_match(m) for m in duplicates.check_proposal(_graph(info), plan, threshold=threshold, limit=limit)]

    @strawberry.field(description=f"Sharing gaps, optionally of one kind ({', '.join(gaps.KINDS)}) or department.")
    def sharing_gaps(self, info: Ctx, kind: str | None = None, department: str | None = None) -> list[Gap]:
        try:
            found = gaps.sharing_gaps(_graph(info), kind=kind, department=department)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        return [_plain(Gap, g) for g in found]

    @strawberry.field(description="Systems not on the network their classification requires.")
    def placement_findings(self, info: Ctx) -> list[PlacementFinding]:
        return [_plain(PlacementFinding, f) for f in placement.placement_findings(_graph(info))]

    @strawberry.field(description="Department x department counts of datasets shared.")
    def sharing_matrix(self, info: Ctx) -> SharingMatrix:
        matrix = gaps.sharing_matrix(_graph(info))
        return SharingMatrix(
            departments=[MatrixDepartment(code=d["code"], name=d["name"]) for d in matrix.departments],
            cells=[
                MatrixCell(provider=provider, consumer=consumer, datasets=n)
                for provider, row in matrix.counts.items()
                for consumer, n in row.items()
            ],
            total=matrix.total(),
        )

    @strawberry.field(description="Lineage of a field, dataset or system along DERIVED_FROM, to a depth.")
    def lineage(
        self,
        info: Ctx,
        key: str,
        kind: NodeKind | None = None,
        direction: Direction = Direction.BOTH,
        depth: int = 3,
    ) -> Lineage:
        if depth > MAX_LINEAGE_DEPTH:
            raise InvalidInput(f"depth must be at most {MAX_LINEAGE_DEPTH}")
        graph = _graph(info)
        try:
            found = lineage.lineage(graph, _subject(info, graph, key, kind), direction=direction.value, depth=depth)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        steps = [_plain(LineageStep, s) for s in found.steps]
        return _plain(Lineage, found, steps=steps)

    @strawberry.field(description="What breaks if a system or dataset goes away.")
    def impact(self, info: Ctx, key: str, kind: NodeKind | None = None) -> Impact:
        graph = _graph(info)
        return _plain(Impact, lineage.impact(graph, _subject(info, graph, key, kind)))
