"""Writes through the service: rejection, idempotence, ownership, retirement limits."""

import contextlib
import json
from pathlib import Path

import pytest
import yaml

from registry import importers
from registry.schema.enums import Clearance
from registry.schema.model import Dataset, System
from registry.schema.records import NodeRef
from registry.service import (
    Caller,
    Declaration,
    EdgeDecl,
    ImportRejected,
    InvalidInput,
    Issue,
    PermissionDenied,
    RegistryService,
    RetireLimitExceeded,
    RetireScope,
    Role,
)
from registry.service.checking import check
from registry.service.errors import ServiceError
from tests.importers.conftest import FIXTURES
from tests.service.graph_fixture import GA, PUBLIC_DS, SJ, build


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build(service)
    return service


def test_declaration_with_errors_writes_nothing(loaded: RegistryService) -> None:
    version = loaded.store.version()
    bad = Declaration(
        source="bad.csv",
        format="catalogue",
        nodes=[System(code="NEW-1", name="新系统")],
        issues=[Issue("bad.csv", 3, "共享类型", "随便", "unknown share type")],
    )
    with pytest.raises(ImportRejected) as rejected:
        loaded.load(bad, Caller.system())
    assert rejected.value.issues[0].column == "共享类型"
    assert loaded.store.version() == version
    report = loaded.load(bad, Caller.system(), skip_invalid=True)
    assert report.totals["created"] == 1 and report.totals["rejected"] == 1


def test_second_identical_load_changes_nothing(service: RegistryService) -> None:
    build(service)
    version = service.store.version()
    batches = service.count(Caller.system(), "ImportBatch")
    build(service)
    assert service.store.version() == version
    assert service.count(Caller.system(), "ImportBatch") == batches


def test_every_node_and_edge_carries_provenance(loaded: RegistryService) -> None:
    editor = Caller("张三@浙江省公安厅", Role.EDITOR, Clearance.PUBLIC, department=GA)
    loaded.upsert(editor, [Dataset(resource_code=PUBLIC_DS, name="户籍人口基本信息（2026版）")], source="api")
    record = loaded.get(Caller.system(), "Dataset", PUBLIC_DS)
    assert record.updated.by == "张三@浙江省公安厅" and record.updated.source == "api"
    assert record.created.source == "fixture"
    change = loaded.history(Caller.system(), record.ref)[-1]
    assert change.op == "update" and change.changes["name"][0] == "户籍人口基本信息"


def test_editor_cannot_change_another_departments_entries(loaded: RegistryService) -> None:
    editor = Caller("李四@大数据局", Role.EDITOR, Clearance.PUBLIC, department=SJ)
    version = loaded.store.version()
    with pytest.raises(PermissionDenied, match="its own department"):
        loaded.upsert(editor, [Dataset(resource_code=PUBLIC_DS, name="改名")])
    with pytest.raises(PermissionDenied):
        loaded.upsert(
            editor,
            [Dataset(resource_code=PUBLIC_DS, name="改名")],
            [EdgeDecl("PROVIDES", NodeRef("Department", SJ), NodeRef("Dataset", PUBLIC_DS))],
        )
    assert loaded.store.version() == version
    loaded.upsert(
        editor,
        [Dataset(resource_code="301009/000001", name="政务服务事项")],
        [EdgeDecl("PROVIDES", NodeRef("Department", SJ), NodeRef("Dataset", "301009/000001"))],
    )
    assert loaded.get(Caller.system(), "Dataset", "301009/000001").created.by == "李四@大数据局"


def test_readers_cannot_write_and_clearance_bounds_writes(loaded: RegistryService) -> None:
    with pytest.raises(PermissionDenied):
        loaded.upsert(Caller.public(), [System(code="X", name="x")])
    editor = Caller("王五", Role.EDITOR, Clearance.PUBLIC, department=GA)
    with pytest.raises(PermissionDenied, match="clearance"):
        loaded.upsert(editor, [System(code="ZJGA-NEW", name="涉密系统", secrecy_level="secret")])


