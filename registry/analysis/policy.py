"""All the policy rules in one pass: PRJ-*, REQ-* and SRC-* as ``registry check`` runs them.

Each rule alone lists its subjects by scanning every node of the projection, which at a
national registry's two million fields costs more than judging them; run together, the
three labels are listed in one scan and handed to each rule.
"""

from dataclasses import dataclass
from datetime import date

import networkx as nx

from registry.analysis.projects import BUDGET_THRESHOLD, ProjectFinding, project_findings
from registry.analysis.requests import Deadlines, RequestFinding, request_findings
from registry.analysis.sources import MIN_HOLDERS, SourceFinding, source_findings
from registry.schema.records import NodeRef

LABELS = ("Project", "SharingRequest", "DataElement")


@dataclass(frozen=True)
class PolicyFindings:
    projects: list[ProjectFinding]
    requests: list[RequestFinding]
    sources: list[SourceFinding]


def subjects(graph: nx.MultiDiGraph) -> dict[str, list[NodeRef]]:
    """The nodes of each policy label, in key order, from one scan of the graph."""
    found: dict[str, list[NodeRef]] = {label: [] for label in LABELS}
    for node, attrs in graph._node.items():
        bucket = found.get(attrs.get("label"))
        if bucket is not None:
            bucket.append(node)
    return {label: sorted(nodes, key=lambda ref: ref.key) for label, nodes in found.items()}


def policy_findings(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    deadlines: Deadlines | None = None,
    budget_threshold: float = BUDGET_THRESHOLD,
    min_holders: int = MIN_HOLDERS,
) -> PolicyFindings:
    """Every project, request and source finding, judged as of ``as_of`` (default today)."""
    today = as_of or date.today()
    listed = subjects(graph)
    return PolicyFindings(
        projects=project_findings(graph, as_of=today, budget_threshold=budget_threshold, projects=listed["Project"]),
        requests=request_findings(graph, as_of=today, deadlines=deadlines, requests=listed["SharingRequest"]),
        sources=source_findings(graph, min_holders=min_holders, elements=listed["DataElement"]),
    )
