"""One authoritative source per data element (一数一源), rules SRC-1 to SRC-3.

A data element may name the department responsible for collecting it, and the dataset it
is collected in (AUTHORITATIVE_SOURCE). Another department holding the element in a
dataset of its own has collected it again unless it received it from the source: a
sharing relation from the source's data to the department (or one of its systems), or
lineage from a field of the source's data (SRC-1, the data-level form of duplicate
construction). Two responsible departments for one element (SRC-2) leave that question
without an answer, and an element many departments hold with none declared (SRC-3)
cannot be asked it. Elements marked ``universal`` (identifiers and generic attributes
every department records with its own business) are left out.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from registry.analysis import graphs
from registry.analysis.findings import Serialisable
from registry.analysis.rules import rule
from registry.schema.records import NodeRef

MIN_HOLDERS = 3
"""Departments holding an element for it to count as widely held (SRC-3)."""


@dataclass(frozen=True)
class SourceFinding(Serialisable):
    rule: str
    severity: str
    message: str
    subject: str
    """The element's code; for SRC-1 followed by the re-collecting dataset's code."""
    element: str
    element_name: str
    department: str | None
    department_name: str | None
    """The re-collecting department (SRC-1)."""
    source: str
    clause: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _holdings(graph: nx.MultiDiGraph, element: NodeRef) -> dict[NodeRef, dict[NodeRef, list[NodeRef]]]:
    """Per department, its datasets holding the element and their fields meaning it."""
    held: dict[NodeRef, dict[NodeRef, list[NodeRef]]] = defaultdict(lambda: defaultdict(list))
    for item in sorted(graphs.into(graph, element, "MEANS")):
        dataset = graphs.first(graphs.into(graph, item, "HAS_FIELD"))
        if dataset is None:
            continue
        department = graphs.department_of(graph, dataset)
        if department is not None:
            held[department][dataset].append(item)
    return held


def _authorities(graph: nx.MultiDiGraph, element: NodeRef) -> dict[NodeRef, list[NodeRef]]:
    """Responsible departments, each with the datasets declared authoritative for it."""
    found: dict[NodeRef, list[NodeRef]] = {}
    for target in sorted(graphs.out(graph, element, "AUTHORITATIVE_SOURCE")):
        if target.label == "Department":
            found.setdefault(target, [])
            continue
        department = graphs.department_of(graph, target)
        if department is not None:
            found.setdefault(department, []).append(target)
    return found


def _recipients(graph: nx.MultiDiGraph, dataset: NodeRef) -> set[NodeRef]:
    """Departments a dataset is shared with, directly or through one of their systems."""
    found = set()
    for target in graphs.out(graph, dataset, "SHARED_WITH"):
        department = graphs.department_of(graph, target)
        if department is not None:
            found.add(department)
    return found


def _derived_from(graph: nx.MultiDiGraph, item: NodeRef, sources: set[NodeRef], limit: int = 20) -> bool:
    """Whether a field's lineage (DERIVED_FROM, any depth up to ``limit``) reaches a source field."""
    seen, frontier = {item}, [item]
    for _ in range(limit):
        frontier = [s for f in frontier for s in graphs.out(graph, f, "DERIVED_FROM") if s not in seen]
        if not frontier:
            return False
        if any(f in sources for f in frontier):
            return True
        seen.update(frontier)
    return False


def source_findings(
    graph: nx.MultiDiGraph, *, min_holders: int = MIN_HOLDERS, elements: Sequence[NodeRef] | None = None
) -> list[SourceFinding]:
    """SRC-1..SRC-3 for every data element in ``graph`` (or the ``elements`` given, in key
    order), in element key then rule order."""
    findings: list[SourceFinding] = []
    for element in graphs.nodes(graph, "DataElement") if elements is None else elements:
        if graph.nodes[element].get("universal"):
            continue
        authorities = _authorities(graph, element)
        if len(authorities) > 1:
            findings.append(_src2(graph, element, authorities))
            continue
        held = _holdings(graph, element)
        if not authorities:
            if len(held) >= min_holders:
                findings.append(_src3(graph, element, held, min_holders))
            continue
        ((authority, declared),) = authorities.items()
        findings.extend(_src1(graph, element, authority, declared, held))
    return findings


