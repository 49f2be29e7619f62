"""The living catalogue on real loads: the change feed, an entry as of a date, 信息项 added
and removed between two batches, freshness against the update cycle, and contacts; each
with the clearance rule (a public caller's feed never names or counts a hidden entry)."""

import csv
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from registry.analysis.gaps import sharing_gaps
from registry.importers import read
from registry.schema.model import Interface, field_key
from registry.schema.records import NodeRef
from registry.service import Caller, InvalidInput, NotFound, PermissionDenied, RegistryService, Role
from registry.service.changes import changes
from registry.service.declaration import EdgeDecl
from registry.service.freshness import report_interface_update
from registry.service.timeline import as_of, field_changes
from tests.cli import catalogue
from tests.service.demo_fixture import demo_service
from tests.service.graph_fixture import DERIVED_DS, build

__all__ = ["demo_service"]

ADMIN = Caller.system("test")
PUBLIC = Caller.public()


def _rewrite(path: Path, *, drop_item: str | None = None, extra: dict[str, str] | None = None) -> Path:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header, body = rows[0], [r for r in rows[1:] if drop_item is None or drop_item not in r]
    for name in extra or {}:
        header.append(name)
        for row in body:
            row.append(extra[name])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    return path


@pytest.fixture
def two_batches(service: RegistryService, tmp_path: Path) -> tuple[RegistryService, str, str]:
    path = catalogue.write(tmp_path / "hz.csv", [1, 2, 3])
    service.load(read(path), ADMIN)
    time.sleep(1.1)  # batch times have one-second resolution
    _rewrite(catalogue.write(path, [1, 2, 3], abstracts={1: "更新后的摘要"}), drop_item="姓名")
    service.load(read(path), ADMIN, force=True)
    first, second = service.store.batches_between(None, None)
    return service, first.batch, second.batch


def test_change_feed_lists_creations_updates_and_retirements(two_batches: tuple[RegistryService, str, str]) -> None:
    service, _first, second = two_batches
    found = changes(service, ADMIN, since="2000-01-01")
    ops = {(c.op, c.kind, c.key) for c in found}
    code = catalogue.code(1)
    assert ("created", "Dataset", code) in ops
    assert ("updated", "Dataset", code) in ops
    assert ("retired", "Field", f"{code}#姓名") in ops
    update = next(c for c in found if c.op == "updated" and c.key == code)
    assert update.changes == {"abstract": ["居民户籍信息（杭州市）", "更新后的摘要"]} and update.batch == second
    assert update.department == catalogue.PROVIDER[1] and update.name == "居民户籍信息"
    only_second = changes(service, ADMIN, since=update.at)
    assert {c.batch for c in only_second} == {second}
    assert changes(service, ADMIN, since="2000-01-01", until="2000-01-02") == []
    fields = changes(service, ADMIN, since="2000-01-01", kinds=["Field"])
    assert fields and {c.kind for c in fields} == {"Field"}
    with pytest.raises(InvalidInput):
        changes(service, ADMIN, since="yesterday")


def test_entry_as_of_a_batch_and_fields_added_or_removed(two_batches: tuple[RegistryService, str, str]) -> None:
    service, first, second = two_batches
    ref = NodeRef("Dataset", catalogue.code(1))
    assert as_of(service, ADMIN, ref, first).props["abstract"] == "居民户籍信息（杭州市）"
    assert as_of(service, ADMIN, ref, second).props["abstract"] == "更新后的摘要"
    before = as_of(service, ADMIN, ref, "2000-01-01")
    assert before.props == {} and not before.live
    changed = field_changes(service, ADMIN, catalogue.code(1), first, second)
    assert [(c.name, c.change) for c in changed] == [("姓名", "removed")]
    assert field_changes(service, ADMIN, catalogue.code(1), first, first) == []
    back = field_changes(service, ADMIN, catalogue.code(1), second, first)
    assert [(c.name, c.change) for c in back] == [("姓名", "added")]


