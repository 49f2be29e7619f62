"""The compact projection streamed from the store must find what the networkx path finds,
for every clearance: it is the same analysis on a different representation."""

import subprocess
from typing import Any

import pytest

from registry.analysis.compact import compact_registry
from registry.analysis.duplicates import clusters
from registry.analysis.matrix import ItemMatrix
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore


@pytest.mark.parametrize("caller", [Caller.system(), Caller.public()], ids=["system", "public"])
def test_compact_and_graph_paths_find_the_same_duplicates(planted: RegistryService, caller: Caller) -> None:
    compact = compact_registry(planted.rows(caller))
    from_graph = ItemMatrix.from_graph(planted.graph(caller), "Dataset")
    assert compact.matrix.keys == from_graph.keys
    assert compact.matrix.holdings.nnz == from_graph.holdings.nnz
    found = {frozenset(c.keys) for c in clusters(compact.matrix)}
    assert found and found == {frozenset(c.keys) for c in clusters(from_graph)}


def test_hidden_datasets_stay_out_of_the_arrays(planted: RegistryService) -> None:
    hidden = {ref.key for ref in planted.hidden(Caller.public()) if ref.label == "Dataset"}
    compact = compact_registry(planted.rows(Caller.public()))
    assert hidden and not hidden & set(compact.matrix.keys)


def test_providers_are_those_the_gap_analysis_counts(planted: RegistryService) -> None:
    """A dataset provides an element through a field that MEANS it or whose name is one of
    its names or synonyms (身份证号 for 公民身份号码), as ``gaps`` decides."""
    from registry.analysis.gaps import _Context

    compact = compact_registry(planted.rows(Caller.system()))
    by_element = _Context(planted.graph(Caller.system())).by_element
    elements = [token[2:] for token in by_element if token.startswith("E:")]
    assert elements
    for element in elements:
        assert sorted(compact.providers(element)) == sorted(ref.key for ref in by_element[f"E:{element}"])
    assert compact.providers("NO-SUCH-ELEMENT") == []


@pytest.mark.parametrize("caller", [Caller.system(), Caller.public()], ids=["system", "public"])
def test_compact_gaps_are_the_graph_gaps_of_the_same_kinds(planted: RegistryService, caller: Caller) -> None:
    from registry.analysis.compact import compact_gaps
    from registry.analysis.gaps import sharing_gaps

    kinds = {"unmet_need", "blocked_need", "unused_dataset", "conditional_without_condition"}
    registry = compact_registry(planted.rows(caller))
    compact = {(g.kind, g.subject) for g in compact_gaps(registry)}
    graph = {(g.kind, g.subject) for g in sharing_gaps(planted.graph(caller)) if g.kind in kinds}
    assert {kind for kind, _ in graph} == kinds
    assert compact == graph


class _RecordsOnly:
    """Rows without the raw edge stream, as the Neo4j store offers them."""

    def __init__(self, store: object) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name in ("iter_edge_ends", "iter_linked_groups"):
            raise AttributeError(name)
        return getattr(self._store, name)


def test_any_store_streams_the_same_arrays(planted: RegistryService) -> None:
    fast = compact_registry(planted.rows(Caller.system()))
    generic = compact_registry(_RecordsOnly(planted.rows(Caller.system())))  # type: ignore[arg-type]
    assert fast.matrix.keys == generic.matrix.keys
    assert (fast.matrix.holdings != generic.matrix.holdings).nnz == 0
    assert fast.matrix.token_keys == generic.matrix.token_keys
    assert list(fast.matrix.departments) == list(generic.matrix.departments)
    assert list(fast.shared) == list(generic.shared)


@pytest.mark.parametrize("caller", [Caller.system(), Caller.public()], ids=["system", "public"])
def test_the_join_read_by_another_process_gives_the_same_arrays(
    planted: RegistryService, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file's fields are joined by a reader process (``store.sqlite_reader``):
    the caller's arrays are those read here, hidden fields left out alike."""
    path = planted.store.path  # type: ignore[attr-defined]
    elsewhere = RegistryService(SQLiteStore(path, read_elsewhere_bytes=0))
    here = compact_registry(planted.rows(caller))
    started: list[object] = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> "subprocess.Popen[bytes]":
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    there = compact_registry(elsewhere.rows(caller))
    assert len(started) == 1
    assert there.matrix.keys == here.matrix.keys
    assert (there.matrix.holdings != here.matrix.holdings).nnz == 0
    assert there.matrix.token_keys == here.matrix.token_keys
    assert there.matrix.field_names == here.matrix.field_names
    assert there.needs == here.needs
