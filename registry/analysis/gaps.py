"""Sharing gaps (docs/rules.md): needs nobody meets, needs that policy or the network boundary
blocks, shareable data nobody uses, conditional shares without their condition, and
catalogue items missing one of the five required attributes (SHR-1).

Which clearance a dataset needs is the service's visibility rule; the service hands the
levels over with the projection (``graph.graph[LEVELS]``) or the caller passes them, so
this module reads them as data. Classification carried along lineage counts here too:
data derived from classified data, or held only on the intranet, can only be provided
on the intranet, and state secrets are out of scope for sharing.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx

from registry.analysis import graphs
from registry.analysis.fieldnames import FieldNormaliser
from registry.analysis.findings import Serialisable
from registry.analysis.matrix import normaliser_for
from registry.collector import gc_paused
from registry.i18n import label_of, language, t
from registry.schema.enums import Clearance, Network, ShareType, UpdateCycle
from registry.schema.records import LEVELS, NodeRef

INTRANET = int(Clearance.SECRET)
"""A dataset needing at least this clearance can only be provided on the intranet."""
KINDS = (
    "unmet_need",
    "blocked_need",
    "boundary_need",
    "unused_dataset",
    "conditional_without_condition",
    "incomplete_item",
    "stale_dataset",
)
MAX_AGE: dict[str, timedelta] = {
    UpdateCycle.REALTIME: timedelta(days=1),
    UpdateCycle.DAILY: timedelta(days=1),
    UpdateCycle.WEEKLY: timedelta(days=7),
    UpdateCycle.TEN_DAYS: timedelta(days=10),
    UpdateCycle.MONTHLY: timedelta(days=31),
    UpdateCycle.QUARTERLY: timedelta(days=92),
    UpdateCycle.HALF_YEARLY: timedelta(days=183),
    UpdateCycle.YEARLY: timedelta(days=366),
}
"""How old a dataset's last data update may be for its declared 更新周期 (a real-time one
is expected to report at least daily); 不定期 and 其他 are never stale."""
SHAREABLE = (ShareType.UNCONDITIONAL, ShareType.CONDITIONAL)
REQUIRED_ATTRIBUTES = ("fields", "format", "interface", "processing_method", "traceability_requirement")
Adjacency = dict[NodeRef, dict[NodeRef, dict[str, Any]]]
"""networkx's ``_succ`` / ``_pred``: node -> neighbour -> {edge type: attributes}."""


@dataclass(frozen=True)
class Gap(Serialisable):
    kind: str
    rule: str | None
    message: str
    subject: str
    subject_label: str
    department: str | None
    department_name: str | None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SharingMatrix(Serialisable):
    """Who provides to whom: ``counts[provider][consumer]`` datasets shared."""

    departments: list[dict[str, str]]
    counts: dict[str, dict[str, int]]

    def total(self) -> int:
        return sum(sum(row.values()) for row in self.counts.values())