def test_public_feed_and_history_never_name_hidden_entries(demo_service: RegistryService) -> None:
    hidden = demo_service.hidden(PUBLIC)
    cleared = changes(demo_service, ADMIN, since="2000-01-01", limit=100_000)
    public = changes(demo_service, PUBLIC, since="2000-01-01", limit=100_000)
    assert len(public) < len(cleared)
    named = {NodeRef(c.kind, c.key) for c in public if c.kind in ("System", "Dataset", "Field", "Interface")}
    assert not named & hidden
    assert not [c for c in public if c.kind == "ImportBatch"]
    secret = NodeRef("System", "330000-GA-XT002")
    assert secret in {NodeRef(c.kind, c.key) for c in cleared}
    with pytest.raises(NotFound):
        as_of(demo_service, PUBLIC, secret, "2099-01-01")
    assert as_of(demo_service, ADMIN, secret, "2099-01-01").live


def test_stale_dataset_against_its_update_cycle(service: RegistryService, tmp_path: Path) -> None:
    path = _rewrite(catalogue.write(tmp_path / "hz.csv", [1, 2]), extra={"数据更新时间": "2026-03-01"})
    service.load(read(path), ADMIN)
    graph = service.graph(ADMIN)
    now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    stale = sharing_gaps(graph, kind="stale_dataset", now=now)  # 每日: due 2026-03-02 00:00 +08:00
    assert {g.subject for g in stale} == {catalogue.code(1), catalogue.code(2)}
    assert stale[0].evidence["update_cycle"] == "daily" and stale[0].evidence["overdue_days"] == pytest.approx(3.8, 0.1)
    assert sharing_gaps(graph, kind="stale_dataset", now=datetime(2026, 3, 1, 12, tzinfo=UTC)) == []
    assert sharing_gaps(graph, kind="stale_dataset", now=now + timedelta(days=-10)) == []


def test_an_interface_reports_its_deliveries_and_freshness_uses_them(service: RegistryService, tmp_path: Path) -> None:
    path = _rewrite(catalogue.write(tmp_path / "hz.csv", [1, 2, 3]), extra={"数据更新时间": "2026-03-01"})
    service.load(read(path), ADMIN)
    api = Interface(code="HZ-API-001", kind="api", url="https://api.hz.gov.cn/hj")
    api_ref = NodeRef("Interface", api.code)
    exposes = [EdgeDecl("EXPOSED_VIA", NodeRef("Dataset", catalogue.code(n)), api_ref) for n in (1, 2)]
    service.upsert(ADMIN, [api], exposes)
    editor = Caller("hz-hj-system", Role.EDITOR, department=catalogue.PROVIDER[1])  # the system's token
    delivered = datetime(2026, 3, 5, 8, tzinfo=UTC)
    report = report_interface_update(service, editor, "HZ-API-001", delivered)
    assert report.result.totals()["updated"] == 3  # the interface and both datasets
    assert service.get(ADMIN, "Dataset", catalogue.code(1)).props["data_updated_at"] == "2026-03-05T08:00:00Z"
    assert "data_updated_at" in service.get(ADMIN, "Interface", "HZ-API-001").props
    now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    stale = sharing_gaps(service.graph(ADMIN), kind="stale_dataset", now=now)
    assert {g.subject for g in stale} == {catalogue.code(3)}  # served by no interface: still stale
    older = report_interface_update(service, editor, "HZ-API-001", delivered - timedelta(days=2))
    assert not older.result.changed  # a late report of an older delivery moves nothing back
    with pytest.raises(PermissionDenied):
        report_interface_update(service, Caller("other", Role.EDITOR, department="11330000002487676F"), "HZ-API-001")
    with pytest.raises(NotFound):
        report_interface_update(service, editor, "HZ-API-404")

    # an interface registered with its last delivery counts as well, for the dataset it serves
    later = Interface(code="HZ-FTP-002", kind="file", data_updated_at=datetime(2026, 3, 5, 9, tzinfo=UTC))
    later_ref = NodeRef("Interface", later.code)
    service.upsert(ADMIN, [later], [EdgeDecl("EXPOSED_VIA", NodeRef("Dataset", catalogue.code(3)), later_ref)])
    assert sharing_gaps(service.graph(ADMIN), kind="stale_dataset", now=now) == []
    overdue = sharing_gaps(service.graph(ADMIN), kind="stale_dataset", now=now + timedelta(days=3))
    assert {g.subject: g.evidence["reported_by_interface"] for g in overdue}[catalogue.code(3)] == "HZ-FTP-002"


