"""Lineage and impact: where a field's data came from, what is derived from it, and what
breaks when a system or dataset goes away.

Lineage is recorded between fields (``(Field)-[:DERIVED_FROM]->(Field)``); a dataset's
lineage is that of its fields and a system's that of the datasets it holds. Each step is
lifted to its dataset, holding systems and department, so a planner sees both the
field-level trace and the organisations it crosses.
"""

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from registry.analysis import graphs
from registry.analysis.findings import Serialisable
from registry.i18n import plural, t
from registry.schema.records import NodeRef

Direction = Literal["up", "down", "both"]


@dataclass(frozen=True)
class LineageStep(Serialisable):
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


@dataclass(frozen=True)
class Lineage(Serialisable):
    root: str
    direction: str
    depth: int
    steps: list[LineageStep]
    datasets: list[str]
    systems: list[str]
    departments: list[str]


@dataclass(frozen=True)
class Impact(Serialisable):
    """What goes away with ``subject``, and who depends on it."""

    subject: str
    message: str
    datasets_lost: list[str]
    derived_datasets: list[str]
    systems: list[str]
    departments: list[dict[str, str]]
    needs: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)


def _start_fields(graph: nx.MultiDiGraph, ref: NodeRef) -> list[NodeRef]:
    if ref not in graph:
        raise KeyError(f"no {ref.label} {ref.key!r}")
    if ref.label == "Field":
        return [ref]
    if ref.label == "Dataset":
        return sorted(graphs.out(graph, ref, "HAS_FIELD"))
    if ref.label == "System":
        return sorted(f for ds in graphs.out(graph, ref, "HOLDS") for f in graphs.out(graph, ds, "HAS_FIELD"))
    raise ValueError(f"lineage is traced for fields, datasets and systems, not a {ref.label}")


def _walk(graph: nx.MultiDiGraph, start: list[NodeRef], up: bool, depth: int) -> list[tuple[NodeRef, int, NodeRef]]:
    """Breadth-first over DERIVED_FROM: upstream follows edges out (to sources), downstream in."""
    seen = set(start)
    queue = deque((f, 0) for f in start)
    found = []
    while queue:
        node, d = queue.popleft()
        if d >= depth:
            continue
        nexts = graphs.out(graph, node, "DERIVED_FROM") if up else graphs.into(graph, node, "DERIVED_FROM")
        for other in sorted(nexts):
            if other not in seen:
                seen.add(other)
                found.append((other, d + 1, node))
                queue.append((other, d + 1))
    return found


def _step(graph: nx.MultiDiGraph, fld: NodeRef, direction: str, depth: int, via: NodeRef) -> LineageStep:
    dataset = graphs.first(graphs.into(graph, fld, "HAS_FIELD"))
    systems = sorted(s.key for s in graphs.into(graph, dataset, "HOLDS")) if dataset else []
    dept = graphs.department_of(graph, fld)
    edge = (fld, via) if direction == "down" else (via, fld)
    props = graph.get_edge_data(*edge, key="DERIVED_FROM") or {}
    return LineageStep(
        field=fld.key,
        field_name=graph.nodes[fld].get("name", fld.key),
        dataset=dataset.key if dataset else None,
        dataset_name=graphs.name_of(graph, dataset),
        systems=systems,
        department=dept.key if dept else None,
        department_name=graphs.name_of(graph, dept),
        direction=direction,
        depth=depth,
        via=via.key,
        processing_method=props.get("processing_method"),
    )


def lineage(graph: nx.MultiDiGraph, ref: NodeRef, *, direction: Direction = "both", depth: int = 3) -> Lineage:
    if direction not in ("up", "down", "both"):
        raise ValueError(f"direction must be up, down or both, not {direction!r}")
    if depth < 1:
        raise ValueError("depth must be at least 1")
    start = _start_fields(graph, ref)
    steps = []
    for name in ("up", "down") if direction == "both" else (direction,):
        steps += [_step(graph, f, name, d, via) for f, d, via in _walk(graph, start, name == "up", depth)]
    return Lineage(
        root=str(ref),
        direction=direction,
        depth=depth,
        steps=steps,
        datasets=sorted({s.dataset for s in steps if s.dataset}),
        systems=sorted({k for s in steps for k in s.systems}),
        departments=sorted({s.department for s in steps if s.department}),
    )


def impact(graph: nx.MultiDiGraph, ref: NodeRef) -> Impact:
    """A system takes with it the datasets only it holds; a dataset is lost itself; a field
    loses no dataset, only what derives from it. Affected:
    whoever it is shared with, whoever declared a need for it, and everything derived
    from its fields (transitively), with their holding systems and departments."""
    if ref not in graph:
        raise KeyError(f"no {ref.label} {ref.key!r}")
    if ref.label == "System":
        lost = sorted(d for d in graphs.out(graph, ref, "HOLDS") if set(graphs.into(graph, d, "HOLDS")) == {ref})
    elif ref.label == "Dataset":
        lost = [ref]
    elif ref.label != "Field":
        raise ValueError(f"impact is computed for systems, datasets and fields, not a {ref.label}")
    if ref.label == "Field":
        # a field lost takes no dataset with it: what derives from it is affected, and
        # whoever receives or needs the dataset that carries it
        lost, fields, carriers = [], [ref], list(graphs.into(graph, ref, "HAS_FIELD"))
    else:
        fields, carriers = [f for d in lost for f in graphs.out(graph, d, "HAS_FIELD")], lost
    lost_set = set(lost) | set(carriers)
    derived = {
        ds
        for f, _d, _via in _walk(graph, fields, up=False, depth=len(graph))
        for ds in graphs.into(graph, f, "HAS_FIELD")
        if ds not in lost_set
    }
    consumers = {c for d in carriers for c in graphs.out(graph, d, "SHARED_WITH")}
    needs = {n for d in carriers for n in graphs.into(graph, d, "FOR") if n.label == "Need"}
    requesters = {r for n in needs for r in graphs.into(graph, n, "NEEDS")}
    affected_systems = {s for s in consumers | requesters if s.label == "System"}
    affected_systems |= {s for d in derived for s in graphs.into(graph, d, "HOLDS")}
    affected_systems.discard(ref)
    own = graphs.department_of(graph, ref)
    departments = {
        d
        for n in consumers | requesters | derived | affected_systems
        if (d := graphs.department_of(graph, n)) is not None and d != own
    }
    name = graphs.name_of(graph, ref)
    return Impact(
        subject=str(ref),
        message=t(
            "impact.message",
            label=t(f"label.{ref.label}"),
            name=name,
            lost=len(lost),
            lost_word=plural(len(lost), "dataset", "datasets"),
            derived=len(derived),
            derived_word=plural(len(derived), "dataset", "datasets"),
            systems=len(affected_systems),
            systems_word=plural(len(affected_systems), "system", "systems"),
            departments=len(departments),
            departments_word=plural(len(departments), "department", "departments"),
        ),
        datasets_lost=[d.key for d in lost],
        derived_datasets=sorted(d.key for d in derived),
        systems=sorted(s.key for s in affected_systems),
        departments=[{"code": d.key, "name": graphs.name_of(graph, d) or d.key} for d in sorted(departments)],
        needs=sorted(n.key for n in needs),
        evidence={
            "shared_with": sorted(str(c) for c in consumers),
            "requesters": sorted(str(r) for r in requesters),
        },
    )
