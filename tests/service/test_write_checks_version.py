"""A write by a caller not cleared for everything is made at the store version its checks
were made at (``RegistryService._at_one_version``): when another program classifies an
entry between the checks and the write, the checks are made again, so the caller's write
never touches what has just become hidden from it. On Neo4j, which commits a load chunk by
chunk, that holds between any two of its commits."""

from pathlib import Path

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import Dataset, System
from registry.schema.records import NodeRef
from registry.service import Busy, Caller, Declaration, EdgeDecl, PermissionDenied, RegistryService, Role
from registry.service.core import RegistryService as Service
from registry.service.declaration import DeclarationStream
from registry.store.neo4j import Neo4jSettings, Neo4jStore
from tests.service.graph_fixture import GA, PUBLIC_DS, PUBLIC_SYS, build, dept, two_workers
from tests.store.watched_neo4j import WatchedNeo4jStore

EDITOR = Caller("户政处编辑", Role.EDITOR, Clearance.PUBLIC, department=GA)
ADMIN = Caller("管理员", Role.ADMIN, Clearance.PUBLIC)
RENAMED = Dataset(resource_code=PUBLIC_DS, name="户籍人口信息（改）", share_type="conditional")
CLASSIFIED = Dataset(
    resource_code=PUBLIC_DS, name="户籍人口基本信息", share_type="unconditional", secrecy_level="secret"
)
"""The editor's dataset as another program classifies it while the editor writes."""


def _classify_once(
    monkeypatch: pytest.MonkeyPatch, service: RegistryService, other: RegistryService, entry: System | Dataset
) -> list[int]:
    """After ``service``'s first permission check (the caller's checks pass), another
    program on the same file (``other``) classifies ``entry``, once."""
    done: list[int] = []
    check = Service._check_permissions

    def then_classify(self: Service, *args: object, **kwargs: object) -> None:
        check(self, *args, **kwargs)  # type: ignore[arg-type]
        if self is service and not done:
            done.append(1)
            other.upsert(Caller.system(), [entry])

    monkeypatch.setattr(Service, "_check_permissions", then_classify)
    return done


def test_an_editors_write_refused_when_its_entry_was_classified_after_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_workers(tmp_path / "registry.db") as (service, other):
        done = _classify_once(monkeypatch, service, other, CLASSIFIED)
        with pytest.raises(PermissionDenied):
            service.upsert(
                EDITOR, [Dataset(resource_code=PUBLIC_DS, name="户籍人口信息（改）", share_type="conditional")]
            )
        assert done
        stored = other.get(Caller.system(), "Dataset", PUBLIC_DS)
        assert stored.props["name"] == "户籍人口基本信息" and stored.props["share_type"] == "unconditional"


def test_an_uncleared_administrators_retirement_leaves_an_entry_classified_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retirement's own check is what ``_hidden_edges_of`` and its hidden set read: the
    entry, classified after them, is left alone as a hidden one is."""
    target = NodeRef("System", PUBLIC_SYS)
    hidden_at = Service._hidden_edges_of
    done: list[int] = []
    with two_workers(tmp_path / "registry.db") as (service, other):

        def then_classify(self: Service, caller: Caller, refs: list[NodeRef]) -> object:
            found = hidden_at(self, caller, refs)
            if self is service and not done:
                done.append(1)
                other.upsert(
                    Caller.system(),
                    [System(code=PUBLIC_SYS, name="户政业务办理系统", network="intranet", secrecy_level="secret")],
                )
            return found

        monkeypatch.setattr(Service, "_hidden_edges_of", then_classify)
        result = service.retire(ADMIN, [target])
        assert done and result.counts.get("System", {}).get("retired", 0) == 0
        assert other.get(Caller.system(), "System", PUBLIC_SYS).props["secrecy_level"] == "secret"


def test_a_write_that_never_finds_the_store_still_ends_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program writing before every try: after the tries, Busy, nothing written."""
    check = Service._check_permissions
    step = iter(range(100))
    with two_workers(tmp_path / "registry.db") as (service, other):

        def then_write(self: Service, *args: object, **kwargs: object) -> None:
            check(self, *args, **kwargs)  # type: ignore[arg-type]
            if self is not service:
                return
            n = next(step)
            other.upsert(Caller.system(), [System(code=f"ZJGA-XT-{n:02d}", name=f"业务系统{n}", network="extranet")])

        monkeypatch.setattr(Service, "_check_permissions", then_write)
        with pytest.raises(Busy):
            service.upsert(
                EDITOR, [Dataset(resource_code=PUBLIC_DS, name="户籍人口信息（改）", share_type="conditional")]
            )
        assert other.get(Caller.system(), "Dataset", PUBLIC_DS).props["name"] == "户籍人口基本信息"


def test_on_neo4j_an_entry_classified_between_two_chunks_is_not_written_by_the_rest(
    bolt_store: Neo4jStore, bolt_url: str
) -> None:
    """An editor's file in two parts: a new dataset of its department, then a rename of
    one it provides. After the first part is committed, another program classifies that
    dataset. The rest of the load is not written over it: the service checks again, finds
    the dataset hidden from the editor and refuses. The part committed before stays."""
    build(RegistryService(bolt_store))
    other = RegistryService(Neo4jStore.from_url(bolt_url))
    store = WatchedNeo4jStore(Neo4jSettings.from_url(bolt_url))
    service = RegistryService(store)
    classified: list[int] = []

    def classify_after_the_first_chunk(n: int) -> None:
        if n == 1:
            other.upsert(Caller.system(), [CLASSIFIED])
            classified.append(n)

    store.on_chunk = classify_after_the_first_chunk
    new = Dataset(resource_code="301001/000010", name="流动人口登记信息", share_type="conditional")
    parts = [
        Declaration(
            source="户政处.json",
            format="api",
            nodes=[new],
            edges=[EdgeDecl("PROVIDES", dept(GA), NodeRef("Dataset", new.resource_code))],
        ),
        Declaration(source="户政处.json", format="api", nodes=[RENAMED]),
    ]
    try:
        with pytest.raises(PermissionDenied):
            service.load_stream(DeclarationStream("户政处.json", "api", parts), EDITOR)
        assert classified == [1], "the second chunk was not asked for once"
        stored = other.get(Caller.system(), "Dataset", PUBLIC_DS)
        assert stored.props["name"] == "户籍人口基本信息" and stored.props["secrecy_level"] == "secret"
        assert other.get(Caller.system(), "Dataset", new.resource_code).props["name"] == "流动人口登记信息"
    finally:
        service.close()
        other.close()
