"""Each node's visible neighbours kept per clearance for the store's version
(``registry.service.neighbours``): each clearance its own answer, never another's, in
either order; dropped by a write here or in another process; bounded."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, EdgeDecl, RegistryService, Role
from registry.service.neighbours import Neighbours
from tests.service.graph_fixture import (
    GA,
    INTRANET_DS,
    PUBLIC_DS,
    PUBLIC_SYS,
    SECRET_SYS,
    SJ,
    dept,
    refuse,
    two_workers,
)

SECRET = Caller("机密审核员", Role.REVIEWER, Clearance.CONFIDENTIAL)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[RegistryService, RegistryService]]:
    with two_workers(tmp_path / "registry.db") as pair:
        yield pair


def _keys(service: RegistryService, caller: Caller, refs: list[NodeRef], edge_type: str) -> list[list[str]]:
    found = service.neighbours(caller, refs, direction="out", edge_type=edge_type)
    return [[record.key for _edge, record in links] for links in found]


@pytest.mark.parametrize("cleared_first", [True, False])
def test_each_clearance_gets_its_own_neighbours_then_the_kept_ones(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch, cleared_first: bool
) -> None:
    service, _ = workers
    departments = [dept(GA), dept(SJ)]
    cleared = (SECRET_SYS, PUBLIC_SYS) if SECRET_SYS < PUBLIC_SYS else (PUBLIC_SYS, SECRET_SYS)
    order = [SECRET, Caller.public()] if cleared_first else [Caller.public(), SECRET]
    expected = {
        SECRET.identity: ([list(cleared), []], [sorted([INTRANET_DS, PUBLIC_DS]), []]),
        Caller.public().identity: ([[PUBLIC_SYS], []], [[PUBLIC_DS], []]),
    }
    for caller in order:
        systems, datasets = expected[caller.identity]
        assert _keys(service, caller, departments, "OPERATES") == systems
        assert _keys(service, caller, departments[:1], "PROVIDES") == datasets[:1]
    monkeypatch.setattr(service.store, "edges", refuse)
    monkeypatch.setattr(service.store, "get_nodes", refuse)
    anonymous = Caller("外网审核员", Role.REVIEWER, Clearance.PUBLIC)  # another caller, same clearance
    assert _keys(service, anonymous, departments, "OPERATES") == expected[Caller.public().identity][0]
    assert _keys(service, SECRET, departments, "OPERATES") == expected[SECRET.identity][0]
    monkeypatch.undo()
    # a dataset the public may not see answers as one without neighbours
    assert _keys(service, Caller.public(), [NodeRef("Dataset", INTRANET_DS)], "HAS_FIELD") == [[]]
    assert _keys(service, SECRET, [NodeRef("Dataset", INTRANET_DS)], "HAS_FIELD") == [[f"{INTRANET_DS}#人员类别"]]


def test_a_write_here_or_in_another_process_drops_the_kept_neighbours(
    workers: tuple[RegistryService, RegistryService],
) -> None:
    first, second = workers
    public = Caller.public()
    assert _keys(first, public, [dept(GA)], "OPERATES") == [[PUBLIC_SYS]]
    second.upsert(
        Caller.system(),
        [
            System(code="ZJGA-CR-01", name="出入境管理系统", network="extranet"),
            System(code="ZJGA-JM-02", name="技术侦查系统", secrecy_level="secret"),
        ],
        [
            EdgeDecl("OPERATES", dept(GA), NodeRef("System", "ZJGA-CR-01")),
            EdgeDecl("OPERATES", dept(GA), NodeRef("System", "ZJGA-JM-02")),
        ],
    )
    # the new public system appears; the classified one written elsewhere does not
    assert _keys(first, public, [dept(GA)], "OPERATES") == [sorted(["ZJGA-CR-01", PUBLIC_SYS])]
    first.retire(Caller.system(), [NodeRef("System", "ZJGA-CR-01")])
    assert _keys(first, public, [dept(GA)], "OPERATES") == [[PUBLIC_SYS]]


def test_what_is_kept_is_bounded_and_not_kept_while_the_registry_moved() -> None:
    versions = iter([1] + [2] * 20)
    kept = Neighbours(lambda: next(versions), limit=2)
    read_count = 0

    def read(refs: list[NodeRef]) -> dict[tuple[str, str], tuple[()]]:
        nonlocal read_count
        read_count += 1
        return {}

    a, b = NodeRef("Dataset", "301001/000001"), NodeRef("Dataset", "301001/000002")
    kept.get(0, [a], "out", "HAS_FIELD", read)  # version 1 before, 2 after: not kept
    kept.get(0, [a], "out", "HAS_FIELD", read)
    kept.get(0, [a], "out", "HAS_FIELD", read)
    assert read_count == 2
    kept.get(0, [b], "out", "HAS_FIELD", read)  # a weighs 1, b 1: both kept at a limit of 2
    kept.get(1, [b], "out", "HAS_FIELD", read)  # a third entry: the first kept goes
    kept.get(0, [a], "out", "HAS_FIELD", read)
    assert read_count == 5
