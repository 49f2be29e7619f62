"""Levels kept in the embedded store (``SQLiteStore.write_levels``): a recomputation chunk
by chunk (``replay``) equals a full one (``required_levels``) whatever the chunks; writes
through the service keep the table exact and stamped; a fresh service reads what a caller
may not see from the table, never from a projection of the whole registry; a stale table
(a write that bypassed the service) is recomputed before anything is shown, and two
processes writing alternately keep it exact."""

import random
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from registry.schema.enums import Clearance
from registry.schema.model import System
from registry.schema.records import ChangeSet, EdgeWrite, NodeRef, NodeWrite, Provenance
from registry.service import Busy, Caller, EdgeDecl, RegistryService, visibility_cache
from registry.service import levels as levels_module
from registry.service.levels import replay
from registry.service.visibility import required_levels
from registry.store.sqlite import SQLiteStore
from tests.service.graph_fixture import GA, build
from tests.service.test_levels import _random_registry, _stored
from tests.service.test_stats_carried import _write

SECRET = Caller("审阅员", Caller.system().role, Clearance.SECRET)


def _table(store: SQLiteStore) -> dict[NodeRef, int]:
    """The stored levels as one mapping (nodes needing none are absent), when exact."""
    found = store.levels_above(0)
    assert found is not None, "the stored levels are not exact for the store's version"
    return {NodeRef(label, key): level for label, keys in found[1].items() for key, level in keys.items()}


def _expected(graph: nx.MultiDiGraph) -> dict[NodeRef, int]:
    return {ref: level for ref, level in required_levels(graph).items() if level > 0}


def _refuse(*_args: object, **_kwargs: object) -> Any:
    raise AssertionError("a projection of the whole registry was built")


def _with_orphans(rng: random.Random, graph: nx.MultiDiGraph) -> None:
    """Fields no dataset holds, deriving from others (and others from them): the replay
    starts from these itself, since no dataset's closure reaches them."""
    fields = [ref for ref in graph if ref.label == "Field"]
    for i in range(3):
        orphan = NodeRef("Field", f"孤立{i}")
        graph.add_node(orphan, label="Field", secrecy_level=rng.choice(["none", "secret"]))
        graph.add_edge(orphan, rng.choice(fields), key="DERIVED_FROM")
        graph.add_edge(rng.choice(fields), orphan, key="DERIVED_FROM")


@pytest.mark.parametrize("seed", range(8))
def test_a_chunked_replay_equals_a_full_recomputation(seed: int, tmp_path: Path) -> None:
    """Random registries (lineage across chunks and in circles, classified holders,
    declassified fields, interfaces, needs, requests, projects, reviews), recomputed
    into an empty table in chunks of one node up to all of them."""
    rng = random.Random(seed)
    graph = _random_registry(rng, 10)
    _with_orphans(rng, graph)
    store = _stored(graph, tmp_path / "r.db")
    expected = _expected(graph)
    assert expected, "the registry classifies nothing: the test would prove nothing"
    for chunk in (1, 3, 7, 10_000):
        version = store.write_levels(lambda put, chunk=chunk: replay(store, put, chunk), since=None)
        assert version == store.version() == store.levels_stamp()
        assert _table(store) == expected, chunk
        store.write_levels(lambda put: None, since=store.version())
        store._db.execute("UPDATE meta SET v = -1 WHERE k = 'levels_version'")  # stale again: the next one replays
    store.close()


