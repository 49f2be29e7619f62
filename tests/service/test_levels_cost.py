"""Every node's clearance level costs a projection of the whole registry; a caller cleared
for everything must not pay it on each import, and must still see what each write did."""

import pytest

from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from tests.service.graph_fixture import SECRET_SYS, build


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
