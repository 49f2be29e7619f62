"""Small projections for the policy rules, built by the store's own projection builder
from the models' stored form (``props()``), so a rule sees what a loaded registry hands it."""

from collections.abc import Sequence
from typing import Any

import networkx as nx

from registry.schema.model import NodeModel
from registry.store.projection import build_from_rows

Edge = tuple[str, NodeModel, NodeModel] | tuple[str, NodeModel, NodeModel, dict[str, Any]]


def graph_of(nodes: Sequence[NodeModel], edges: Sequence[Edge] = ()) -> nx.MultiDiGraph:
    rows = [(n.LABEL, n.key(), dict(n.props())) for n in nodes]
    links = [
        (e[1].LABEL, e[1].key(), e[0], e[2].LABEL, e[2].key(), dict(e[3]) if len(e) == 4 else {})  # type: ignore[misc]
        for e in edges
    ]
    return build_from_rows(rows, links)