class _Context:
    """Indexes built once per run: providers of each element, holders' networks, levels.

    Built from networkx's adjacency dicts in one pass over the nodes, in whatever order
    the graph holds them (the provider index is a set per element); findings are sorted
    once at the end. At 100k datasets (2M fields) resolving each field through sorted edge
    views, and sorting every label's nodes, was most of the run."""

    def __init__(self, graph: nx.MultiDiGraph, levels: Mapping[NodeRef, int] | None = None) -> None:
        self.graph = graph
        self.attrs: dict[NodeRef, dict[str, Any]] = graph._node
        self.succ: Adjacency = graph._succ
        self.pred: Adjacency = graph._pred
        self._levels = levels
        self.by_label: dict[str, list[NodeRef]] = defaultdict(list)
        for node, attrs in self.attrs.items():
            self.by_label[attrs.get("label")].append(node)
        self._by_element: dict[str, set[NodeRef]] | None = None
        self._providers: dict[str, list[NodeRef]] = {}
        self._shareable: dict[NodeRef, list[NodeRef]] = {}
        self._intranet_only: dict[NodeRef, bool] = {}
        self.used: set[NodeRef] = set()
        """Datasets a need names directly; a need for a data element that many datasets
        provide does not make each of them used."""

    @property
    def by_element(self) -> dict[str, set[NodeRef]]:
        """Built on the first need for a data element: the dataset gap kinds do not need it."""
        if self._by_element is None:
            self._by_element = self._index_fields(normaliser_for(self.graph))
        return self._by_element

    def _index_fields(self, normaliser: FieldNormaliser) -> dict[str, set[NodeRef]]:
        """The datasets holding each data element, by the token of each field (its MEANS
        element, else its normalised name): one pass over each dataset's fields, the inner
        loop inlined (a call per field was a third of the run at 2M fields). A field held
        by several datasets counts for the least of them only, as ``graphs.first`` resolves it."""
        attrs, succ, pred, token_of = self.attrs, self.succ, self.pred, normaliser.token
        by_element: dict[str, set[NodeRef]] = defaultdict(set)
        for dataset in self.by_label["Dataset"]:
            tokens = set()
            for fld, types in succ[dataset].items():
                if "HAS_FIELD" not in types:
                    continue
                if len(pred[fld]) > 1 and self.linked(pred, fld, "HAS_FIELD") != dataset:
                    continue
                element = None
                for other, kinds in succ[fld].items():
                    if "MEANS" in kinds and (element is None or other < element):
                        element = other
                tokens.add("E:" + element.key if element is not None else token_of(attrs[fld].get("name", "")))
            for token in tokens:
                by_element[token].add(dataset)
        return by_element

    @staticmethod
    def linked(adjacency: Adjacency, node: NodeRef, edge_type: str) -> NodeRef | None:
        """The least neighbour over one edge type (``graphs.first``), without a generator
        or a sort for the usual single neighbour."""
        found = [other for other, types in adjacency[node].items() if edge_type in types]
        if len(found) < 2:
            return found[0] if found else None
        return min(found)

    def providers(self, target: NodeRef) -> list[NodeRef]:
        """Datasets providing the target, in key order (all are datasets, so key order is
        NodeRef order); many needs ask for the same few elements, so each list is sorted once."""
        if target.label == "Dataset":
            return [target]
        token = f"E:{target.key}"
        found = self._providers.get(token)
        if found is None:
            found = self._providers[token] = sorted(self.by_element.get(token, ()), key=_key)
        return found

    def shareable_providers(self, target: NodeRef, providers: list[NodeRef]) -> list[NodeRef]:
        """The shareable ones among a target's providers, once per target: an element held
        by thousands of datasets is asked for by many needs, and filtering its providers
        for each made the need pass grow with needs x providers (14 s at 100k datasets)."""
        found = self._shareable.get(target)
        if found is None:
            found = self._shareable[target] = [p for p in providers if self.shareable(p)]
        return found

    def shareable(self, dataset: NodeRef) -> bool:
        """Declared shareable and not itself a state secret (secrets are out of scope)."""
        attrs = self.attrs[dataset]
        return attrs.get("share_type") in SHAREABLE and attrs.get("secrecy_level", "none") == "none"

    def provided_only_on_intranet(self, target: NodeRef, shareable: list[NodeRef]) -> bool:
        """Every shareable provider is intranet-only; once per target, like its providers."""
        found = self._intranet_only.get(target)
        if found is None:
            found = self._intranet_only[target] = all(self.intranet_only(p) for p in shareable)
        return found

    def intranet_only(self, dataset: NodeRef) -> bool:
        """Levels are the service's rule, handed over as data: given, or carried by the
        projection the service built (read on the first boundary question only)."""
        if self._levels is None:
            levels = self.graph.graph.get(LEVELS)
            if levels is None:
                raise ValueError("the boundary question needs clearance levels: pass levels, or a service projection")
            self._levels = levels
        return self._levels.get(dataset, 0) >= INTRANET

    def consumer_outside(self, requester: NodeRef) -> bool:
        """The requester runs only off the intranet: an extranet (or internet) system, or a
        department all of whose systems are."""
        if requester.label == "System":
            return graphs.attr(self.graph, requester, "network") not in (None, Network.INTRANET)
        systems = list(graphs.out(self.graph, requester, "OPERATES"))
        return bool(systems) and all(
            graphs.attr(self.graph, s, "network") not in (None, Network.INTRANET) for s in systems
        )


def _key(ref: NodeRef) -> str:
    return ref.key


def _gap(
    graph: nx.MultiDiGraph, kind: str, subject: NodeRef, message: str, rule: str | None = None, **evidence: Any
) -> Gap:
    dept = graphs.department_of(graph, subject)
    return Gap(
        kind=kind,
        rule=rule,
        message=message,
        subject=subject.key,
        subject_label=subject.label,
        department=dept.key if dept else None,
        department_name=graphs.name_of(graph, dept),
        evidence=evidence,
    )


