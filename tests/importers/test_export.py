"""Moving a whole registry between stores through the native document's records."""

from pathlib import Path

import jsonschema
import pytest

from registry import importers
from registry.schema.document import json_schema
from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, InvalidInput, PermissionDenied, RegistryService, Role
from registry.store.sqlite import SQLiteStore


def _build_registry(service: RegistryService, fixtures: Path, tmp_path: Path) -> None:
    """Imports from two formats, an update and a retirement: provenance from several
    batches and history of every kind."""
    admin = Caller.system("loader")
    service.load(importers.read(fixtures / "zj_registry.yaml"), admin)
    service.load(importers.read(fixtures / "zj_scjg_catalogue.csv"), Caller.system("catalogue-job"))
    changed = tmp_path / "changed.yaml"
    text = (fixtures / "zj_registry.yaml").read_text(encoding="utf-8")
    changed.write_text(
        text.replace("name: 浙江省人口信息管理系统", "name: 浙江省人口综合信息管理系统"), encoding="utf-8"
    )
    service.load(importers.read(changed), admin, force=True)  # the YAML lists 市场监管局 completely
    service.retire(admin, [NodeRef("Need", "NEED-ZJ-001")])


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_then_restore_into_an_empty_store_is_exact(
    fixtures: Path, tmp_path: Path, service: RegistryService, sqlite_store: SQLiteStore, suffix: str
) -> None:
    _build_registry(service, fixtures, tmp_path)
    assert any(h.op == "update" for h in sqlite_store.iter_history())
    assert any(h.op == "retire" for h in sqlite_store.iter_history())

    document = importers.export_document(service.rows(Caller.system()))
    path = importers.write_document(document, tmp_path / f"export{suffix}")
    target = SQLiteStore(tmp_path / "target.db")
    restored = RegistryService(target)
    try:
        records = _records(path)
        restored.restore(Caller.system(), records.nodes, records.edges, records.history)
        assert records.counts()["nodes"] == len(list(sqlite_store.iter_nodes(include_retired=True)))
        assert list(target.iter_nodes(include_retired=True)) == list(sqlite_store.iter_nodes(include_retired=True))
        assert list(target.iter_edges(include_retired=True)) == list(sqlite_store.iter_edges(include_retired=True))
        assert list(target.iter_history()) == list(sqlite_store.iter_history())
        for ref in (NodeRef("System", "ZJGA-RKXT"), NodeRef("Need", "NEED-ZJ-001"), NodeRef("Dataset", "10201/001")):
            assert target.history(ref) == sqlite_store.history(ref)
        retired = target.get_nodes("Need", ["NEED-ZJ-001"], include_retired=True)["NEED-ZJ-001"]
        assert retired.retired and retired.updated.by == "loader"

        with pytest.raises(InvalidInput, match="not empty"):
            restored.restore(Caller.system(), records.nodes, records.edges, records.history)
    finally:
        target.close()


def test_export_is_valid_native_document_and_reimportable(
    fixtures: Path, tmp_path: Path, service: RegistryService, sqlite_store: SQLiteStore
) -> None:
    _build_registry(service, fixtures, tmp_path)
    document = importers.export_document(service.rows(Caller.system()))
    jsonschema.validate(document, json_schema())
    path = importers.write_document(document, tmp_path / "export.json")
    declaration = importers.read(path)
    assert declaration.errors == []
    live = {(n.label, n.key) for n in sqlite_store.iter_nodes() if n.label != "ImportBatch"}
    assert {(n.LABEL, n.key()) for n in declaration.nodes} == live
    again = service.load(declaration, Caller.system())
    assert (again.result.total("created"), again.result.total("updated")) == (0, 0)


def _records(path: Path) -> importers.Records:
    declaration = importers.read(path)
    assert declaration.errors == [] and declaration.records is not None
    return importers.records_of(declaration.records)


def test_only_an_administrator_cleared_for_everything_restores(
    fixtures: Path, tmp_path: Path, service: RegistryService
) -> None:
    _build_registry(service, fixtures, tmp_path)
    path = importers.write_document(importers.export_document(service.rows(Caller.system())), tmp_path / "e.json")
    records = _records(path)
    target = RegistryService(SQLiteStore(tmp_path / "target.db"))
    try:
        reviewer = Caller("审核员", Role.REVIEWER, Clearance.TOP_SECRET)
        with pytest.raises(PermissionDenied):
            target.restore(reviewer, records.nodes, records.edges, records.history)
        assert target.is_empty()
    finally:
        target.close()


def test_an_export_holds_only_what_its_caller_may_see(fixtures: Path, tmp_path: Path, service: RegistryService) -> None:
    """An export run for a public caller is cut by the service, as every read is."""
    _build_registry(service, fixtures, tmp_path)
    public = Caller.public()
    hidden = service.hidden(public)
    assert hidden, "the fixture must hold something a public caller may not see"
    document = importers.export_document(service.rows(public))
    nodes = {NodeRef(n["label"], n["key"]) for n in document["records"]["nodes"]}
    assert nodes and not nodes & hidden
    assert all(not n["retired"] for n in document["records"]["nodes"])
    ends = {NodeRef(**end) for e in document["records"]["edges"] for end in (e["src"], e["dst"])}
    assert ends <= nodes
    subjects = {NodeRef(**h["node"]) for h in document["records"]["history"] if h["node"]}
    assert subjects <= nodes