def test_contacts_from_the_catalogue_sheet(service: RegistryService, tmp_path: Path) -> None:
    extra = {"责任人": "王建国", "联系人": "李敏", "联系电话": "0571-87001234", "联系邮箱": "limin@hz.gov.cn"}
    path = _rewrite(catalogue.write(tmp_path / "hz.csv", [1]), extra=extra)
    service.load(read(path), ADMIN)
    record = service.get(ADMIN, "Dataset", catalogue.code(1))
    assert record.props["contacts"] == [
        {"name": "王建国", "role": "owner"},
        {"name": "李敏", "role": "steward", "phone": "0571-87001234", "email": "limin@hz.gov.cn"},
    ]


def test_browse_the_classification_and_department_trees(demo_service: RegistryService) -> None:
    from registry.service.browse import browse_categories, browse_departments

    root = browse_categories(demo_service, ADMIN)
    assert [c["name"] for c in root.children] == ["基础信息资源", "主题信息资源", "部门信息资源"]
    assert sum(c["count"] for c in root.children) == root.count
    basic = browse_categories(demo_service, ADMIN, "1")
    assert basic.level == "类" and all(c["path"].startswith("1") and len(c["path"]) == 3 for c in basic.children)
    public_root = browse_categories(demo_service, PUBLIC)
    hidden_datasets = {r for r in demo_service.hidden(PUBLIC) if r.label == "Dataset"}
    assert public_root.count == root.count - len(hidden_datasets)
    with pytest.raises(InvalidInput):
        browse_categories(demo_service, ADMIN, "1/../")
    departments = browse_departments(demo_service, PUBLIC)
    police = next(c for c in departments.children if c["name"] == "浙江省公安厅")
    node = browse_departments(demo_service, PUBLIC, police["path"])
    assert node.count == police["count"] == len(node.datasets)
    assert not {NodeRef("Dataset", d["key"]) for d in node.datasets} & hidden_datasets


def test_demo_datasets_name_their_owners_and_contacts(demo_service: RegistryService) -> None:
    record = demo_service.get(PUBLIC, "Dataset", "102100000/001")
    assert record.props["contacts"] == [
        {"name": "民政部社会事务司", "role": "owner"},
        {"name": "刘晓燕", "role": "steward", "phone": "010-58123456", "email": "liuxy@mca.gov.cn"},
    ]


def test_fields_removed_while_classified_are_never_named_to_an_uncleared_caller(service: RegistryService) -> None:
    """A field derived from classified data makes its dataset classified; once the field
    is retired the dataset is public again, and its removed field must not be named to the
    public (a retired field has no level: the change feed's rule, ``visible_nodes``)."""
    build(service)
    derived = NodeRef("Dataset", DERIVED_DS)
    assert derived in service.hidden(PUBLIC)
    (first,) = service.store.batches_between(None, None)
    time.sleep(1.1)  # batch times have one-second resolution
    service.retire(ADMIN, [NodeRef("Field", field_key(DERIVED_DS, "风险等级"))])
    assert derived not in service.hidden(PUBLIC)
    everything = field_changes(service, ADMIN, DERIVED_DS, first.batch, "2099-01-01")
    assert [(c.name, c.change) for c in everything] == [("风险等级", "removed")]
    assert field_changes(service, PUBLIC, DERIVED_DS, first.batch, "2099-01-01") == []