def _need_gaps(ctx: _Context, boundary: bool) -> list[Gap]:
    """Unmet, blocked and (when ``boundary``) boundary needs; the boundary question is the
    only one that needs levels."""
    graph = ctx.graph
    found = []
    for need in ctx.by_label["Need"]:
        requester = ctx.linked(ctx.pred, need, "NEEDS")
        target = ctx.linked(ctx.succ, need, "FOR")
        if target is None:
            continue
        providers = ctx.providers(target)
        if target.label == "Dataset":
            ctx.used.add(target)
        what = f"{t('label.' + target.label)} {graphs.name_of(graph, target)!r}"
        base: dict[str, Any] = {
            "requester": str(requester) if requester else None,
            "target": str(target),
            "purpose": ctx.attrs[need].get("purpose"),
            "providers": [p.key for p in providers[:20]],
        }
        shareable = ctx.shareable_providers(target, providers)
        if not providers:
            found.append(_gap(graph, "unmet_need", need, t("gap.unmet_need", what=what), **base))
        elif not shareable:
            found.append(
                _gap(
                    graph,
                    "blocked_need",
                    need,
                    t("gap.blocked_need", what=what),
                    **base,
                    share_types={p.key: ctx.attrs[p].get("share_type") for p in providers[:20]},
                )
            )
        elif (
            boundary
            and requester is not None
            and ctx.consumer_outside(requester)
            and ctx.provided_only_on_intranet(target, shareable)
        ):
            found.append(
                _gap(
                    graph,
                    "boundary_need",
                    need,
                    t("gap.boundary_need", what=what),
                    **base,
                    requester_network=graphs.attr(graph, requester, "network"),
                )
            )
    return found


def _attributes_missing(ctx: _Context, dataset: NodeRef, fields: list[NodeRef], exposed: bool) -> list[str]:
    attrs = ctx.attrs[dataset]

    def declared(name: str) -> bool:
        return bool(attrs.get(name)) or (bool(fields) and all(ctx.attrs[f].get(name) for f in fields))

    present = {
        "fields": bool(fields),
        "format": bool(attrs.get("format_category") or attrs.get("format_type")),
        "interface": bool(attrs.get("share_mode")) or exposed,
        "processing_method": declared("processing_method"),
        "traceability_requirement": declared("traceability_requirement"),
    }
    return [name for name in REQUIRED_ATTRIBUTES if not present[name]]


def _listed(missing: list[str]) -> str:
    names = [t(f"attr.{name}") for name in missing]
    return "、".join(names) if language() == "zh" else ", ".join(names)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stale(
    ctx: _Context, dataset: NodeRef, attrs: dict[str, Any], now: datetime, interfaces: list[NodeRef]
) -> Gap | None:
    """A dataset whose last data update is older than its update cycle allows. The last
    update is the latest of the dataset's own and of the deliveries its interfaces
    (EXPOSED_VIA) reported."""
    cycle = attrs.get("update_cycle")
    allowed = MAX_AGE.get(cycle) if isinstance(cycle, str) else None
    if allowed is None:
        return None
    reports = [
        (attrs.get("data_updated_at"), None),
        *((ctx.attrs[i].get("data_updated_at"), i.key) for i in interfaces),
    ]
    known = [(moment, raw, via) for raw, via in reports if (moment := _moment(raw)) is not None]
    if not known:
        return None
    last, reported, via = max(known, key=lambda report: report[0])
    due = last + allowed
    if now <= due:
        return None
    overdue = now - due
    name = attrs.get("name", dataset.key)
    return _gap(
        ctx.graph,
        "stale_dataset",
        dataset,
        t(
            "gap.stale_dataset",
            name=name,
            cycle=label_of(UpdateCycle, cycle),
            last=last.date().isoformat(),
            days=overdue.days,
        ),
        update_cycle=cycle,
        data_updated_at=str(reported),
        reported_by_interface=via,
        due=due.isoformat(timespec="seconds"),
        overdue_days=round(overdue.total_seconds() / 86400, 1),
    )


