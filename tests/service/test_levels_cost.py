"""Every node's clearance level costs a projection of the whole registry; a caller cleared
for everything must not pay it on each import, and must still see what each write did."""

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService, Role
from tests.service.graph_fixture import PUBLIC_SYS, SECRET_SYS, build


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build(service)
    return service


def test_a_fully_cleared_import_builds_no_projection(loaded: RegistryService, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the projection was built for a caller cleared for everything")

    monkeypatch.setattr(loaded.store, "projection", refuse)
    report = loaded.upsert(Caller.system(), [System(code="SYS-NEW", name="新建业务系统")])
    assert report.result.total("created") == 1
    assert loaded.hidden(Caller.system()) == frozenset()


def test_fully_cleared_counts_follow_writes(loaded: RegistryService) -> None:
    before = loaded.stats(Caller.system())["nodes"]["System"]
    loaded.upsert(Caller.system(), [System(code="SYS-NEW", name="新建业务系统")])
    assert loaded.stats(Caller.system())["nodes"]["System"] == before + 1


def test_other_callers_still_get_levels_after_a_cleared_write(loaded: RegistryService) -> None:
    loaded.upsert(Caller.system(), [System(code="SYS-NEW", name="新建业务系统")])
    assert NodeRef("System", SECRET_SYS) in loaded.hidden(Caller.public())
    assert loaded.required_clearance(NodeRef("System", SECRET_SYS)) > 0


def test_a_write_updates_levels_without_recomputing_them(
    loaded: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a reader has levels, each write updates them: no projection, no full pass."""
    public = Caller.public()
    assert NodeRef("System", PUBLIC_SYS) not in loaded.hidden(public)  # levels computed once

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a write made the next read recompute every level")

    monkeypatch.setattr(loaded.store, "projection", refuse)
    loaded.upsert(Caller.system(), [System(code=PUBLIC_SYS, name="户政业务办理系统", network="intranet")])
    loaded.upsert(Caller.system(), [System(code="SYS-NEW", name="新建业务系统", secrecy_level="secret")])
    loaded.retire(Caller.system(), [NodeRef("System", SECRET_SYS)])
    hidden = loaded.hidden(public)
    assert NodeRef("System", PUBLIC_SYS) in hidden  # moved to the intranet
    assert NodeRef("System", "SYS-NEW") in hidden
    assert NodeRef("System", SECRET_SYS) not in hidden  # retired: gone, not hidden
    monkeypatch.undo()
    fresh = RegistryService(loaded.store)
    for clearance in (Caller.public(), Caller("审阅员", Role.REVIEWER, Clearance.SECRET)):
        assert loaded.hidden(clearance) == fresh.hidden(clearance)
