"""The objects and completed rows of a kept neighbour list (``registry.graphql.views``):
shared by the requests that get the same kept list, never by callers of another
clearance, in either order; a write that moves the store's version brings new ones."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.graphql import RegistryContext, build_schema, nodes
from registry.schema.enums import Clearance
from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, EdgeDecl, RegistryService, Role
from tests.service.graph_fixture import GA, INTRANET_DS, PUBLIC_DS, dept, refuse, two_workers

SECRET = Caller("机密审核员", Role.REVIEWER, Clearance.CONFIDENTIAL)
PUBLIC = Caller("外网审核员", Role.REVIEWER, Clearance.PUBLIC)
PAGE = """query($code: String!) { department(code: $code) {
    systems { name network } datasets { resourceCode name shareType } } }"""


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[RegistryService, RegistryService]]:
    with two_workers(tmp_path / "registry.db") as pair:
        yield pair


def _page(service: RegistryService, caller: Caller, comment: str = "") -> dict[str, Any]:
    """The page executed (a comment of its own: no kept answer serves it)."""
    result = asyncio.run(
        build_schema().execute(
            f"{PAGE}\n# {comment}", variable_values={"code": GA}, context_value=RegistryContext(service, caller)
        )
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    page: dict[str, Any] = result.data["department"]
    return page


def _codes(page: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [s["name"] for s in page["systems"]], [d["resourceCode"] for d in page["datasets"]]


@pytest.mark.parametrize("cleared_first", [True, False])
def test_each_clearance_gets_its_own_objects_and_rows_then_the_kept_ones(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch, cleared_first: bool
) -> None:
    service, _ = workers
    expected = {
        Clearance.CONFIDENTIAL: (["警务情报研判系统", "户政业务办理系统"], sorted([INTRANET_DS, PUBLIC_DS])),
        Clearance.PUBLIC: (["户政业务办理系统"], [PUBLIC_DS]),
    }
    for caller in [SECRET, PUBLIC] if cleared_first else [PUBLIC, SECRET]:
        assert _codes(_page(service, caller, "first")) == expected[caller.clearance]

    # executed again (the department read and checked anew): the neighbour lists kept for
    # each clearance serve it, their objects made once
    monkeypatch.setattr(service.store, "edges", refuse)
    monkeypatch.setattr(nodes, "node_of", refuse)
    another = Caller("另一外网审核员", Role.REVIEWER, Clearance.PUBLIC)  # same clearance, other caller
    for caller in [PUBLIC, SECRET, another, PUBLIC]:
        assert _codes(_page(service, caller, f"again {caller.identity}")) == expected[caller.clearance]


def test_a_write_in_another_process_brings_new_objects(workers: tuple[RegistryService, RegistryService]) -> None:
    first, second = workers
    assert _codes(_page(first, PUBLIC)) == (["户政业务办理系统"], [PUBLIC_DS])
    second.upsert(
        Caller.system(),
        [
            System(code="ZJGA-CR-01", name="出入境管理系统", network="extranet"),
            System(code="ZJGA-JM-02", name="技术侦查系统", secrecy_level="secret"),
        ],
        [EdgeDecl("OPERATES", dept(GA), NodeRef("System", code)) for code in ("ZJGA-CR-01", "ZJGA-JM-02")],
    )
    # the new public system appears; the classified one written elsewhere does not
    assert _codes(_page(first, PUBLIC, "after the write"))[0] == ["出入境管理系统", "户政业务办理系统"]
