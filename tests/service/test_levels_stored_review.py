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
from click.testing import CliRunner

from registry.cli import main
from registry.schema.enums import Clearance
from registry.schema.model import Dataset, System
from registry.schema.records import ChangeSet, NodeRef, NodeWrite, Provenance
from registry.service import Caller, Declaration, EdgeDecl, RegistryService
from registry.service.changes import changes
from registry.service.declaration import RetireScope
from registry.service.errors import Busy, NotFound
from registry.service.search import search, suggest
from registry.service.subscriptions import EVENTS, Subscription, events_for
from registry.service.visibility import required_levels
from registry.service.visibility_cache import BUSY_MESSAGE
from registry.store import sqlite as sqlite_module
from registry.store.sqlite import SQLiteStore
from registry.web.app import create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import serve
from tests.service.graph_fixture import GA, INTRANET_DS, PUBLIC_DS, PUBLIC_SYS, SECRET_SYS, build

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


def _bypassing_write(path: Path, code: str, secrecy: str = "top_secret", name: str = "技侦系统") -> None:
    """A system written into the file by another program: by default classified (a new
    one, or an existing one reclassified and renamed)."""
    store = SQLiteStore(path)
    store.apply(
        ChangeSet(nodes=[NodeWrite("System", code, {"code": code, "name": name, "secrecy_level": secrecy})]),
        Provenance("直写.csv", f"batch-{code}-{secrecy}", "脚本", "2026-01-01T00:00:00+00:00"),
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


def _write_before_first(
    monkeypatch: pytest.MonkeyPatch,
    store: Any,
    method: str,
    path: Path,
    key: str,
    *,
    asked: str | None = None,
    **written: str,
) -> None:
    """Make another program write the classified system ``key`` (or as ``written`` says,
    see ``_bypassing_write``) just before the store's ``method`` first answers (the first
    call for the label ``asked``, if given): the interleaving a caller's read must not let
    through."""
    real = getattr(store, method)
    landed: list[bool] = []

    def after_a_write(*args: Any, **kwargs: Any) -> Any:
        if not landed and (asked is None or args[0] == asked):
            landed.append(True)
            _bypassing_write(path, key, **written)
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


def _raced(tmp_path: Path) -> tuple[RegistryService, Path]:
    """The fixture registry in a file, with the public caller's hidden keys already read
    (kept, as a server keeps them between requests)."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.hidden(PUBLIC)
    return service, path


def test_a_get_never_returns_an_entry_written_after_its_hidden_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _raced(tmp_path)
    _write_before_first(monkeypatch, _store(service), "get_nodes", path, "ZJGA-JZ-26")
    with pytest.raises(NotFound):
        service.get(PUBLIC, "System", "ZJGA-JZ-26")
    assert service.lookup(PUBLIC, "ZJGA-JZ-26") == []
    service.close()


def test_a_count_never_counts_an_entry_written_after_its_hidden_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _raced(tmp_path)
    shown = len(service.find(PUBLIC, "System"))
    _write_before_first(monkeypatch, _store(service), "count_nodes", path, "ZJGA-JZ-27")
    assert service.count(PUBLIC, "System") == shown
    service.close()


def test_edges_never_reach_an_entry_classified_after_the_hidden_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program classifies a public system between the hidden keys and the edges
    read: the department's edge to it must not be listed."""
    service, path = _raced(tmp_path)
    _write_before_first(monkeypatch, _store(service), "edges", path, PUBLIC_SYS)
    found = service.edges(PUBLIC, [NodeRef("Department", GA)], direction="out", types=["OPERATES"])
    assert NodeRef("System", PUBLIC_SYS) not in {e.dst for e in found}
    service.close()


def test_history_is_never_shown_of_an_entry_classified_after_the_hidden_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _raced(tmp_path)
    _write_before_first(monkeypatch, _store(service), "history", path, PUBLIC_SYS)
    with pytest.raises(NotFound):
        service.history(PUBLIC, NodeRef("System", PUBLIC_SYS))
    service.close()


def test_neighbours_never_show_a_far_end_classified_during_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edges are read, then another program classifies and renames the system at
    their far end, then its record is read: it must not be shown (nor its new name)."""
    service, path = _raced(tmp_path)
    _write_before_first(monkeypatch, _store(service), "get_nodes", path, PUBLIC_SYS)
    (links,) = service.neighbours(PUBLIC, [NodeRef("Department", GA)], direction="out", edge_type="OPERATES")
    assert NodeRef("System", PUBLIC_SYS) not in {record.ref for _edge, record in links}
    linked = service.find_linked(PUBLIC, "System", NodeRef("Department", GA), "OPERATES")
    assert NodeRef("System", PUBLIC_SYS) not in {r.ref for r in linked}
    service.close()


def _declassified_later(tmp_path: Path) -> tuple[RegistryService, Path]:
    """A top-secret system under a telling name, with the search index built while it was
    classified and no hidden set read yet for the public caller."""
    path = tmp_path / "r.db"
    service = RegistryService(SQLiteStore(path))
    build(service)
    service.upsert(ADMIN, [System(code="ZJGA-JZ-28", name="绝密侦控系统", secrecy_level="top_secret")])
    assert [h.key for h in search(service, ADMIN, "绝密侦控").hits] == ["ZJGA-JZ-28"]
    return service, path


def test_search_never_names_an_entry_by_what_it_was_while_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program declassifies and renames the system as the public caller's hidden
    set is read: the hits must come from the index of that version, never from the one
    built while the system was classified (its old name would be found and shown)."""
    service, path = _declassified_later(tmp_path)
    _write_before_first(
        monkeypatch, _store(service), "levels_above", path, "ZJGA-JZ-28", secrecy="none", name="通用系统"
    )
    assert search(service, PUBLIC, "绝密侦控").hits == []
    assert [h.name for h in search(service, PUBLIC, "通用系统").hits] == ["通用系统"]
    service.close()


def test_suggest_never_offers_a_name_an_entry_had_while_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _declassified_later(tmp_path)
    _write_before_first(
        monkeypatch, _store(service), "levels_above", path, "ZJGA-JZ-28", secrecy="none", name="通用系统"
    )
    assert "绝密侦控系统" not in {h.name for h in suggest(service, PUBLIC, "绝密")}
    service.close()


def test_the_change_feed_never_names_an_entry_classified_during_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _raced(tmp_path)
    assert PUBLIC_SYS in {c.key for c in changes(service, PUBLIC, since="2000-01-01")}
    _write_before_first(monkeypatch, _store(service), "get_nodes", path, PUBLIC_SYS, asked="System")
    found = changes(service, PUBLIC, since="2000-01-01")
    assert PUBLIC_SYS not in {c.key for c in found}
    assert "技侦系统" not in {c.name for c in found}
    service.close()


def test_a_subscription_never_delivers_an_entry_classified_during_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public subscriber of the department: another program classifies the department's
    public system as the department's entries are read, and the batch that created it is
    then judged: nothing about that system may be delivered."""
    service, path = _raced(tmp_path)
    subscription = Subscription(
        id="sub-1",
        subscriber="公众",
        clearance=int(Clearance.PUBLIC),
        target=GA,
        target_kind="department",
        events=list(EVENTS),
        url="https://example.org/hook",
        secret="s",
        created="2026-01-01T00:00:00+00:00",
    )
    (batch,) = {b.batch for b in _store(service).batches_between(None, None)}
    entries = list(_store(service).changes_in([batch]))
    assert any(PUBLIC_SYS in str(event) for event in events_for(service, subscription, entries))
    _write_before_first(monkeypatch, _store(service), "edges", path, PUBLIC_SYS)
    assert not any(PUBLIC_SYS in str(event) for event in events_for(service, subscription, entries))
    service.close()


def test_stats_never_count_an_entry_written_after_the_hidden_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, path = _raced(tmp_path)
    _write_before_first(monkeypatch, _store(service), "label_counts", path, "ZJGA-JZ-29")
    assert service.stats(PUBLIC)["nodes"]["System"] == len(service.find(PUBLIC, "System"))
    service.close()


def _always_written_before(monkeypatch: pytest.MonkeyPatch, target: Any, method: str, path: Path) -> None:
    """Another program writing a new classified system before every call of ``method``
    (on a store, or on the store class): a read can never find the registry unchanged."""
    real = getattr(target, method)
    written: list[str] = []

    def after_a_write(*args: Any, **kwargs: Any) -> Any:
        if len(written) < 50:
            written.append(f"ZJGA-JZ-{100 + len(written)}")
            _bypassing_write(path, written[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(target, method, after_a_write)


def test_a_read_the_registry_keeps_changing_under_ends_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service, path = _raced(tmp_path)
    _always_written_before(monkeypatch, _store(service), "find_nodes", path)
    with pytest.raises(Busy) as raised:
        service.find(PUBLIC, "System")
    assert str(raised.value) == BUSY_MESSAGE
    assert service.find(ADMIN, "System")  # nothing is hidden from the highest clearance: no check
    service.close()


PUBLIC_PART = ("--department", GA, "--clearance", "public")


def test_the_command_line_says_busy_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service, path = _raced(tmp_path)
    service.close()
    _always_written_before(monkeypatch, SQLiteStore, "get_nodes", path)
    result = CliRunner().invoke(
        main,
        ["--store", str(path), "export", str(tmp_path / "out.graphml"), "--format", "graphml", *PUBLIC_PART],
    )
    assert result.exit_code == 1, result.output
    assert BUSY_MESSAGE in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_the_api_answers_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service, path = _raced(tmp_path)
    _always_written_before(monkeypatch, _store(service), "find_nodes", path)
    tokens = TokenStore(tmp_path / "tokens.json")
    public, _ = tokens.create(role="public", name="公众")
    with serve(create_app(service, tokens)) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ systems(first: 10) { edges { node { code } } } }"},
            headers={"Authorization": f"Bearer {public}"},
        )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BUSY" and error["message"] == BUSY_MESSAGE
    service.close()
