import pytest

from registry.analysis.gaps import sharing_gaps, sharing_matrix
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


def test_incomplete_item_names_what_is_missing(planted: RegistryService) -> None:
    (gap,) = sharing_gaps(planted.graph(Caller.system()), kind="incomplete_item")
    assert gap.rule == "SHR-1"
    assert gap.evidence["missing"] == ["processing_method", "traceability_requirement"]


def test_sharing_matrix_counts_datasets_between_departments(planted: RegistryService, planted_synth: Synth) -> None:
    matrix = sharing_matrix(planted.graph(Caller.system()))
    assert matrix.total() > 0
    codes = {d["code"] for d in matrix.departments}
    assert all(p in codes and set(row) <= codes and p not in row for p, row in matrix.counts.items())
