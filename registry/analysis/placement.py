"""Network placement compliance, rules NET-1 to NET-5 (docs/rules.md).

Classified systems (秘密/机密) belong on the e-government intranet, which carries 机密 and
below, so 绝密 belongs on neither e-government network; non-classified systems belong on
the extranet; department-private networks (部门专网) migrate, and no new ones may be built
after the 2013 opinion.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from registry.analysis import graphs
from registry.analysis.findings import Serialisable
from registry.i18n import label, label_of, t
from registry.schema.enums import Network, SecrecyLevel

NEW_PRIVATE_NETWORK_CUTOFF = date(2013, 2, 16)
"""NDRC opinion on e-government project construction (2013-02-16): no new private networks."""


@dataclass(frozen=True)
class PlacementFinding(Serialisable):
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
    evidence: dict[str, Any] = field(default_factory=dict)


def _approved_on(graph: nx.MultiDiGraph, system: Any) -> date | None:
    project = graphs.first(graphs.into(graph, system, "BUILDS"))
    if project is None:
        key = graph.nodes[system].get("project")
        project = next((p for p in graphs.nodes(graph, "Project") if p.key == key), None) if key else None
    value = graphs.attr(graph, project, "approved_on")
    return date.fromisoformat(value) if isinstance(value, str) else value


def _rules(
    secrecy: SecrecyLevel, network: str | None, public: bool, approved: date | None
) -> list[tuple[str, str, str]]:
    found = []
    if secrecy in (SecrecyLevel.SECRET, SecrecyLevel.CONFIDENTIAL) and network != Network.INTRANET:
        found.append(("NET-1", "error", t("net.1")))
    if secrecy is SecrecyLevel.TOP_SECRET and network in (Network.INTRANET, Network.EXTRANET):
        found.append(("NET-2", "error", t("net.2")))
    if network == Network.PRIVATE:
        target = label(Network.INTRANET if secrecy.classified else Network.EXTRANET)
        found.append(("NET-3", "warning", t("net.3", target=target)))
        if approved is not None and approved > NEW_PRIVATE_NETWORK_CUTOFF:
            found.append(("NET-4", "error", t("net.4")))
    if not secrecy.classified and public and network == Network.INTRANET:
        found.append(("NET-5", "advisory", t("net.5")))
    return found


def placement_findings(graph: nx.MultiDiGraph) -> list[PlacementFinding]:
    findings = []
    for system in graphs.nodes(graph, "System"):
        attrs = graph.nodes[system]
        secrecy = SecrecyLevel(attrs.get("secrecy_level") or "none")
        network = attrs.get("network")
        approved = _approved_on(graph, system)
        dept = graphs.department_of(graph, system)
        for rule, severity, action in _rules(secrecy, network, bool(attrs.get("public_service")), approved):
            name = attrs.get("name", system.key)
            where = label_of(Network, network) or t("net.undeclared")
            findings.append(
                PlacementFinding(
                    rule=rule,
                    severity=severity,
                    message=t("net.message", rule=rule, secrecy=label(secrecy), name=name, where=where, action=action),
                    system=system.key,
                    system_name=name,
                    department=dept.key if dept else None,
                    department_name=graphs.name_of(graph, dept),
                    secrecy_level=secrecy.value,
                    network=network,
                    action=action,
                    evidence={
                        "secrecy_level": secrecy.value,
                        "network": network,
                        "public_service": bool(attrs.get("public_service")),
                        "project_approved_on": approved.isoformat() if approved else None,
                    },
                )
            )
    return findings
