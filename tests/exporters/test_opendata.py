"""DCAT-US and DCAT-AP exports hold exactly the open datasets the caller may see, and read
back: the data.json through the dcat-us importer, the JSON-LD through rdflib."""

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from registry import importers
from registry.exporters import EXPORTS, Selection
from registry.schema.enums import Clearance
from registry.service import Caller, RegistryService
from registry.service.caller import Role
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
PUBLIC = Caller("portal", Role.REVIEWER, Clearance.PUBLIC)


def _open(service: RegistryService, caller: Caller) -> set[str]:
    return {d.key for d in service.find(caller, "Dataset", where={"open_to_public": True})}


@pytest.mark.parametrize("caller", [Caller.system(), PUBLIC], ids=["admin", "public"])
def test_data_json_holds_the_open_datasets_and_imports_back(
    demo_service: RegistryService, tmp_path: Path, caller: Caller
) -> None:
    expected = _open(demo_service, caller)
    assert expected, "the demo registry has open datasets"
    path = tmp_path / "data.json"
    written = EXPORTS["dcat-us"].write(Selection(demo_service.rows(caller)), path)
    assert written.nodes == len(expected)
    declaration = importers.read(path)
    assert declaration.format == "dcat-us" and declaration.errors == []
    datasets = {n.key(): n for n in declaration.nodes if n.LABEL == "Dataset"}
    assert set(datasets) == expected
    provides = {e.dst.key for e in declaration.edges if e.type == "PROVIDES"}
    assert provides == expected  # every publisher carries its 统一社会信用代码
    assert all(d.open_to_public for d in datasets.values())


def test_dcat_ap_json_ld_parses_with_rdflib(demo_service: RegistryService, tmp_path: Path) -> None:
    expected = _open(demo_service, PUBLIC)
    path = tmp_path / "catalogue.jsonld"
    EXPORTS["dcat-ap"].write(Selection(demo_service.rows(PUBLIC)), path)
    graph = rdflib.Graph().parse(path, format="json-ld")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert {str(graph.value(d, DCTERMS.identifier)) for d in datasets} == expected
    [catalogue] = graph.subjects(RDF.type, DCAT.Catalog)
    assert set(graph.objects(catalogue, DCAT.dataset)) == datasets
    assert all(graph.value(d, DCTERMS.title) is not None for d in datasets)
    assert all(graph.value(d, DCTERMS.publisher) is not None for d in datasets)
