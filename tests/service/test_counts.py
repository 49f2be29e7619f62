"""Counts of filtered lists kept per clearance for the store's version
(``registry.service.counts``): each clearance its own count, never another's; dropped by
a write here or in another process; not kept when the registry moved while counting."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import Dataset, System
from registry.schema.records import NodeRef
from registry.service import Caller, EdgeDecl, RegistryService, Role
from registry.service.counts import Counts
from tests.service.graph_fixture import GA, dept, refuse, two_workers

UNCONDITIONAL = {"share_type": "unconditional"}
SECRET = Caller("机密审核员", Role.REVIEWER, Clearance.CONFIDENTIAL)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[RegistryService, RegistryService]]:
    with two_workers(tmp_path / "registry.db") as pair:
        yield pair


def test_each_clearance_gets_its_own_count_then_the_kept_one(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = workers
    public, anonymous = Caller.public(), Caller("外网审核员", Role.REVIEWER, Clearance.PUBLIC)
    # the cleared caller first: its count (the dataset derived from intranet data
    # included) must not become the public caller's
    assert service.count(SECRET, "Dataset", where=UNCONDITIONAL) == 2
    assert service.count(public, "Dataset", where=UNCONDITIONAL) == 1
    assert service.count_linked(SECRET, "System", dept(GA), "OPERATES") == 2
    assert service.count_linked(public, "System", dept(GA), "OPERATES") == 1
    monkeypatch.setattr(service.store, "count_nodes", refuse)
    monkeypatch.setattr(service.store, "edges", refuse)
    assert service.count(anonymous, "Dataset", where=UNCONDITIONAL) == 1
    assert service.count(SECRET, "Dataset", where=UNCONDITIONAL) == 2
    assert service.count_linked(anonymous, "System", dept(GA), "OPERATES") == 1
    with pytest.raises(AssertionError):
        service.count(public, "Dataset", where={"share_type": "conditional"})  # another filter: counted


def test_a_write_here_or_in_another_process_drops_the_kept_counts(
    workers: tuple[RegistryService, RegistryService],
) -> None:
    first, second = workers
    public = Caller.public()
    assert first.count(public, "Dataset", where=UNCONDITIONAL) == 1
    assert first.count_linked(public, "System", dept(GA), "OPERATES") == 1
    first.upsert(
        Caller.system(), [Dataset(resource_code="301001/000009", name="出入境证件信息", share_type="unconditional")]
    )
    assert first.count(public, "Dataset", where=UNCONDITIONAL) == 2
    second.upsert(
        Caller.system(),
        [System(code="ZJGA-CR-01", name="出入境管理系统", network="extranet")],
        [EdgeDecl("OPERATES", dept(GA), NodeRef("System", "ZJGA-CR-01"))],
    )
    assert first.count_linked(public, "System", dept(GA), "OPERATES") == 2
    # a classified system written by the other process stays out of the public count
    second.upsert(
        Caller.system(),
        [System(code="ZJGA-JM-02", name="技术侦查系统", secrecy_level="secret")],
        [EdgeDecl("OPERATES", dept(GA), NodeRef("System", "ZJGA-JM-02"))],
    )
    assert first.count_linked(public, "System", dept(GA), "OPERATES") == 2
    assert first.count(public, "System") == 2
    assert first.count(Caller.system(), "System") == 4


def test_a_count_made_while_the_registry_moved_is_not_kept() -> None:
    versions = iter([1, 2, 2, 2, 2])
    counts = Counts(lambda: next(versions))
    assert counts.get("k", lambda: 5) == 5  # version 1 before, 2 after: not kept
    assert counts.get("k", lambda: 6) == 6  # counted again for version 2, and kept
    assert counts.get("k", refuse) == 6  # type: ignore[arg-type]


def test_a_linked_page_keeps_its_count_for_the_total(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = workers
    public = Caller.public()
    assert [r.key for r in service.find_linked(public, "System", dept(GA), "OPERATES", limit=1)] == ["ZJGA-WW-01"]
    monkeypatch.setattr(service.store, "edges", refuse)
    monkeypatch.setattr(service.store, "get_nodes", refuse)
    assert service.count_linked(public, "System", dept(GA), "OPERATES") == 1
    with pytest.raises(AssertionError):
        service.count_linked(SECRET, "System", dept(GA), "OPERATES")  # another clearance: its own count
