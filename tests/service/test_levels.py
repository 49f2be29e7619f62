"""Levels kept up to date by each write (``registry.service.levels``) equal a full
recomputation (``required_levels``) on random registries and random writes, and an
update reads only the closure of what the write touched."""

import random
from collections.abc import Collection
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from registry.schema.records import ChangeSet, Direction, EdgeWrite, Key, NodeRef, NodeWrite, Provenance
from registry.service.levels import StoreGraph, closure, update_levels
from registry.service.visibility import required_levels
from registry.store.sqlite import SQLiteStore

SECRECY = ["none", "none", "none", "secret", "confidential", "top_secret"]
NETWORKS = ["extranet", "extranet", "internet", "private", "intranet"]


class NxGraph:
    """The ``Graph`` an update reads, over a projection; counts what it is asked."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.asked: set[Key] = set()

    def props(self, keys: Collection[Key]) -> dict[Key, dict[str, Any]]:
        self.asked.update(keys)
        refs = [NodeRef(*key) for key in keys]
        return {
            _key(r): {k: v for k, v in self.graph.nodes[r].items() if k != "label"} for r in refs if r in self.graph
        }

    def linked(self, keys: Collection[Key], edge_type: str, direction: Direction) -> dict[Key, list[Key]]:
        self.asked.update(keys)
        adjacency = self.graph._succ if direction == "out" else self.graph._pred
        refs = [NodeRef(*key) for key in keys]
        return {
            _key(r): [_key(other) for other, types in adjacency[r].items() if edge_type in types]
            for r in refs
            if r in self.graph
        }


def _key(ref: NodeRef) -> Key:
    return (ref.label, ref.key)


def _keys(refs: Collection[NodeRef]) -> set[Key]:
    return {_key(ref) for ref in refs}


def _node(graph: nx.MultiDiGraph, label: str, key: str, **props: Any) -> NodeRef:
    ref = NodeRef(label, key)
    graph.add_node(ref, label=label, **props)
    return ref


def _random_registry(rng: random.Random, size: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    systems = [
        _node(graph, "System", f"SYS-{i}", network=rng.choice(NETWORKS), secrecy_level=rng.choice(SECRECY))
        for i in range(size)
    ]
    datasets = [
        _node(graph, "Dataset", f"30100{i}/001", secrecy_level=rng.choice(SECRECY), declassified=rng.random() < 0.1)
        for i in range(size * 2)
    ]
    fields = []
    for dataset in datasets:
        for name in rng.sample(["姓名", "身份证号", "住址", "电话", "单位"], rng.randint(1, 4)):
            field = _node(graph, "Field", f"{dataset.key}#{name}", secrecy_level=rng.choice(SECRECY[:4]))
            graph.nodes[field]["declassified"] = rng.random() < 0.05
            graph.add_edge(dataset, field, key="HAS_FIELD")
            fields.append(field)
        for system in rng.sample(systems, rng.randint(0, 2)):
            graph.add_edge(system, dataset, key="HOLDS")
    for field in fields:
        if rng.random() < 0.3:
            graph.add_edge(field, rng.choice(fields), key="DERIVED_FROM")
    for i in range(size // 2 + 1):
        interface = _node(graph, "Interface", f"API-{i}", network=rng.choice(NETWORKS))
        for dataset in rng.sample(datasets, 2):
            graph.add_edge(dataset, interface, key="EXPOSED_VIA")
        project = _node(graph, "Project", f"PRJ-{i}")
        for system in rng.sample(systems, rng.randint(1, 3)):
            graph.add_edge(project, system, key="BUILDS")
        need = _node(graph, "Need", f"NEED-{i}")
        graph.add_edge(rng.choice(systems), need, key="NEEDS")
        graph.add_edge(need, rng.choice(datasets), key="FOR")
        request = _node(graph, "SharingRequest", f"REQ-{i}")
        graph.add_edge(request, rng.choice(datasets), key="FOR")
        review = _node(graph, "Review", f"REV-{i}")
        for subject in rng.sample([need, request, interface, project, *rng.sample(fields, 2)], rng.randint(0, 2)):
            graph.add_edge(review, subject, key="REVIEWS")
    return graph


def _random_write(rng: random.Random, graph: nx.MultiDiGraph) -> set[NodeRef]:
    """Change the graph as a write would; what it touched, as the service reports it."""
    touched: set[NodeRef] = set()
    nodes = list(graph.nodes)
    for _ in range(rng.randint(1, 4)):
        ref = rng.choice(nodes)
        if ref not in graph:
            continue
        action = rng.random()
        if action < 0.4 and ref.label in ("System", "Dataset", "Field"):
            graph.nodes[ref]["secrecy_level"] = rng.choice(SECRECY)
            touched.add(ref)
        elif action < 0.5 and ref.label in ("Dataset", "Field"):
            graph.nodes[ref]["declassified"] = not graph.nodes[ref].get("declassified")
            touched.add(ref)
        elif action < 0.7:
            edges = list(graph.out_edges(ref, keys=True)) + list(graph.in_edges(ref, keys=True))
            if edges:
                src, dst, key = rng.choice(edges)
                graph.remove_edge(src, dst, key=key)
                touched |= {src, dst}
        elif action < 0.85 and ref.label == "Field":
            other = rng.choice([n for n in nodes if n.label == "Field" and n in graph])
            graph.add_edge(ref, other, key="DERIVED_FROM")
            touched |= {ref, other}
        else:
            # a retirement: the node and its edges go; its neighbours are touched
            touched |= {ref, *graph.successors(ref), *graph.predecessors(ref)}
            graph.remove_node(ref)
    return touched


@pytest.mark.parametrize("seed", range(12))
def test_an_update_equals_a_full_recomputation(seed: int) -> None:
    rng = random.Random(seed)
    graph = _random_registry(rng, 12)
    levels = dict(required_levels(graph))
    for _ in range(8):
        touched = _random_write(rng, graph)
        update_levels(levels, NxGraph(graph), _keys(touched))
        assert levels == required_levels(graph)


def test_an_update_reads_only_the_closure_of_what_was_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(99)
    graph = _random_registry(rng, 60)
    levels = dict(required_levels(graph))
    field = next(r for r in graph if r.label == "Field" and not graph.nodes[r].get("declassified"))
    graph.nodes[field]["secrecy_level"] = "top_secret"
    reads = NxGraph(graph)

    def refuse(_graph: nx.MultiDiGraph) -> None:
        raise AssertionError("a write recomputed every level")

    monkeypatch.setattr("registry.service.visibility.required_levels", refuse)
    update = update_levels(levels, reads, {_key(field)})
    assert levels[field] == 3
    assert _key(field) in update.closure
    # the field's dataset, that dataset's fields and what derives from them: not the registry
    assert len(reads.asked) < graph.number_of_nodes() / 4
    assert update.closure == closure(NxGraph(graph), {_key(field)})
    monkeypatch.undo()
    assert levels == required_levels(graph)


def _stored(graph: nx.MultiDiGraph, path: Path) -> SQLiteStore:
    """The random registry written into the embedded store, so its own reads answer."""
    store = SQLiteStore(path)
    nodes = [NodeWrite(r.label, r.key, {k: v for k, v in a.items() if k != "label"}) for r, a in graph.nodes(data=True)]
    edges = [EdgeWrite(t, src, dst) for src, dst, t in graph.edges(keys=True)]
    store.apply(
        ChangeSet(nodes=nodes, edges=edges), Provenance("随机登记.csv", "b1", "测试员", "2026-01-01T00:00:00+00:00")
    )
    return store


@pytest.mark.parametrize("seed", range(4))
def test_the_embedded_store_walks_the_same_closure_and_levels(seed: int, tmp_path: Path) -> None:
    """``StoreGraph`` over SQLite takes each step of the closure in the store
    (``linked_beyond``) and reads properties without records (``node_props``): the same
    closure as edge type by edge type, and the same levels as a full recomputation, from
    one node, a handful, or every node at once (a bulk load's touched set)."""
    rng = random.Random(seed)
    graph = _random_registry(rng, 12)
    store = _stored(graph, tmp_path / "r.db")
    stored = StoreGraph(store)
    assert stored.linked_beyond is not None
    nodes = sorted(graph.nodes)
    for touched in ({rng.choice(nodes)}, set(rng.sample(nodes, 5)), set(nodes)):
        assert closure(stored, _keys(touched)) == closure(NxGraph(graph), _keys(touched))
    levels: dict[NodeRef, int] = {}
    update_levels(levels, stored, _keys(nodes))
    assert levels == required_levels(graph)
    store.close()
