import pytest

from registry.analysis.lineage import impact, lineage
from registry.schema.model import field_key
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.synth import Synth


def _first_link(synth: Synth) -> tuple[NodeRef, NodeRef]:
    derived, derived_field, origin, origin_field = synth.lineage[0]
    return (
        NodeRef("Field", field_key(synth.dataset_keys[derived], synth.field_names[derived_field])),
        NodeRef("Field", field_key(synth.dataset_keys[origin], synth.field_names[origin_field])),
    )


def test_upstream_and_downstream_of_a_field(planted: RegistryService, planted_synth: Synth) -> None:
    graph = planted.graph(Caller.system())
    derived, origin = _first_link(planted_synth)
    up = lineage(graph, derived, direction="up", depth=2)
    assert [s.field for s in up.steps] == [origin.key]
    assert up.steps[0].processing_method == "汇总统计" and up.steps[0].department_name
    down = lineage(graph, origin, direction="down", depth=1)
    assert derived.key in [s.field for s in down.steps]
    dataset = NodeRef("Dataset", derived.key.split("#")[0])
    assert origin.key.split("#")[0] in lineage(graph, dataset, direction="up", depth=1).datasets


def test_impact_of_losing_a_dataset(planted: RegistryService, planted_synth: Synth) -> None:
    graph = planted.graph(Caller.system())
    derived, origin = _first_link(planted_synth)
    result = impact(graph, NodeRef("Dataset", origin.key.split("#")[0]))
    assert derived.key.split("#")[0] in result.derived_datasets
    assert result.departments and result.systems


def test_bad_requests_are_clear_errors(planted: RegistryService) -> None:
    graph = planted.graph(Caller.system())
    department = next(n for n, a in graph.nodes(data=True) if a["label"] == "Department")
    with pytest.raises(ValueError, match="fields, datasets and systems"):
        lineage(graph, department)
    with pytest.raises(ValueError, match="direction"):
        lineage(graph, NodeRef("Dataset", "x"), direction="sideways")  # type: ignore[arg-type]


def test_impact_of_losing_a_field(planted: RegistryService, planted_synth: Synth) -> None:
    """A field key once answered INTERNAL (issue 11, item 11): a field loses no dataset,
    and what derives from it is affected."""
    graph = planted.graph(Caller.system())
    derived, origin = _first_link(planted_synth)
    result = impact(graph, NodeRef("Field", origin.key))
    assert result.datasets_lost == []
    assert derived.key.split("#")[0] in result.derived_datasets
    assert result.subject == str(NodeRef("Field", origin.key))
    with pytest.raises(ValueError, match="systems, datasets and fields"):
        impact(graph, next(n for n, a in graph.nodes(data=True) if a["label"] == "Department"))
