"""A generated registry written as a native document goes the way a real one does:
validated against the published JSON Schema, read by the native importer, loaded by the
service, and the analyses on what the service shows find exactly the ground truth written
beside it."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from registry import importers
from registry.analysis.duplicates import find_duplicates
from registry.analysis.gaps import sharing_gaps
from registry.analysis.placement import placement_findings
from registry.schema.document import SCHEMA_PATH
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.synth import NativeFiles, generate, read_truth, to_document, truth_path, write_native
from registry.synth.scoring import precision_recall


def _loaded(path: Path) -> RegistryService:
    declaration = importers.read(path)
    assert declaration.issues == []
    service = RegistryService(SQLiteStore(path.with_suffix(".db")))
    report = service.load(declaration, Caller.system())
    assert report.issues == [] and report.rejected_rows == 0
    return service


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> NativeFiles:
    return write_native(generate(datasets=300, seed=3), tmp_path_factory.mktemp("planted") / "省级目录.json")


@pytest.fixture(scope="module")
def planted_service(planted: NativeFiles) -> RegistryService:
    return _loaded(planted.document)


def test_document_is_valid_against_the_published_schema(planted: NativeFiles) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    document = json.loads(planted.document.read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(document)]
    assert errors == []
    assert {"departments", "systems", "datasets", "data_elements", "projects", "needs"} <= document.keys()


def test_document_carries_relations_inside_items(planted: NativeFiles) -> None:
    document = json.loads(planted.document.read_text(encoding="utf-8"))
    system = document["systems"][0]
    assert system["department"] and system["network"] in ("intranet", "extranet") and "secrecy_level" in system
    assert any(s["holds"] for s in document["systems"])
    fields = [f for d in document["datasets"] for f in d["fields"]]
    assert any(f.get("element") for f in fields) and any(f.get("derived_from") for f in fields)
    assert all(d["provider"] for d in document["datasets"])
    assert any(d.get("shared_with") for d in document["datasets"])


def test_truth_counts_what_the_document_holds(planted: NativeFiles) -> None:
    truth = read_truth(planted.document)
    assert truth == read_truth(planted.truth) and planted.truth == truth_path(planted.document)
    nodes = importers.read(planted.document).nodes
    labels = [n.LABEL for n in nodes]
    assert truth["config"]["datasets"] == labels.count("Dataset")
    assert truth["config"]["fields"] == labels.count("Field")
    assert truth["config"]["needs"] == labels.count("Need")


def test_what_an_import_would_reject_is_left_out_and_said_so(planted: NativeFiles) -> None:
    """The generator plants a conditional share without its condition; the importer
    rejects that, so the document leaves it out and the truth lists it as omitted."""
    truth = read_truth(planted.truth)
    assert [g["kind"] for g in truth["omitted"]] == ["conditional_without_condition"]
    codes = {d["resource_code"] for d in json.loads(planted.document.read_text(encoding="utf-8"))["datasets"]}
    assert truth["omitted"][0]["subject"] not in codes
    full = generate(datasets=300, seed=3).truth["gaps"]
    assert sorted(map(str, full)) == sorted(map(str, truth["gaps"] + truth["omitted"]))


def test_analyses_find_the_planted_truth(planted: NativeFiles, planted_service: RegistryService) -> None:
    truth = read_truth(planted.truth)
    graph = planted_service.graph(Caller.system())
    for kind in ("Dataset", "System"):
        found = [c.keys for c in find_duplicates(planted_service.rows(Caller.system()), kind=kind)]
        precision, recall = precision_recall(found, truth["duplicates"][kind])
        assert precision >= 0.9 and recall >= 0.9, (kind, precision, recall)
    assert {(g.kind, g.subject) for g in sharing_gaps(graph)} == {(g["kind"], g["subject"]) for g in truth["gaps"]}
    placed = {(f.rule, f.system) for f in placement_findings(graph)}
    assert placed == {(p["rule"], p["system"]) for p in truth["placement"]}
    assert {g["kind"] for g in truth["gaps"]} >= {"unmet_need", "blocked_need", "boundary_need", "incomplete_item"}


def test_a_clean_registry_has_no_finding(tmp_path: Path) -> None:
    files = write_native(generate(datasets=150, seed=4, plant=False), tmp_path / "clean.json")
    truth = read_truth(files.truth)
    assert truth["duplicates"] == {"Dataset": [], "System": []} and truth["gaps"] == truth["placement"] == []
    service = _loaded(files.document)
    graph, rows = service.graph(Caller.system()), service.rows(Caller.system())
    assert sharing_gaps(graph) == [] and placement_findings(graph) == []
    assert find_duplicates(rows, kind="Dataset") == [] and find_duplicates(rows, kind="System") == []


def test_same_seed_same_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_native(generate(datasets=120, seed=5), tmp_path / "a" / "r.json")
    b = write_native(generate(datasets=120, seed=5), tmp_path / "b" / "r.json")
    assert a.document.read_bytes() == b.document.read_bytes()
    assert a.truth.read_bytes() == b.truth.read_bytes()
    other = write_native(generate(datasets=120, seed=6), tmp_path / "r.json")
    assert other.document.read_bytes() != a.document.read_bytes()


def test_streamed_json_yaml_and_the_in_memory_document_agree(tmp_path: Path) -> None:
    synth = generate(datasets=100, seed=2)
    as_json = write_native(synth, tmp_path / "r.json")
    as_yaml = write_native(synth, tmp_path / "r.yaml")
    assert json.loads(as_json.document.read_text(encoding="utf-8")) == to_document(synth)
    assert as_yaml.truth == tmp_path / "r.truth.json"
    from_json, from_yaml = importers.read(as_json.document), importers.read(as_yaml.document)
    assert from_yaml.issues == []
    assert from_yaml.nodes == from_json.nodes and from_yaml.edges == from_json.edges


def test_an_unknown_suffix_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.json"):
        write_native(generate(datasets=100), tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []
