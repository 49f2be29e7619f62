"""Levels kept in the store, probed for leaks (issue 14 review): every write path leaves a
table stamped current exact (a review decision, a retirement and a revival, a rise and a
fall, a department's complete list retiring what it no longer names, a dry run, a
restore); a levels write that cannot get the file after its data write committed does
not turn that committed write into an error; the level of one entry and the analysed
projection are read at the version the stored levels are exact for."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import Dataset, System
from registry.schema.records import ChangeSet, NodeRef, NodeWrite, Provenance
from registry.service import Caller, Declaration, EdgeDecl, RegistryService
from registry.service.declaration import RetireScope
from registry.service.visibility import required_levels
from registry.store import sqlite as sqlite_module
from registry.store.sqlite import SQLiteStore
from tests.service.graph_fixture import GA, INTRANET_DS, PUBLIC_DS, SECRET_SYS, build

ADMIN = Caller.system()
PUBLIC = Caller.public()


def _assert_exact_if_current(store: SQLiteStore) -> bool:
    """Whether the table is stamped current; if it is, it must equal a full computation."""
    if store.levels_stamp() != store.version():
        return False
    found = store.levels_above(0)
    assert found is not None
    table = {NodeRef(label, key): level for label, keys in found[1].items() for key, level in keys.items()}
    expected = {ref: level for ref, level in required_levels(store.projection()).items() if level > 0}
    assert table == expected
    return True


def _store(service: RegistryService) -> SQLiteStore:
    assert isinstance(service.store, SQLiteStore)
    return service.store


def _classified(code: str) -> tuple[list[System], list[EdgeDecl]]:
    return (
        [System(code=code, name="技侦数据研判系统", secrecy_level="top_secret")],
        [EdgeDecl("OPERATES", NodeRef("Department", GA), NodeRef("System", code))],
    )


def test_every_write_path_leaves_a_current_table_exact(tmp_path: Path) -> None:
    service = RegistryService(SQLiteStore(tmp_path / "r.db"))
    build(service)
    store = _store(service)
    service.hidden(PUBLIC)
    intranet, secret_sys = NodeRef("Dataset", INTRANET_DS), NodeRef("System", SECRET_SYS)
    steps: list[tuple[str, Any]] = [
        (
            "a review naming classified entries",
            lambda: service.review(
                ADMIN,
                finding="f-1",
                rule="r",
                subjects=[intranet, secret_sys],
                fingerprint="a",
                decision="confirmed",
                reason="核实",
            ),
        ),
        (
            "the same finding decided again on a public entry",
            lambda: service.review(
                ADMIN,
                finding="f-1",
                rule="r",
                subjects=[NodeRef("Dataset", PUBLIC_DS)],
                fingerprint="b",
                decision="dismissed",
                reason="误报",
            ),
        ),
        ("a classified holder retired", lambda: service.retire(ADMIN, [secret_sys])),
        (
            "the holder revived",
            lambda: service.upsert(
                ADMIN,
                [System(code=SECRET_SYS, name="警务情报研判系统", secrecy_level="confidential")],
                [EdgeDecl("OPERATES", NodeRef("Department", GA), secret_sys)],
            ),
        ),
        (
            "a public dataset now held by it",
            lambda: service.upsert(ADMIN, [], [EdgeDecl("HOLDS", secret_sys, NodeRef("Dataset", PUBLIC_DS))]),
        ),
        (
            "a dataset classified",
            lambda: service.upsert(
                ADMIN,
                [Dataset(resource_code=PUBLIC_DS, name="户籍", share_type="unconditional", secrecy_level="secret")],
            ),
        ),
        (
            "and declassified",
            lambda: service.upsert(
                ADMIN,
                [Dataset(resource_code=PUBLIC_DS, name="户籍", share_type="unconditional", secrecy_level="none")],
            ),
        ),
        ("a reviewed entry retired", lambda: service.retire(ADMIN, [intranet])),
        (
            "a department's complete list retiring a dataset's fields",
            lambda: service.load(
                Declaration(
                    source="ga.yaml",
                    format="api",
                    nodes=[Dataset(resource_code=PUBLIC_DS, name="户籍", share_type="unconditional")],
                    edges=[EdgeDecl("PROVIDES", NodeRef("Department", GA), NodeRef("Dataset", PUBLIC_DS))],
                    scopes=[RetireScope(GA, "Dataset")],
                ),
                ADMIN,
                force=True,
            ),
        ),
    ]
    for name, step in steps:
        step()
        assert _assert_exact_if_current(store), f"{name}: the write left the levels stale"
    before = store.version()
    service.upsert(ADMIN, *_classified("ZJGA-JZ-20"))
    service_dry = service.load(
        Declaration(source="d.yaml", format="api", nodes=_classified("ZJGA-JZ-21")[0]), ADMIN, dry_run=True
    )
    assert service_dry.result.changed
    assert store.levels_stamp() == store.version() == before + 1
    assert _assert_exact_if_current(store)
    rows = service.rows(ADMIN)
    copy = RegistryService(SQLiteStore(tmp_path / "copy.db"))
    copy.restore(
        ADMIN,
        list(rows.iter_nodes(include_retired=True)),
        list(rows.iter_edges(include_retired=True)),
        list(rows.iter_history()),
    )
    assert not _assert_exact_if_current(_store(copy)), "a restore must leave the levels stale"
    assert copy.hidden(PUBLIC) == service.hidden(PUBLIC)
    assert _assert_exact_if_current(_store(copy))
    copy.close()
    service.close()


def test_a_levels_write_kept_waiting_leaves_the_committed_write_reported_and_heard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data write committed; the levels write after it finds the file held by another
    process too long. The write must still be reported done (not "nothing was written,
    try again") and its listeners told; the levels are left stale for the next reader,
    who recomputes them before showing anything."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.hidden(PUBLIC)
    heard: list[str] = []
    service.listeners.append(heard.append)
    monkeypatch.setattr(sqlite_module, "WRITE_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(sqlite_module, "_FIRST_TRY_MS", 10)
    other = sqlite3.connect(path, isolation_level=None)
    real = _store(service).write_levels

    def held(work: Any, *, since: int | None, version: int | None = None) -> int | None:
        other.execute("BEGIN IMMEDIATE")  # another process takes the file right after the commit
        try:
            return real(work, since=since, version=version)
        finally:
            other.execute("ROLLBACK")

    monkeypatch.setattr(service.store, "write_levels", held)
    report = service.upsert(ADMIN, *_classified("ZJGA-JZ-22"))
    monkeypatch.undo()
    other.close()
    assert report.result.changed and heard == [report.batch]
    assert NodeRef("System", "ZJGA-JZ-22") in service.hidden(PUBLIC)
    assert NodeRef("System", "ZJGA-JZ-22") not in {r.ref for r in service.find(PUBLIC, "System")}
    assert _assert_exact_if_current(_store(service))
    service.close()


def _bypassing_write(path: Path, code: str) -> None:
    """A classified system written into the file by another program."""
    store = SQLiteStore(path)
    store.apply(
        ChangeSet(nodes=[NodeWrite("System", code, {"code": code, "name": "技侦系统", "secrecy_level": "top_secret"})]),
        Provenance("直写.csv", f"batch-{code}", "脚本", "2026-01-01T00:00:00+00:00"),
    )
    store.close()


def test_required_clearance_is_read_where_the_levels_are_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write by another program lands after the levels were made exact and before the
    one level is read: the answer is that write's level, never the public one the stale
    table gives an entry it has no row for."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.upsert(ADMIN, [System(code="ZJGA-JZ-23", name="技侦系统")])  # public for now
    service.hidden(PUBLIC)
    real = service.visibility._exact
    landed: list[bool] = []

    def then_written() -> bool:
        done = real()
        if not landed:
            landed.append(True)
            _bypassing_write(path, "ZJGA-JZ-23")
        return done

    monkeypatch.setattr(service.visibility, "_exact", then_written)
    assert service.required_clearance(NodeRef("System", "ZJGA-JZ-23")) > Clearance.SECRET
    service.close()


def _write_before_first(monkeypatch: pytest.MonkeyPatch, store: Any, method: str, path: Path, key: str) -> None:
    """Make another program write the classified system ``key`` just before the store's
    ``method`` first answers: the interleaving a caller's read must not let through."""
    real = getattr(store, method)
    landed: list[bool] = []

    def after_a_write(*args: Any, **kwargs: Any) -> Any:
        if not landed:
            landed.append(True)
            _bypassing_write(path, key)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, method, after_a_write)