def _dataset_gaps(ctx: _Context, now: datetime) -> list[Gap]:
    graph = ctx.graph
    found = []
    for dataset in ctx.by_label["Dataset"]:
        attrs = ctx.attrs[dataset]
        name = attrs.get("name", dataset.key)
        fields, shared, interfaces = [], False, []
        for other, types in ctx.succ[dataset].items():
            if "HAS_FIELD" in types:
                fields.append(other)
            if "EXPOSED_VIA" in types:
                interfaces.append(other)
            shared = shared or "SHARED_WITH" in types
        exposed = bool(interfaces)
        if ctx.shareable(dataset) and not shared and dataset not in ctx.used:
            found.append(
                _gap(
                    graph,
                    "unused_dataset",
                    dataset,
                    t("gap.unused_dataset", name=name, share=label_of(ShareType, attrs.get("share_type"))),
                    share_type=attrs.get("share_type"),
                    shared_with=[],
                    needs=0,
                )
            )
        if attrs.get("share_type") == ShareType.CONDITIONAL and not (attrs.get("share_condition") or "").strip():
            found.append(
                _gap(
                    graph,
                    "conditional_without_condition",
                    dataset,
                    t("gap.conditional_without_condition", name=name),
                    share_type=attrs.get("share_type"),
                    share_condition=attrs.get("share_condition"),
                )
            )
        stale = _stale(ctx, dataset, attrs, now, interfaces)
        if stale is not None:
            found.append(stale)
        missing = _attributes_missing(ctx, dataset, fields, exposed)
        if missing:
            found.append(
                _gap(
                    graph,
                    "incomplete_item",
                    dataset,
                    t("gap.incomplete_item", name=name, missing=_listed(missing)),
                    rule="SHR-1",
                    missing=missing,
                )
            )
    return found


def _named_datasets(ctx: _Context) -> list[NodeRef]:
    """The datasets needs name directly (what ``_need_gaps`` marks used), without the
    provider index that only the need kinds use."""
    return [t for need in ctx.by_label["Need"] if (t := ctx.linked(ctx.succ, need, "FOR")) and t.label == "Dataset"]


_NEED_KINDS = frozenset(("unmet_need", "blocked_need", "boundary_need"))


def _report_order(gap: Gap) -> tuple[int, str, int]:
    """Needs first, then datasets, each in key order, a dataset's gaps in ``KINDS`` order."""
    return (0 if gap.kind in _NEED_KINDS else 1, gap.subject, KINDS.index(gap.kind))


def sharing_gaps(
    graph: nx.MultiDiGraph,
    *,
    kind: str | None = None,
    department: str | None = None,
    levels: Mapping[NodeRef, int] | None = None,
    now: datetime | None = None,
) -> list[Gap]:
    """Every gap, or those of one kind, or those concerning one department (as requester
    of a need, or as provider of a dataset). ``levels`` (the clearance each node needs)
    default to those the service's projection carries. The collector is paused: the pass
    allocates per field over a graph of millions of objects, which it would rescan again
    and again."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown gap kind {kind!r}; expected one of {', '.join(KINDS)}")
    wants_needs = kind is None or kind in _NEED_KINDS
    wants_datasets = kind is None or kind not in _NEED_KINDS
    with gc_paused():
        ctx = _Context(graph, levels)
        found = []
        if wants_needs:
            found += _need_gaps(ctx, boundary=kind in (None, "boundary_need"))
        elif kind == "unused_dataset":
            ctx.used.update(_named_datasets(ctx))
        if wants_datasets:
            found += _dataset_gaps(ctx, now or datetime.now(UTC))
    found.sort(key=_report_order)
    return [g for g in found if (kind is None or g.kind == kind) and (department is None or g.department == department)]


def sharing_matrix(graph: nx.MultiDiGraph) -> SharingMatrix:
    """Datasets each department provides to each other department (directly, or to one of
    its systems), from the SHARED_WITH relations the caller may see."""
    pairs: Counter[tuple[str, str]] = Counter()
    for dataset in graphs.nodes(graph, "Dataset"):
        provider = graphs.department_of(graph, dataset)
        if provider is None:
            continue
        consumers = {graphs.department_of(graph, c) for c in graphs.out(graph, dataset, "SHARED_WITH")}
        for consumer in consumers:
            if consumer is not None and consumer != provider:
                pairs[(provider.key, consumer.key)] += 1
    involved = sorted({k for pair in pairs for k in pair})
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for (source, sink), n in sorted(pairs.items()):
        counts[source][sink] = n
    departments = [{"code": k, "name": graphs.name_of(graph, NodeRef("Department", k)) or k} for k in involved]
    return SharingMatrix(departments=departments, counts=dict(counts))
