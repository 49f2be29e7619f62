"""Every analysis's findings in one shape, for the pages and the review queue.

A dashboard counting findings by rule, a work queue and a review decision need the same
few things of any finding, whatever analysis produced it: the rule, a message, the
entries it names, its evidence, a stable identity and a fingerprint of the evidence. Each
analysis is adapted here once (``FINDERS``); a rule another analysis adds appears in the
pages and the queue by adding its adapter to that list, with no page changed.

Identity is the rule and the entries named, so a finding keeps its identity while its
evidence changes. The fingerprint covers what the finding rests on and leaves out scores:
a duplicate's score moves with every unrelated import (its weights are corpus-wide), and
a decision must not be undone by that, only by a change in what the finding names.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from registry.analysis import duplicates, gaps, placement, projects, requests, sources
from registry.analysis.findings import Serialisable, jsonable
from registry.analysis.memo import on_graph
from registry.analysis.workdays import CalendarRangeError
from registry.schema.records import NodeRecord
from registry.schema.rows import GraphRows

FAMILIES = ("duplicate", "gap", "placement", "project", "request", "source")


@dataclass(frozen=True)
class Finding(Serialisable):
    id: str
    """Stable identity: rule, kind and the entries named (``Label:key``), hashed."""
    rule: str
    family: str
    kind: str
    severity: str | None
    message: str
    subjects: list[str]
    """The entries the finding names, ``Label:key``, most important first."""
    departments: list[str]
    """Codes of the departments concerned."""
    evidence: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    """Hash of what the finding rests on (not of its scores)."""


def _digest(value: Any) -> str:
    text = json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _without_scores(value: Any) -> Any:
    """The evidence with every float left out: scores and thresholds, not facts."""
    if isinstance(value, dict):
        return {k: _without_scores(v) for k, v in value.items() if not isinstance(v, float)}
    if isinstance(value, list):
        return [_without_scores(v) for v in value if not isinstance(v, float)]
    return value


def make(
    *,
    rule: str,
    family: str,
    kind: str,
    severity: str | None,
    message: str,
    subjects: list[str],
    departments: Iterable[str | None],
    evidence: dict[str, Any],
    basis: Any = None,
) -> Finding:
    """A finding with its identity and fingerprint; ``basis`` is what the fingerprint covers
    (by default the evidence without its scores)."""
    evidence = jsonable(evidence)
    return Finding(
        id=f"{rule}-{_digest([rule, kind, sorted(subjects)])[:12]}",
        rule=rule,
        family=family,
        kind=kind,
        severity=severity,
        message=message,
        subjects=subjects,
        departments=sorted({d for d in departments if d}),
        evidence=evidence,
        fingerprint=_digest([subjects, _without_scores(evidence) if basis is None else basis]),
    )


def _duplicates(rows: GraphRows) -> list[Finding]:
    """Read from the caller's rows, not the graph (``holdings``): the duplicates' matrix
    costs less read from them than from the projection."""
    found = []
    for kind in ("System", "Dataset"):
        for cluster in duplicates.find_duplicates(rows, kind=kind):
            shared = sorted(s.name for s in cluster.shared)
            found.append(
                make(
                    rule=cluster.rule,
                    family="duplicate",
                    kind=kind.lower(),
                    severity=None,
                    message=cluster.message,
                    subjects=[f"{kind}:{m.key}" for m in cluster.members],
                    departments=[m.department for m in cluster.members],
                    evidence={**cluster.evidence, "score": cluster.score, "shared": shared},
                    basis={"shared": shared, "projects": cluster.evidence.get("projects", [])},
                )
            )
    return found


def _gaps(graph: nx.MultiDiGraph) -> list[Finding]:
    return [
        make(
            rule=g.rule or g.kind,
            family="gap",
            kind=g.kind,
            severity=None,
            message=g.message,
            subjects=[f"{g.subject_label}:{g.subject}"],
            departments=[g.department],
            evidence=g.evidence,
        )
        for g in gaps.sharing_gaps(graph)
    ]


def _placement(graph: nx.MultiDiGraph) -> list[Finding]:
    return [
        make(
            rule=f.rule,
            family="placement",
            kind="placement",
            severity=f.severity,
            message=f.message,
            subjects=[f"System:{f.system}"],
            departments=[f.department],
            evidence={**f.evidence, "secrecy_level": f.secrecy_level, "network": f.network, "action": f.action},
        )
        for f in placement.placement_findings(graph)
    ]


def _projects(graph: nx.MultiDiGraph) -> list[Finding]:
    return [
        make(
            rule=f.rule,
            family="project",
            kind="project",
            severity=f.severity,
            message=f.message,
            subjects=[f"Project:{f.project}"],
            departments=[f.department],
            evidence={**f.evidence, "source": f.source, "clause": f.clause},
        )
        for f in projects.project_findings(graph)
    ]


def _requests(graph: nx.MultiDiGraph) -> list[Finding]:
    """Deadline findings are judged as of today, so their day counts move daily: the
    fingerprint covers the request and the rule only, and a decision on a late request
    holds while it stays late."""
    try:
        found = requests.request_findings(graph)
    except CalendarRangeError:
        return []  # today lies outside the official calendar's years: no deadline can be judged
    return [
        make(
            rule=f.rule,
            family="request",
            kind="request",
            severity=f.severity,
            message=f.message,
            subjects=[f"SharingRequest:{f.subject}"],
            departments=[f.requester, f.provider],
            evidence={**f.evidence, "source": f.source, "clause": f.clause},
            basis={"rule": f.rule},
        )
        for f in found
    ]


def _sources(graph: nx.MultiDiGraph) -> list[Finding]:
    return [
        make(
            rule=f.rule,
            family="source",
            kind="source",
            severity=f.severity,
            message=f.message,
            subjects=[f"DataElement:{f.element}"],
            departments=[f.department],
            evidence={**f.evidence, "subject": f.subject, "source": f.source, "clause": f.clause},
        )
        for f in sources.source_findings(graph)
    ]


FINDERS: list[Callable[[nx.MultiDiGraph], list[Finding]]] = [
    _gaps,
    _placement,
    _projects,
    _requests,
    _sources,
]
"""Every analysis on the graph that reports findings (besides ``_duplicates``, which reads
the rows); a new rule's analysis adds its adapter here."""


OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
STATUSES = (OPEN, CONFIRMED, DISMISSED)


def review_status(found: Finding, review: NodeRecord | None) -> tuple[str, bool]:
    """The finding's status under its last ``Review`` and whether that review is stale: a
    decision holds while the evidence fingerprint is the one it was made on; once the
    evidence changes the finding is open again."""
    if review is None:
        return OPEN, False
    if review.props.get("fingerprint") != found.fingerprint:
        return OPEN, True
    return str(review.props.get("decision")), False


def all_findings(graph: nx.MultiDiGraph, rows: GraphRows) -> list[Finding]:
    """Every finding on this graph and the same caller's ``rows``, computed once per
    projection (see ``memo``)."""
    return on_graph(graph, "findings", lambda g: [*_duplicates(rows), *(f for finder in FINDERS for f in finder(g))])
