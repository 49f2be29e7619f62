"""How data gets from A to B: along sharing and derivation, not along needs or projects."""

import networkx as nx

from registry.analysis.paths import data_paths
from registry.schema.records import NodeRef

GA, MZ, SJ = (NodeRef("Department", c) for c in ("11330000002482233X", "11330000002482241K", "11330000MB1820350T"))
HUJI, JIUZHU = NodeRef("Dataset", "301001/000002"), NodeRef("Dataset", "302001/000001")
F_HUJI, F_JIUZHU = NodeRef("Field", "301001/000002#公民身份号码"), NodeRef("Field", "302001/000001#身份证号")
NEED = NodeRef("Need", "NEED-SJ-1")


def _graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for src, edge_type, dst in [
        (GA, "PROVIDES", HUJI),
        (MZ, "PROVIDES", JIUZHU),
        (HUJI, "HAS_FIELD", F_HUJI),
        (JIUZHU, "HAS_FIELD", F_JIUZHU),
        (F_JIUZHU, "DERIVED_FROM", F_HUJI),
        (SJ, "NEEDS", NEED),
        (NEED, "FOR", HUJI),
    ]:
        graph.add_edge(src, dst, key=edge_type, type=edge_type)
    return graph


def test_data_flows_from_provider_through_derived_fields_to_whoever_provides_them() -> None:
    graph = _graph()
    assert data_paths(graph, GA, MZ) == [[GA, HUJI, F_HUJI, F_JIUZHU, JIUZHU, MZ]]
    assert data_paths(graph, MZ, GA) == []


def test_a_need_is_not_a_flow_and_depth_bounds_the_search() -> None:
    graph = _graph()
    assert data_paths(graph, GA, SJ) == []
    assert data_paths(graph, GA, JIUZHU, depth=3) == []
    assert data_paths(graph, GA, JIUZHU) == [[GA, HUJI, F_HUJI, F_JIUZHU, JIUZHU]]
    assert data_paths(graph, GA, NodeRef("Department", "missing")) == []