def test_a_replay_reads_one_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each update of a replay starts from at most a chunk of nodes; none is the registry."""
    graph = _random_registry(random.Random(5), 40)
    store = _stored(graph, tmp_path / "r.db")
    started: list[int] = []
    real = levels_module.update_stored

    def counted(read: Any, graph_: Any, touched: Any) -> Any:
        started.append(len(list(touched)))
        return real(read, graph_, touched)

    monkeypatch.setattr(levels_module, "update_stored", counted)
    store.write_levels(lambda put: replay(store, put, 16), since=None)
    assert started and max(started) <= 16
    assert _table(store) == _expected(graph)
    store.close()


@pytest.mark.parametrize("seed", range(4))
def test_writes_through_the_service_keep_the_table_exact(service: RegistryService, seed: int) -> None:
    build(service)
    rng = random.Random(seed)
    service.hidden(Caller.public())
    for step in range(8):
        _write(rng, service, step)
        assert service.store.levels_stamp() == service.version()  # type: ignore[attr-defined]
        assert _table(service.store) == _expected(service.store.projection())  # type: ignore[arg-type]


def test_a_fresh_service_reads_hidden_sets_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "registry.db"
    first = RegistryService(SQLiteStore(path))
    build(first)
    _write(random.Random(3), first, 1)
    public, secret = first.hidden(Caller.public()), first.hidden(SECRET)
    assert public and public != secret
    fresh = RegistryService(SQLiteStore(path))
    monkeypatch.setattr(fresh.store, "projection", _refuse)
    monkeypatch.setattr(visibility_cache, "replay", _refuse)
    assert fresh.hidden(Caller.public()) == public
    assert fresh.hidden(SECRET) == secret
    assert fresh.visibility.hidden_by_label(Clearance.PUBLIC) == first.visibility.hidden_by_label(Clearance.PUBLIC)
    hidden = next(iter(public))
    assert fresh.required_clearance(hidden) == first.required_clearance(hidden) > 0
    rows = fresh.rows(Caller.public())
    assert not {record.ref for record in rows.iter_nodes()} & public
    first.close()
    fresh.close()


def _bypassing_write(path: Path, code: str) -> None:
    """A classified system written straight into the file, as another program would."""
    store = SQLiteStore(path)
    store.apply(
        ChangeSet(
            nodes=[
                NodeWrite("System", code, {"code": code, "name": "技侦数据研判系统", "secrecy_level": "top_secret"})
            ],
            edges=[EdgeWrite("OPERATES", NodeRef("Department", GA), NodeRef("System", code))],
        ),
        Provenance("直写.csv", "batch-direct", "脚本", "2026-01-01T00:00:00+00:00"),
    )
    store.close()


def test_a_write_bypassing_the_service_is_recomputed_before_it_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "registry.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    public = Caller.public()
    before = service.hidden(public)
    _bypassing_write(path, "ZJGA-JZ-01")
    classified = NodeRef("System", "ZJGA-JZ-01")
    assert service.store.levels_stamp() != service.version()  # type: ignore[attr-defined]
    replays: list[int] = []
    real = levels_module.replay

    def counted(store: Any, put: Any, chunk: int = levels_module.REPLAY_CHUNK) -> None:
        replays.append(1)
        real(store, put, chunk)

    monkeypatch.setattr(visibility_cache, "replay", counted)
    monkeypatch.setattr(service.store, "projection", _refuse)
    rows = service.rows(public)  # the first reader after the write: it recomputes
    assert replays == [1]
    assert classified not in {record.ref for record in rows.iter_nodes()}
    assert service.hidden(public) == before | {classified}
    assert classified not in {record.ref for record in service.find(public, "System")}
    assert service.stats(public)["nodes"]["System"] == len(service.find(public, "System"))
    monkeypatch.undo()
    assert _table(service.store) == _expected(service.store.projection())  # type: ignore[arg-type]
    service.close()


def test_a_write_during_a_callers_rows_never_shows_what_it_adds(tmp_path: Path) -> None:
    """Rows read for a public caller while another program writes a classified entry:
    the rows hold the state the hidden keys were read for, or the read ends (Busy)."""
    path = tmp_path / "registry.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    nodes = service.rows(Caller.public()).iter_nodes(["System"])
    first = next(nodes)
    _bypassing_write(path, "ZJGA-JZ-02")
    try:
        seen = {first.ref, *(record.ref for record in nodes)}
    except Busy:
        seen = {first.ref}
    assert NodeRef("System", "ZJGA-JZ-02") not in seen
    assert NodeRef("System", "ZJGA-JZ-02") not in {r.ref for r in service.rows(Caller.public()).iter_nodes()}
    service.close()


def test_two_processes_writing_alternately_keep_the_table_exact(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    first = RegistryService(SQLiteStore(path))
    build(first)
    second = RegistryService(SQLiteStore(path))
    rng = random.Random(7)
    for step in range(8):
        writer = (first, second)[step % 2]
        writer.hidden(Caller.public())
        _write(rng, writer, step)
        assert first.store.levels_stamp() == first.version()  # type: ignore[attr-defined]
        assert _table(first.store) == _expected(first.store.projection())  # type: ignore[arg-type]
        for reader in (first, second):
            assert reader.hidden(Caller.public()) == RegistryService(reader.store).hidden(Caller.public())
    first.close()
    second.close()


def test_a_write_made_while_another_process_updates_its_levels_leaves_them_stale(tmp_path: Path) -> None:
    """The levels of one write are stamped only while the store is at the version that
    write made: a write by another process in between leaves the table stale (the next
    reader recomputes), never stamped as current with the other write's levels missing."""
    path = tmp_path / "registry.db"
    first = RegistryService(SQLiteStore(path))
    build(first)
    second = RegistryService(SQLiteStore(path))
    first.hidden(Caller.public())
    real = first.store.write_levels  # type: ignore[attr-defined]

    def interleaved(work: Any, *, since: int | None, version: int | None = None) -> int | None:
        second.store.apply(  # a bypassing write lands between the first's write and its levels
            ChangeSet(nodes=[NodeWrite("System", "ZJGA-JZ-03", {"code": "ZJGA-JZ-03", "name": "技侦系统"})]),
            Provenance("直写.csv", "batch-between", "脚本", "2026-01-01T00:00:00+00:00"),
        )
        return real(work, since=since, version=version)  # type: ignore[no-any-return]

    first.store.write_levels = interleaved  # type: ignore[attr-defined]
    first.upsert(
        Caller.system(),
        [System(code="ZJGA-JZ-04", name="技侦研判系统", secrecy_level="top_secret")],
        [EdgeDecl("OPERATES", NodeRef("Department", GA), NodeRef("System", "ZJGA-JZ-04"))],
    )
    del first.store.write_levels  # type: ignore[attr-defined]
    assert first.store.levels_stamp() != first.version()  # type: ignore[attr-defined]
    assert NodeRef("System", "ZJGA-JZ-04") in second.hidden(Caller.public())
    assert _table(second.store) == _expected(second.store.projection())  # type: ignore[arg-type]
    first.close()
    second.close()
