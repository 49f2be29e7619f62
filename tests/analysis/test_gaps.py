import networkx as nx
import pytest

from registry.analysis.gaps import KINDS, sharing_gaps, sharing_matrix
from registry.schema.records import LEVELS, NodeRef
from registry.service import Caller, RegistryService
from registry.synth import Synth


def test_every_planted_gap_is_found_and_nothing_else(planted: RegistryService, planted_synth: Synth) -> None:
    found = {(g.kind, g.subject) for g in sharing_gaps(planted.graph(Caller.system()))}
    assert found == {(g["kind"], g["subject"]) for g in planted_synth.truth["gaps"]}


def test_no_gap_on_a_clean_registry(clean: RegistryService) -> None:
    assert sharing_gaps(clean.graph(Caller.system())) == []


def test_filters_by_kind_and_department(planted: RegistryService) -> None:
    graph = planted.graph(Caller.system())
    unmet = sharing_gaps(graph, kind="unmet_need")
    assert [g.kind for g in unmet] == ["unmet_need"]
    assert unmet[0].evidence["providers"] == [] and unmet[0].evidence["target"].startswith("DataElement:")
    department = unmet[0].department
    assert all(g.department == department for g in sharing_gaps(graph, department=department))
    with pytest.raises(ValueError, match="unknown gap kind"):
        sharing_gaps(graph, kind="nonsense")


@pytest.mark.parametrize("caller", [Caller.system(), Caller.public()], ids=["system", "public"])
def test_one_kind_is_what_the_full_run_reports_of_it(planted: RegistryService, caller: Caller) -> None:
    """Asking for one kind skips the work other kinds need (the provider index, levels)
    but not what that kind depends on: unused datasets still exclude those a need names."""
    graph = planted.graph(caller)
    everything = sharing_gaps(graph)
    assert {g.kind for g in everything} >= {"unmet_need", "blocked_need", "unused_dataset"}
    for kind in KINDS:
        assert sharing_gaps(graph, kind=kind) == [g for g in everything if g.kind == kind]


def test_a_dataset_a_need_names_is_used_when_asked_for_that_kind_alone() -> None:
    dept, need = NodeRef("Department", "11100000000000000A"), NodeRef("Need", "需求-001")
    named, idle = NodeRef("Dataset", "A-001"), NodeRef("Dataset", "A-002")
    graph = nx.MultiDiGraph()
    graph.add_node(dept, label="Department", name="省公安厅")
    graph.add_node(need, label="Need", purpose="户籍核验")
    for ref, name in ((named, "人口基础信息"), (idle, "户籍迁移登记")):
        graph.add_node(ref, label="Dataset", name=name, share_type="unconditional")
        graph.add_edge(dept, ref, key="PROVIDES", type="PROVIDES")
    graph.add_edge(dept, need, key="NEEDS", type="NEEDS")
    graph.add_edge(need, named, key="FOR", type="FOR")
    assert [g.subject for g in sharing_gaps(graph, kind="unused_dataset")] == ["A-002"]


def test_incomplete_item_names_what_is_missing(planted: RegistryService) -> None:
    (gap,) = sharing_gaps(planted.graph(Caller.system()), kind="incomplete_item")
    assert gap.rule == "SHR-1"
    assert gap.evidence["missing"] == ["processing_method", "traceability_requirement"]


def test_sharing_matrix_counts_datasets_between_departments(planted: RegistryService, planted_synth: Synth) -> None:
    matrix = sharing_matrix(planted.graph(Caller.system()))
    assert matrix.total() > 0
    codes = {d["code"] for d in matrix.departments}
    assert all(p in codes and set(row) <= codes and p not in row for p, row in matrix.counts.items())


def test_levels_are_computed_once_per_projection(planted: RegistryService, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service judges visibility with the same levels the boundary question needs; a
    caller's graph carries them as data, so gaps neither computes them nor asks the service."""
    from registry.service import visibility

    calls: list[int] = []
    real = visibility._levels  # what every path to the levels runs, however it was imported

    def counted(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
        calls.append(graph.number_of_nodes())
        return real(graph)

    monkeypatch.setattr(visibility, "_levels", counted)
    public = planted.graph(Caller.public())
    before = len(calls)
    found = sharing_gaps(public, kind="boundary_need")
    sharing_gaps(public)
    assert len(calls) == before
    bare = nx.MultiDiGraph(public)
    levels = bare.graph.pop(LEVELS)
    with pytest.raises(ValueError, match="clearance levels"):
        sharing_gaps(bare, kind="boundary_need")
    assert sharing_gaps(bare, kind="boundary_need", levels=levels) == found
    assert len(calls) == before
