"""Which clearance each node needs: the single rule behind every list, count, search,
error and analysis a caller sees.

A node needs the clearance of the most sensitive thing it reveals:
- a system: its 密级, and at least SECRET when it runs on the intranet;
- a dataset: its own 密级; when every system holding it needs clearance, the least of
  those (intranet-only data); and the level of any of its fields (see lineage);
- a field: its dataset's level, raised by lineage: data derived from classified data is
  classified unless the field or its dataset is explicitly declassified;
- an interface: SECRET on the intranet, and no less than the least of what it exposes;
- a need or a sharing request: its requester's level and its target's (a request for
  hidden data is hidden);
- a project: the least of the systems it builds (a project building only classified
  systems is itself classified);
- an import batch: SECRET (its counts would reveal how much classified data it carried);
- a review decision: the highest level of the entries its finding names (REVIEWS), and
  SECRET when it names none still present (its stored message would name them).
Departments and data elements are public. An edge is visible when both ends are.
Levels only rise during the fixpoint, so it ends after at most a few passes.
"""

from collections.abc import Mapping
from typing import Any

import networkx as nx

from registry.collector import gc_paused
from registry.schema.enums import Clearance, Network, SecrecyLevel
from registry.schema.records import LEVELS, NodeRef

INTRANET = int(Clearance.SECRET)
HIGHEST_LEVEL = max(level.rank for level in SecrecyLevel)
"""No node needs more than this; a caller cleared for it is hidden nothing."""
PUBLIC_LABELS = frozenset({"Department", "DataElement"})
"""Labels public by rule, retired or not."""


def sees_retired(clearance: int, label: str) -> bool:
    """Whether a caller cleared for ``clearance`` may see a retired ``label`` entry. A
    retired entry has no level (levels are of the live registry), so only a caller
    cleared for everything sees one, except where the label is public by rule: in
    history, the change feed and past states alike."""
    return clearance >= HIGHEST_LEVEL or label in PUBLIC_LABELS


_RANK = {level.value: level.rank for level in SecrecyLevel}
LEVEL_PROPERTIES = ("secrecy_level", "network", "declassified")
"""Every property a level is read from (``own_level`` and the lineage's declassification):
what keeping levels up to date reads of each node, not its whole property map."""


def _secrecy(attrs: Mapping[str, Any]) -> int:
    value = attrs.get("secrecy_level", "none")
    rank = _RANK.get(value)
    return SecrecyLevel(value).rank if rank is None else rank


def own_level(label: str, attrs: Mapping[str, Any]) -> int:
    """What a node needs by its own properties, before anything it is linked to raises it."""
    if label == "System":
        return max(_secrecy(attrs), INTRANET if attrs.get("network") == Network.INTRANET else 0)
    if label in ("Dataset", "Field"):
        return _secrecy(attrs)
    if label == "Interface":
        return INTRANET if attrs.get("network") == Network.INTRANET else 0
    if label == "ImportBatch":
        return INTRANET
    return 0


def _linked(adjacency: dict[NodeRef, Any], node: NodeRef, edge_type: str) -> list[NodeRef]:
    """Neighbours over one edge type, read from networkx's adjacency dicts (``_succ`` or
    ``_pred``: neighbour -> {edge type: attributes}) rather than through its edge views,
    which build a tuple per edge and made this function the cost of every first read
    after a write on a province-sized registry."""
    return [other for other, types in adjacency[node].items() if edge_type in types]


def required_levels(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
    with gc_paused():
        return _levels(graph)


def _levels(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
    succ, pred = graph._succ, graph._pred
    level: dict[NodeRef, int] = {}
    by_label: dict[str, list[NodeRef]] = {}
    for node, attrs in graph.nodes(data=True):
        label = attrs["label"]
        by_label.setdefault(label, []).append(node)
        level[node] = own_level(label, attrs)

    datasets = by_label.get("Dataset", [])
    fields = by_label.get("Field", [])
    for dataset in datasets:
        holders = [level[s] for s in _linked(pred, dataset, "HOLDS")]
        if holders and min(holders) > 0:
            level[dataset] = max(level[dataset], min(holders))

    attrs_of = graph.nodes
    dataset_fields = {d: _linked(succ, d, "HAS_FIELD") for d in datasets}
    # (field, its owner, the fields it derives from unless declassified): fixed for the fixpoint
    lineage: list[tuple[NodeRef, NodeRef | None, list[NodeRef]]] = []
    for field in fields:
        owners = _linked(pred, field, "HAS_FIELD")
        owner = owners[0] if owners else None
        declassified = bool(attrs_of[field].get("declassified")) or (
            owner is not None and bool(attrs_of[owner].get("declassified"))
        )
        lineage.append((field, owner, [] if declassified else _linked(succ, field, "DERIVED_FROM")))

    changed = True
    while changed:
        changed = False
        for field, owner, sources in lineage:
            old = level[field]
            new = old if owner is None else max(old, level[owner])
            for source in sources:
                new = max(new, level[source])
            if new != old:
                level[field], changed = new, True
        for owner, members in dataset_fields.items():
            old = level[owner]
            new = max([old, *(level[f] for f in members)])
            if new != old:
                level[owner], changed = new, True

    for node in by_label.get("Interface", []):
        exposed = [level[d] for d in _linked(pred, node, "EXPOSED_VIA")]
        if exposed:
            level[node] = max(level[node], min(exposed))
    for node in by_label.get("Project", []):
        built = [level[s] for s in _linked(succ, node, "BUILDS")]
        if built:
            level[node] = min(built)
    for node in by_label.get("Need", []):
        related = [level[n] for n in _linked(pred, node, "NEEDS")]
        related += [level[n] for n in _linked(succ, node, "FOR")]
        level[node] = max(related, default=0)
    for node in by_label.get("SharingRequest", []):
        related = [level[n] for n in _linked(succ, node, "FOR")]
        level[node] = max(related, default=0)
    for node in by_label.get("Review", []):
        level[node] = max((level[n] for n in _linked(succ, node, "REVIEWS")), default=INTRANET)
    return level


def levels_of(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
    """``required_levels``, remembered on the graph itself. A projection is cached per store
    version and never mutated, so its levels cannot change; remembering them lets the
    service and every analysis on that projection share one computation (1.5 s at 10k
    datasets, 15 s at 100k). A caller's visible graph is cut from the full projection with
    its graph attributes, so it carries the full graph's levels: the service's rule as
    computed on everything, not recomputed on what is left after the cut."""
    levels: dict[NodeRef, int] | None = graph.graph.get(LEVELS)
    if levels is None:
        levels = graph.graph[LEVELS] = required_levels(graph)
    return levels


def hidden_from(levels: dict[NodeRef, int], clearance: Clearance) -> frozenset[NodeRef]:
    return frozenset(node for node, needed in levels.items() if needed > clearance)
