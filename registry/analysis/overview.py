"""The dashboard's aggregates, computed where the data is.

A dashboard over a province's registry must not ship lists to count them in a browser:
these functions reduce a projection to the few hundred numbers the page shows (per
department, per network zone and 密级, the busiest part of the sharing matrix), and every
number is computed on the caller's visible projection like any other analysis.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from registry.analysis import gaps, graphs
from registry.analysis.catalog import Finding
from registry.analysis.findings import Serialisable
from registry.analysis.memo import on_graph
from registry.schema.records import NodeRef

NOT_DECLARED = ""
"""The bucket of entries that do not declare the counted property."""


@dataclass(frozen=True)
class DepartmentSummary(Serialisable):
    code: str
    name: str
    systems_by_network: dict[str, int] = field(default_factory=dict)
    datasets_by_share_type: dict[str, int] = field(default_factory=dict)
    findings: int = 0

    @property
    def systems(self) -> int:
        return sum(self.systems_by_network.values())

    @property
    def datasets(self) -> int:
        return sum(self.datasets_by_share_type.values())


@dataclass(frozen=True)
class ZoneCount(Serialisable):
    network: str
    secrecy_level: str
    systems: int


@dataclass(frozen=True)
class MatrixView(Serialisable):
    """The sharing matrix cut to its busiest departments: ``cells[(provider, consumer)]``,
    with what was left out counted, so the heatmap stays readable and small at any size."""

    departments: list[dict[str, str]]
    cells: dict[tuple[str, str], int]
    total: int
    shown: int
    departments_total: int


def _by_department(graph: nx.MultiDiGraph) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per department code: its systems by network and its datasets by 共享类型."""
    rows: dict[str, tuple[Counter[str], Counter[str]]] = {}
    attrs = graph.nodes
    for dept in graphs.nodes(graph, "Department"):
        networks: Counter[str] = Counter(
            attrs[s].get("network") or NOT_DECLARED for s in graphs.out(graph, dept, "OPERATES")
        )
        shares: Counter[str] = Counter(
            attrs[d].get("share_type") or NOT_DECLARED for d in graphs.out(graph, dept, "PROVIDES")
        )
        rows[dept.key] = (networks, shares)
    return rows


def department_summaries(graph: nx.MultiDiGraph, findings: Iterable[Finding]) -> list[DepartmentSummary]:
    """Every visible department with its systems, datasets and the findings naming it,
    those with the most findings first, then the largest."""
    rows = on_graph(graph, "department-counts", _by_department)
    open_findings: Counter[str] = Counter(code for f in findings for code in f.departments)
    summaries = [
        DepartmentSummary(
            code=code,
            name=graphs.name_of(graph, NodeRef("Department", code)) or code,
            systems_by_network=dict(networks),
            datasets_by_share_type=dict(shares),
            findings=open_findings[code],
        )
        for code, (networks, shares) in rows.items()
    ]
    return sorted(summaries, key=lambda s: (-s.findings, -(s.systems + s.datasets), s.code))


def zones(graph: nx.MultiDiGraph) -> list[ZoneCount]:
    """Systems by network zone and 密级 (an undeclared network is its own zone); counted
    once per projection, since it walks every node (a second at a province's size)."""
    return on_graph(graph, "zones", _zones)


def _zones(graph: nx.MultiDiGraph) -> list[ZoneCount]:
    counts: Counter[tuple[str, str]] = Counter(
        (attrs.get("network") or NOT_DECLARED, attrs.get("secrecy_level") or "none")
        for _, attrs in graph.nodes(data=True)
        if attrs.get("label") == "System"
    )
    return [ZoneCount(network=n, secrecy_level=s, systems=c) for (n, s), c in sorted(counts.items())]


def matrix_view(graph: nx.MultiDiGraph, top: int) -> MatrixView:
    """The ``top`` departments by datasets provided plus received, and the cells among them."""
    matrix = on_graph(graph, "sharing-matrix", gaps.sharing_matrix)
    volume: Counter[str] = Counter()
    for provider, row in matrix.counts.items():
        for consumer, n in row.items():
            volume[provider] += n
            volume[consumer] += n
    chosen = {code for code, _ in sorted(volume.items(), key=lambda kv: (-kv[1], kv[0]))[:top]}
    cells = {
        (provider, consumer): n
        for provider, row in matrix.counts.items()
        if provider in chosen
        for consumer, n in row.items()
        if consumer in chosen
    }
    return MatrixView(
        departments=[d for d in matrix.departments if d["code"] in chosen],
        cells=cells,
        total=matrix.total(),
        shown=sum(cells.values()),
        departments_total=len(matrix.departments),
    )
