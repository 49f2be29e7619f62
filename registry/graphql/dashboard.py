"""The dashboard's aggregates as one query: counts computed on the server from the caller's
visible projection (``registry.analysis.overview``), so the page receives a few hundred
numbers whatever the registry's size, never the lists behind them."""

from collections import Counter

import networkx as nx
import strawberry

from registry.analysis import catalog, overview
from registry.graphql.findings import CONFIRMED, DISMISSED, decisions, findings_of, graph_of, status_of
from registry.graphql.nodes import Ctx
from registry.service import InvalidInput

MAX_ROWS = 500
MAX_MATRIX = 60


@strawberry.type
class KeyCount:
    key: str = strawberry.field(description="The counted value; empty where the entries do not declare it.")
    count: int


@strawberry.type
class RuleCount:
    rule: str
    family: str
    count: int = strawberry.field(description="Findings not dismissed (open or confirmed).")
    confirmed: int
    dismissed: int


@strawberry.type
class DepartmentSummary:
    code: str
    name: str
    systems: int
    datasets: int
    findings: int = strawberry.field(description="Findings naming the department, not dismissed.")
    systems_by_network: list[KeyCount]
    datasets_by_share_type: list[KeyCount]


@strawberry.type
class DepartmentSummaryPage:
    items: list[DepartmentSummary]
    total_count: int


@strawberry.type
class ZoneCount:
    network: str = strawberry.field(description="Network zone; empty where the system does not declare one.")
    secrecy_level: str
    systems: int


@strawberry.type
class HeatmapDepartment:
    code: str
    name: str


@strawberry.type
class HeatmapCell:
    provider: str
    consumer: str
    datasets: int


@strawberry.type(description="The sharing matrix cut to its busiest departments.")
class SharingHeatmap:
    departments: list[HeatmapDepartment]
    cells: list[HeatmapCell]
    total: int = strawberry.field(description="Datasets shared between departments, over the whole matrix.")
    shown: int = strawberry.field(description="Of which between the departments shown.")
    departments_total: int


@strawberry.type
class TrendSeries:
    rule: str
    counts: list[int] = strawberry.field(description="Findings of the rule present after each batch, oldest first.")


@strawberry.type(
    description="Findings (not dismissed) by the import batch that brought in the last of the entries each names, "
    "cumulated over the batches: how the current findings built up, load by load."
)
class FindingTrend:
    batches: list[str] = strawberry.field(description="Import batch ids, oldest first (the latest `last`).")
    series: list[TrendSeries]


MAX_TREND = 50


def _introduced(info: Ctx) -> dict[str, str]:
    """Per finding id, the newest creation batch among the entries it names (batch ids sort
    by time): read from the store once per state of the store the analyses read, like the
    findings (``RegistryService.analysed``), since the entries' records are tens of
    thousands of reads at a province's size."""
    service, caller = info.context.service, info.context.caller
    found = findings_of(info)

    def read(_graph: nx.MultiDiGraph) -> dict[str, str]:
        by_label: dict[str, set[str]] = {}
        for f in found:
            for s in f.subjects:
                label, _, key = s.partition(":")
                by_label.setdefault(label, set()).add(key)
        created = {
            f"{label}:{key}": record.created.batch
            for label, keys in by_label.items()
            for key, record in service.get_many(caller, label, keys).items()
        }
        return {f.id: max((created[s] for s in f.subjects if s in created), default="") for f in found}

    return service.analysed(caller, "finding-batches", read)


def _counts(values: dict[str, int]) -> list[KeyCount]:
    return [KeyCount(key=k, count=n) for k, n in sorted(values.items())]