def test_an_analysed_projection_never_holds_an_entry_newer_than_its_hidden_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program writes a classified entry after a public caller's hidden set was
    read and before the projection the analyses run on is built: the entry must not be in
    that caller's graph (it would surface in findings, evidence and counts)."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.hidden(PUBLIC)
    _write_before_first(monkeypatch, _store(service), "projection", path, "ZJGA-JZ-24")
    graph = service.visibility.graph(Clearance.PUBLIC, None, None)
    assert NodeRef("System", "ZJGA-JZ-24") not in graph
    assert NodeRef("System", SECRET_SYS) not in graph
    service.close()


@pytest.mark.xfail(
    strict=True,
    reason="known, predates the stored levels (fails at 2b81f1b too): a lookup reads the hidden keys, then the "
    "store, with no check that no write came between; left for a fix across every read (see the review report)",
)
def test_a_lookup_never_shows_an_entry_written_after_its_hidden_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program writes a classified system after a public caller's hidden keys were
    read and before the store is asked: the system must not be listed."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.hidden(PUBLIC)
    _write_before_first(monkeypatch, _store(service), "find_nodes", path, "ZJGA-JZ-25")
    assert NodeRef("System", "ZJGA-JZ-25") not in {r.ref for r in service.find(PUBLIC, "System")}
    service.close()
