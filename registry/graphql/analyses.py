"""The analyses as queries. Each runs on ``service.graph(caller)``, the projection of what
this caller may see, or (duplicate detection) on ``service.rows(caller)``, the same
entries row by row, so no finding, count or piece of evidence can mention anything
else; this module only maps the analyses' frozen results to GraphQL types."""

from collections.abc import Callable
from typing import TypeVar

import networkx as nx
import strawberry

from registry.analysis import duplicates, gaps, lineage, placement
from registry.graphql.derive import from_result, result_input, result_type, to_source
from registry.graphql.enums import AnalysisKind, Direction, NodeKind
from registry.graphql.nodes import Ctx
from registry.schema.records import NodeRef
from registry.service import InvalidInput, NotFound

LINEAGE_KINDS = ("Field", "Dataset", "System")
MAX_LINEAGE_DEPTH = 20


@result_type(duplicates.Member)
class Member:
    """A system or dataset in a duplicate finding, with its department and project."""


@result_type(duplicates.SharedElement)
class SharedElement:
    """A data element two duplicates share, weighted by how rare it is."""


@result_type(duplicates.FieldPair, description="A field of one item matched to one of the other, as each wrote it.")
class FieldPair:
    """Matched fields, original names, with their similarity (出生日期 ≈ 出生年月 0.95)."""


@result_type(
    duplicates.DuplicateMatch, description="Two systems or datasets scored as duplicates, with the parts of the score."
)
class DuplicateMatch:
    """One scored pair."""


@result_type(
    duplicates.DuplicateCluster,
    description="A group of systems or datasets built more than once (duplicate construction).",
)
class DuplicateCluster:
    """One DUP-1 finding."""


@result_type(gaps.Gap, description="A sharing gap: a need nobody meets or policy blocks, unused or incomplete data.")
class Gap:
    """One sharing-gap finding."""


@result_type(
    placement.PlacementFinding,
    description="A system not on the network its classification requires (rules NET-1..NET-5).",
)
class PlacementFinding:
    """One NET-1..NET-5 finding."""


@result_type(lineage.LineageStep)
class LineageStep:
    """One field reached from the root, with where it lives."""


@result_type(
    lineage.Lineage, description="Upstream and/or downstream of a field, dataset or system along DERIVED_FROM."
)
class Lineage:
    """A lineage walk."""


@result_type(lineage.Impact, description="What goes away with a system or dataset, and who depends on it.")
class Impact:
    """An impact analysis."""


@result_input(duplicates.Proposal, description="A planned system, as a reviewer sees it before approval.")
class ProposalInput:
    """The parameters of a duplicate check."""


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


T = TypeVar("T")


def _graph(info: Ctx) -> nx.MultiDiGraph:
    return info.context.service.graph(info.context.caller)


def _analysed(info: Ctx, name: str, analysis: Callable[[nx.MultiDiGraph], T]) -> T:
    """Computed once per state of the store and clearance, shared by the server's processes."""
    return info.context.service.analysed(info.context.caller, name, analysis)


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
        service, caller = info.context.service, info.context.caller
        found = service.analysed_rows(
            caller,
            f"duplicates:{kind.value}:{threshold}",
            lambda rows: duplicates.find_duplicates(rows, kind=str(kind.value), threshold=threshold),
        )
        return [from_result(c) for c in found]

    @strawberry.field(description="Existing systems a planned one would duplicate, best first.")
    def duplicate_check(
        self, info: Ctx, proposal: ProposalInput, threshold: float | None = None, limit: int = 10
    ) -> list[DuplicateMatch]:
        plan = to_source(duplicates.Proposal, proposal)
        rows = info.context.service.rows(info.context.caller)
        return [from_result(m) for m in duplicates.check_proposal(rows, plan, threshold=threshold, limit=limit)]

    @strawberry.field(description=f"Sharing gaps, optionally of one kind ({', '.join(gaps.KINDS)}) or department.")
    def sharing_gaps(self, info: Ctx, kind: str | None = None, department: str | None = None) -> list[Gap]:
        try:
            found = _analysed(
                info,
                f"gaps:{kind}:{department}",
                lambda graph: gaps.sharing_gaps(graph, kind=kind, department=department),
            )
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        return [from_result(g) for g in found]

    @strawberry.field(description="Systems not on the network their classification requires.")
    def placement_findings(self, info: Ctx) -> list[PlacementFinding]:
        return [from_result(f) for f in _analysed(info, "placement", placement.placement_findings)]

    @strawberry.field(description="Department x department counts of datasets shared.")
    def sharing_matrix(self, info: Ctx) -> SharingMatrix:
        matrix = _analysed(info, "sharing-matrix", gaps.sharing_matrix)
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
        walked: Lineage = from_result(found)
        return walked

    @strawberry.field(description="What breaks if a system or dataset goes away.")
    def impact(self, info: Ctx, key: str, kind: NodeKind | None = None) -> Impact:
        graph = _graph(info)
        found: Impact = from_result(lineage.impact(graph, _subject(info, graph, key, kind)))
        return found