def test_complete_catalogue_retires_missing_entries_within_the_limit(service: RegistryService) -> None:
    datasets = [Dataset(resource_code=f"301001/{i:06d}", name=f"数据集{i}") for i in range(1, 9)]

    def catalogue(items: list[Dataset]) -> Declaration:
        return Declaration(
            source="公安厅目录.csv",
            format="catalogue",
            nodes=list(items),
            edges=[EdgeDecl("PROVIDES", NodeRef("Department", GA), NodeRef("Dataset", d.resource_code)) for d in items],
            scopes=[RetireScope(GA)],
        )

    from registry.schema.model import Department

    service.upsert(Caller.system(), [Department(code=GA, name="浙江省公安厅")])
    service.load(catalogue(datasets), Caller.system())
    preview = service.load(catalogue(datasets[1:]), Caller.system(), dry_run=True)
    assert preview.retired == [NodeRef("Dataset", "301001/000001")]
    assert service.count(Caller.system(), "Dataset") == 8
    report = service.load(catalogue(datasets[1:]), Caller.system())
    assert report.totals["retired"] >= 1 and service.count(Caller.system(), "Dataset") == 7
    with pytest.raises(RetireLimitExceeded, match="would retire 5 of the 7"):
        service.load(catalogue(datasets[1:3]), Caller.system())
    assert service.count(Caller.system(), "Dataset") == 7
    service.load(catalogue(datasets[1:3]), Caller.system(), force=True)
    assert service.count(Caller.system(), "Dataset") == 2


def test_a_partial_declaration_never_resets_what_another_source_said(loaded: RegistryService) -> None:
    from tests.service.graph_fixture import INTRANET_DS

    loaded.upsert(Caller.system(), [Dataset(resource_code=INTRANET_DS, name="重点人员信息", secrecy_level="secret")])
    loaded.upsert(Caller.system(), [Dataset(resource_code=INTRANET_DS, name="重点人员信息（目录）")])
    record = loaded.get(Caller.system(), "Dataset", INTRANET_DS)
    assert record.props["secrecy_level"] == "secret"
    assert not loaded.visible(Caller.public(), record.ref)


def test_an_edge_to_a_missing_node_is_invalid_input_but_a_store_bug_is_not(
    loaded: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    dangling = Declaration(
        source="悬空.json",
        format="native",
        nodes=[System(code="NEW-2", name="新系统二")],
        edges=[EdgeDecl("OPERATES", NodeRef("Department", "不存在的部门"), NodeRef("System", "NEW-2"))],
    )
    with pytest.raises(InvalidInput, match="do not exist"):
        loaded.load(dangling, Caller.system())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a bug in the store")

    monkeypatch.setattr(loaded.store, "apply_chunks", broken)
    fine = Declaration(source="正常.json", format="native", nodes=[System(code="NEW-3", name="新系统三")])
    with pytest.raises(ValueError, match="a bug in the store") as raised:
        loaded.load(fine, Caller.system())
    assert not isinstance(raised.value, InvalidInput)


def test_an_editor_cannot_record_a_review_through_a_declaration(service: RegistryService) -> None:
    """A Review written by a file or a registration would skip the reviewer-role check."""
    from registry.schema.model import Review
    from registry.schema.records import NodeRef as Ref
    from registry.service import EdgeDecl, PermissionDenied, Role

    department = "11330000002487676F"
    editor = Caller(
        identity="token:录入员", role=Role.EDITOR, clearance=Caller.public().clearance, department=department
    )
    review = Review(
        finding="NET-1:System:330000-GA-XT002",
        rule="NET-1",
        decision="dismissed",
        reason="已迁移",
        fingerprint="x",
        subjects=["System:330000-GA-XT002"],
    )
    edge = EdgeDecl("REVIEWS", Ref("Review", review.key()), Ref("System", "330000-GA-XT002"))
    with pytest.raises(PermissionDenied):
        service.upsert(editor, [review], [edge])


def test_the_parts_set_aside_are_let_go_however_the_load_ends(service: RegistryService, tmp_path: Path) -> None:
    """A checked file's parts wait in a temporary file as large as the import: it is
    closed when the load ends, written or refused, and when the service checks again
    because the first pass was made without the caller's rights."""
    document = yaml.safe_load((FIXTURES / "zj_registry.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "zj.json"
    path.write_text(json.dumps(document, ensure_ascii=False, default=str), encoding="utf-8")
    stream = importers.stream(path)
    editor = Caller("张三@浙江省公安厅", Role.EDITOR, Clearance.PUBLIC, department=GA)
    for caller in (editor, Caller.system()):
        checked = check(stream, skip_invalid=True)
        assert checked.spill is not None and not checked.spill.file.closed
        with contextlib.suppress(ServiceError):
            service.load_stream(stream, caller, checked=checked, skip_invalid=True)
        assert checked.spill.file.closed, caller.identity