@strawberry.type(description="What the dashboard shows, aggregated on the server.")
class Dashboard:
    graph: strawberry.Private[nx.MultiDiGraph]
    statuses: strawberry.Private[list[tuple[catalog.Finding, str]]]
    """Every finding with its review status, settled once for the whole query."""

    @strawberry.field(description="Findings per rule, by review status.")
    def findings_by_rule(self) -> list[RuleCount]:
        counts: Counter[tuple[str, str, str]] = Counter((f.rule, f.family, status) for f, status in self.statuses)
        rules = sorted({(rule, family) for rule, family, _ in counts})
        return [
            RuleCount(
                rule=rule,
                family=family,
                count=sum(n for (r, _, status), n in counts.items() if r == rule and status != DISMISSED),
                confirmed=counts[(rule, family, CONFIRMED)],
                dismissed=counts[(rule, family, DISMISSED)],
            )
            for rule, family in rules
        ]

    @strawberry.field(description="How the current findings built up over the last `last` import batches.")
    def trend(self, info: Ctx, last: int = 12) -> FindingTrend:
        if not 0 < last <= MAX_TREND:
            raise InvalidInput(f"last must be between 1 and {MAX_TREND}")
        batch_of = _introduced(info)
        introduced: Counter[tuple[str, str]] = Counter(
            (f.rule, batch_of.get(f.id, "")) for f, status in self.statuses if status != DISMISSED
        )
        batches = sorted({batch for _, batch in introduced if batch})[-last:]
        rules = sorted({rule for rule, _ in introduced})
        series: list[TrendSeries] = []
        for rule in rules:
            counts: list[int] = []
            running = at = 0
            # cumulative counts: findings introduced by this batch or an earlier one
            earlier = sorted((b, n) for (r, b), n in introduced.items() if r == rule)
            for batch in batches:
                while at < len(earlier) and earlier[at][0] <= batch:
                    running += earlier[at][1]
                    at += 1
                counts.append(running)
            series.append(TrendSeries(rule=rule, counts=counts))
        return FindingTrend(batches=batches, series=series)

    @strawberry.field(description="Departments with their systems, datasets and open findings, most findings first.")
    def departments(self, first: int = 50, offset: int = 0) -> DepartmentSummaryPage:
        if not 0 < first <= MAX_ROWS or offset < 0:
            raise InvalidInput(f"first must be between 1 and {MAX_ROWS}, offset not negative")
        rows = overview.department_summaries(self.graph, [f for f, status in self.statuses if status != DISMISSED])
        return DepartmentSummaryPage(
            items=[
                DepartmentSummary(
                    code=s.code,
                    name=s.name,
                    systems=s.systems,
                    datasets=s.datasets,
                    findings=s.findings,
                    systems_by_network=_counts(s.systems_by_network),
                    datasets_by_share_type=_counts(s.datasets_by_share_type),
                )
                for s in rows[offset : offset + first]
            ],
            total_count=len(rows),
        )

    @strawberry.field(description="Systems by network zone and 密级.")
    def zones(self) -> list[ZoneCount]:
        return [
            ZoneCount(network=z.network, secrecy_level=z.secrecy_level, systems=z.systems)
            for z in overview.zones(self.graph)
        ]

    @strawberry.field(description="Datasets shared between the `top` busiest departments.")
    def matrix(self, top: int = 25) -> SharingHeatmap:
        if not 0 < top <= MAX_MATRIX:
            raise InvalidInput(f"top must be between 1 and {MAX_MATRIX}")
        view = overview.matrix_view(self.graph, top)
        return SharingHeatmap(
            departments=[HeatmapDepartment(code=d["code"], name=d["name"]) for d in view.departments],
            cells=[HeatmapCell(provider=p, consumer=c, datasets=n) for (p, c), n in sorted(view.cells.items())],
            total=view.total,
            shown=view.shown,
            departments_total=view.departments_total,
        )


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="The dashboard's aggregates over what the caller may see.")
    def dashboard(self, info: Ctx) -> Dashboard:
        graph, decided = graph_of(info), decisions(info)
        statuses = [(f, status_of(f, decided)) for f in findings_of(info)]
        return Dashboard(graph=graph, statuses=statuses)
