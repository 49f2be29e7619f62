"""Results shared by the processes serving one registry (``registry.service.shared``):
levels and analyses computed once per state of the store and read by the others, kept
apart per clearance, never served for another state of the registry."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pytest

from registry.analysis import catalog, duplicates, gaps, placement
from registry.schema.enums import Network
from registry.schema.model import System
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.service.shared import MAX_HELD, SharedResults
from registry.store.sqlite import SQLiteStore
from tests.service.graph_fixture import INTRANET_DS, PUBLIC_SYS, SECRET_SYS, build


def refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("recomputed what another process had shared")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[RegistryService, RegistryService]]:
    """Two services on one registry file, as two ``registry serve`` workers hold it."""
    path = tmp_path / "registry.db"
    first = RegistryService(SQLiteStore(path), share_results=True)
    build(first)
    second = RegistryService(SQLiteStore(path), share_results=True)
    yield first, second
    first.close()
    second.close()


def test_levels_computed_by_one_process_are_read_by_the_other(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = workers
    public = Caller.public()
    hidden = first.hidden(public)
    assert NodeRef("System", SECRET_SYS) in hidden
    monkeypatch.setattr(second.store, "projection", refuse)
    assert second.hidden(public) == hidden


def test_levels_updated_by_a_write_reach_the_other_process(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = workers
    public = Caller.public()
    assert NodeRef("System", PUBLIC_SYS) not in second.hidden(public)
    first.hidden(public)
    monkeypatch.setattr(first.store, "projection", refuse)
    monkeypatch.setattr(second.store, "projection", refuse)
    first.upsert(Caller.system(), [System(code=PUBLIC_SYS, name="户政业务办理系统", network=Network.INTRANET)])
    assert NodeRef("System", PUBLIC_SYS) in second.hidden(public)
    monkeypatch.undo()
    assert second.hidden(public) == RegistryService(first.store).hidden(public)


def test_an_analysis_runs_once_per_state_and_clearance(workers: tuple[RegistryService, RegistryService]) -> None:
    first, second = workers
    runs: list[int] = []

    def datasets(graph: nx.MultiDiGraph) -> list[str]:
        runs.append(1)
        return sorted(ref.key for ref in graph if ref.label == "Dataset")

    public, cleared = Caller.public(), Caller.system()
    seen = first.analysed(public, "datasets", datasets)
    assert INTRANET_DS not in seen
    assert second.analysed(public, "datasets", datasets) == seen
    assert INTRANET_DS in second.analysed(cleared, "datasets", datasets)  # another clearance: its own result
    assert len(runs) == 2
    first.upsert(Caller.system(), [System(code="ZJGA-XT-09", name="出入境管理系统")])
    second.analysed(public, "datasets", datasets)
    assert len(runs) == 3  # a new state of the store: computed again


def test_a_registry_created_again_under_the_same_name_is_not_served_old_results(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    old = RegistryService(SQLiteStore(path), share_results=True)
    build(old)
    assert NodeRef("System", SECRET_SYS) in old.hidden(Caller.public())
    old.close()
    for part in tmp_path.glob("registry.db*"):
        if part.is_file():
            part.unlink()
    new = RegistryService(SQLiteStore(path), share_results=True)
    new.upsert(Caller.system(), [System(code=SECRET_SYS, name="警务情报研判系统")])  # public this time
    assert new.version() == 1
    assert NodeRef("System", SECRET_SYS) not in new.hidden(Caller.public())
    new.close()


def test_processes_asking_at_once_compute_once(tmp_path: Path) -> None:
    """Two holders of the folder (each with its own file lock, as two processes) asking
    together: one computes while the other waits, then reads the result."""
    runs: list[int] = []

    def slow() -> str:
        runs.append(1)
        time.sleep(0.3)
        return "共享结果"

    holders = [SharedResults(tmp_path / "r.db.results", lambda: (7, "batch-1")) for _ in range(2)]
    found: list[str] = []
    threads = [threading.Thread(target=lambda h=h: found.append(h.get("findings@0", slow))) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["共享结果", "共享结果"]
    assert len(runs) == 1
    assert oct((tmp_path / "r.db.results").stat().st_mode & 0o777) == "0o700"


def test_the_servers_analyses_are_shared_whole(workers: tuple[RegistryService, RegistryService]) -> None:
    """What the GraphQL analyses share (findings, duplicates, gaps, placement, the matrix)
    reaches the other process equal to what it would compute itself."""
    first, second = workers
    public = Caller.public()
    analyses: dict[str, Callable[[nx.MultiDiGraph], object]] = {
        "findings": lambda graph: catalog.all_findings(graph, first.rows(public)),
        "gaps": gaps.sharing_gaps,
        "placement": placement.placement_findings,
        "matrix": lambda graph: gaps.sharing_matrix(graph).counts,
    }
    for name, analysis in analyses.items():
        computed = first.analysed(public, name, analysis)
        assert second.analysed(public, name, refuse) == computed
        assert computed == analysis(RegistryService(first.store).graph(public))
    found = first.analysed_rows(public, "duplicates", lambda rows: duplicates.find_duplicates(rows, kind="System"))
    assert second.analysed_rows(public, "duplicates", refuse) == found
    assert found == duplicates.find_duplicates(RegistryService(first.store).rows(public), kind="System")


def test_memory_holds_the_current_state_only_and_boundedly(tmp_path: Path) -> None:
    """An analysis is named with its arguments: a caller asking for many must not grow the
    process without bound, and a new state drops the old one's results."""
    state = [(1, "batch-1")]
    held = SharedResults(None, lambda: state[0])
    for n in range(MAX_HELD + 10):
        held.get(f"duplicates:system:{n / 100}", lambda: ["结果"] * 1000)
    assert len(held._memory) == MAX_HELD
    state[0] = (2, "batch-2")
    held.get("findings@0", list)
    assert list(held._memory) == ["findings@0"]


def test_counts_carried_by_a_write_reach_the_other_process(
    workers: tuple[RegistryService, RegistryService], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process that writes carries a caller's counts across its write and shares them:
    the other reads them instead of recounting every edge at every hidden node."""
    first, second = workers
    public = Caller.public()
    before = first.stats(public)
    first.upsert(Caller.system(), [System(code=PUBLIC_SYS, name="户政业务办理系统", network=Network.INTRANET)])
    for name in ("label_counts", "edge_type_counts", "edge_type_counts_touching"):
        monkeypatch.setattr(first.store, name, refuse)
        monkeypatch.setattr(second.store, name, refuse)
    after = second.stats(public)
    assert after == first.stats(public)
    assert after["nodes"].get("System", 0) == before["nodes"]["System"] - 1
    monkeypatch.undo()
    assert after == RegistryService(second.store).stats(public)
