"""The GraphQL types follow the schema models and the analysis results they are read off."""

import dataclasses
from typing import Any, ClassVar

import strawberry
from pydantic import Field

from registry.analysis import duplicates, gaps, lineage, placement
from registry.graphql import analyses, inputs
from registry.graphql.derive import from_result, input_type
from registry.graphql.nodes import NODE_TYPES, Node, node_type
from registry.schema.enums import Network
from registry.schema.model import NODE_MODELS, NodeModel
from registry.schema.records import NodeRecord, Provenance
from tests.graphql.conftest import HUJI_DS, Api


def _field_names(cls: type) -> dict[str, str]:
    """Python name -> GraphQL name of every field of a strawberry type."""
    definition: Any = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return {f.python_name: f.graphql_name or f.python_name for f in definition.fields}


def test_every_label_has_a_type_with_every_property_of_its_model() -> None:
    renamed = {
        "Field": {"dataset": "dataset_code"},
        "Need": {"id": "need_id"},
        "SharingRequest": {"id": "request_id"},
        "ImportBatch": {"id": "batch_id"},
    }
    assert set(NODE_TYPES) == set(NODE_MODELS)
    for label, model in NODE_MODELS.items():
        names = _field_names(NODE_TYPES[label])
        for prop in model.model_fields:
            assert renamed.get(label, {}).get(prop, prop) in names, (label, prop)


def test_inputs_take_every_property_but_those_the_mutation_or_importer_decides() -> None:
    for source, derived, left_out in (
        (NODE_MODELS["Department"], inputs.DepartmentInput, set()),
        (NODE_MODELS["System"], inputs.SystemInput, set()),
        (NODE_MODELS["Dataset"], inputs.DatasetInput, {"code_recognised"}),
        (NODE_MODELS["Field"], inputs.FieldInput, {"dataset"}),
        (NODE_MODELS["Need"], inputs.NeedInput, set()),
    ):
        assert set(_field_names(derived)) - {"element"} == set(source.model_fields) - left_out


def test_result_types_have_the_fields_of_their_dataclasses() -> None:
    for source, derived in (
        (duplicates.DuplicateCluster, analyses.DuplicateCluster),
        (duplicates.DuplicateMatch, analyses.DuplicateMatch),
        (gaps.Gap, analyses.Gap),
        (placement.PlacementFinding, analyses.PlacementFinding),
        (lineage.Lineage, analyses.Lineage),
        (lineage.Impact, analyses.Impact),
    ):
        assert list(_field_names(derived)) == [f.name for f in dataclasses.fields(source)]


def test_a_property_added_to_a_model_is_served_without_another_line() -> None:
    class Standard(NodeModel):
        LABEL: ClassVar[str] = "Standard"
        code: str
        name: str = Field(description="标准名称")
        network: Network | None = None
        adopted_by: list[str] = Field(default_factory=list)

    @node_type(Standard, description="标准规范")
    class StandardNode(Node):
        """A throwaway label, as another issue would add one."""

    @input_type(Standard)
    class StandardInput:
        """Its registration input."""

    names = _field_names(StandardNode)
    assert {"code", "name", "network", "adopted_by"} <= set(names)
    assert {"code", "name", "network", "adopted_by"} == set(_field_names(StandardInput))
    prov = Provenance(source="标准.json", batch="b1", by="fixture", at="2026-01-01T00:00:00")
    record = NodeRecord("Standard", "GB/T 21063", {"code": "GB/T 21063", "name": "政务信息资源目录体系"}, prov, prov)
    node: Any = StandardNode.from_record(record)
    assert (node.name, node.network, node.adopted_by) == ("政务信息资源目录体系", None, [])
    sdl = strawberry.Schema(query=_query_of(StandardNode)).as_str()
    assert '"""标准名称"""\n  name: String!' in sdl and "adoptedBy: [String!]!" in sdl


def _query_of(node_class: type) -> type:
    @strawberry.type
    class Query:
        @strawberry.field
        def standard(self) -> node_class | None:  # type: ignore[valid-type]
            return None

    return Query


def test_results_convert_nested_findings_and_json_evidence() -> None:
    member = duplicates.Member("ZJGA-HZ-01", "户政业务办理系统", None, None, None)
    match = duplicates.DuplicateMatch(
        "System",
        member,
        member,
        0.9,
        {"name": 0.123456},
        [duplicates.SharedElement("姓名", 1.5)],
        [duplicates.FieldPair("出生日期", "出生年月", 0.95)],
        "重复",
    )
    converted = from_result(match)
    assert isinstance(converted, analyses.DuplicateMatch)
    assert isinstance(converted.a, analyses.Member) and converted.a.name == "户政业务办理系统"
    assert converted.shared[0].weight == 1.5 and converted.parts == {"name": 0.1235}
    assert isinstance(converted.matched[0], analyses.FieldPair) and converted.matched[0].b == "出生年月"


def test_a_dataset_without_a_declared_secrecy_level_reads_the_model_default(api: Api) -> None:
    data = api.data(
        "query($code: String!) { dataset(resourceCode: $code) { secrecyLevel } }", {"code": HUJI_DS}, as_="reviewer"
    )
    assert data["dataset"]["secrecyLevel"] == "NONE"