def _name(graph: nx.MultiDiGraph, ref: NodeRef | None) -> str | None:
    return graphs.name_of(graph, ref)


def _finding(
    graph: nx.MultiDiGraph,
    rule_id: str,
    element: NodeRef,
    message: str,
    evidence: dict[str, Any],
    *,
    subject: str | None = None,
    department: NodeRef | None = None,
) -> SourceFinding:
    cited = rule(rule_id)
    return SourceFinding(
        rule=rule_id,
        severity="error" if rule_id == "SRC-1" else "warning",
        message=message,
        subject=subject or element.key,
        element=element.key,
        element_name=graph.nodes[element].get("name", element.key),
        department=department.key if department else None,
        department_name=_name(graph, department),
        source=cited.source,
        clause=cited.clause,
        evidence=evidence,
    )


def _src1(
    graph: nx.MultiDiGraph,
    element: NodeRef,
    authority: NodeRef,
    declared: list[NodeRef],
    held: dict[NodeRef, dict[NodeRef, list[NodeRef]]],
) -> list[SourceFinding]:
    own = held.get(authority, {})
    sources = sorted(set(declared) | set(own))
    source_fields = {f for dataset in sources for f in own.get(dataset, [])}
    receiving = set().union(*(_recipients(graph, s) for s in sources)) if sources else set()
    found = []
    element_name = graph.nodes[element].get("name", element.key)
    for department, datasets in sorted(held.items()):
        if department == authority or department in receiving:
            continue
        for dataset, items in sorted(datasets.items()):
            if any(_derived_from(graph, item, source_fields) for item in items):
                continue
            message = (
                f"SRC-1: {_name(graph, department)} 在「{_name(graph, dataset)}」中自行收集数据元「{element_name}」，"
                f"其权威来源为 {_name(graph, authority)}，且无来自权威来源的共享关系或数据血缘"
            )
            evidence = {
                "authority": {"code": authority.key, "name": _name(graph, authority)},
                "authoritative_datasets": [{"code": s.key, "name": _name(graph, s)} for s in sources],
                "dataset": {"code": dataset.key, "name": _name(graph, dataset)},
                "fields": [graph.nodes[f].get("name", f.key) for f in items],
            }
            found.append(
                _finding(
                    graph,
                    "SRC-1",
                    element,
                    message,
                    evidence,
                    subject=f"{element.key} {dataset.key}",
                    department=department,
                )
            )
    return found


def _src2(graph: nx.MultiDiGraph, element: NodeRef, authorities: dict[NodeRef, list[NodeRef]]) -> SourceFinding:
    names = "、".join(_name(graph, d) or d.key for d in authorities)
    element_name = graph.nodes[element].get("name", element.key)
    evidence = {
        "authorities": [
            {"code": d.key, "name": _name(graph, d), "datasets": [s.key for s in datasets]}
            for d, datasets in authorities.items()
        ]
    }
    return _finding(
        graph,
        "SRC-2",
        element,
        f"SRC-2: 数据元「{element_name}」同时声明了 {len(authorities)} 个权威来源：{names}",
        evidence,
    )


def _src3(
    graph: nx.MultiDiGraph, element: NodeRef, held: dict[NodeRef, dict[NodeRef, list[NodeRef]]], min_holders: int
) -> SourceFinding:
    element_name = graph.nodes[element].get("name", element.key)
    evidence = {
        "min_holders": min_holders,
        "holders": [
            {"code": d.key, "name": _name(graph, d), "datasets": sorted(s.key for s in datasets)}
            for d, datasets in sorted(held.items())
        ],
    }
    return _finding(
        graph,
        "SRC-3",
        element,
        f"SRC-3: 数据元「{element_name}」由 {len(held)} 个部门持有，未明确权威来源",
        evidence,
    )
