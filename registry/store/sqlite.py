"""The embedded default store: one SQLite file, zero setup.

SQLite in WAL mode gives what an embedded registry needs: a transaction per batch (a
killed import leaves exactly the batches committed before it), readers that do not block
the writer, and indexed lookups by (label, key). Properties are JSON; provenance is a
reference to a batch row, so two million fields from one import cost one provenance
record. History keeps updates, retirements and revivals; a node's creation is its
``created`` provenance, and what it held then is its current state with the later
changes undone, which keeps a bulk load from writing every row twice.
"""

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from threading import RLock
from typing import Any

import networkx as nx

from registry.schema.records import (
    ApplyResult,
    ChangeSet,
    Direction,
    EdgeRecord,
    EdgeRef,
    EdgeUpsert,
    HistoryEntry,
    NodeRecord,
    NodeRef,
    NodeUpsert,
    Props,
    Provenance,
    keys_by_label,
)
from registry.store.base import (
    DanglingEdges,
    Finish,
    StoreBusy,
    StoreError,
    check_chunk,
    expect_version,
    final_step,
    upserts,
)
from registry.store.diff import changes as diff_changes
from registry.store.diff import merged
from registry.store.history import creation_entry
from registry.store.projection import EdgeRow, NodeRow, ProjectionCache, build_from_rows
from registry.store.read_cache import ReadCache
from registry.store.sqlite_reader import ReaderFailed, read_elsewhere

_CHUNK = 20_000

_LEVELS_DDL = """
CREATE TABLE IF NOT EXISTS levels (
    label TEXT NOT NULL, key TEXT NOT NULL, level INTEGER NOT NULL, PRIMARY KEY (label, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS levels_by_level ON levels (level);
CREATE INDEX IF NOT EXISTS nodes_retired ON nodes (label, key) WHERE retired = 1;
"""
"""The clearance each live node needs, as the service computed it, for the nodes that need
any (level > 0: about a tenth of a registry's nodes; a node without a row needs none).
Keyed like ``nodes``; ``levels_by_level`` (which carries the key) lists the nodes above a
clearance without reading the others. ``meta.levels_version`` is the store version the
table is exact for; a file from before the table has neither, which reads as stale.
``nodes_retired`` holds the retired nodes only (a partial index: a live node's insert
skips it), which a caller's rows leave out beside the levels (``retired_keys``): found
without reading every node, 44 s for the 21M nodes of a national registry."""

_BULK_TYPE = "HAS_FIELD"
"""The edge type that holds most of a registry's edges (a dataset's 信息项: 82% of them in the
generator's registries), which ``edges_by_type`` leaves out. Every read of this type
scans the table in key order anyway (through the index each edge cost a lookup of its
row, then a sort of them all), so its index entries served only counts, and keeping them
up to date was 7–11 of the 22–25 CPU s that a province's load into a registry already
holding others cost beyond a load into an empty one (bench/README.md). The index holds
each edge's key and retired flag after its type, so the live edges of a type are read
from the index alone, in key order, not through a lookup of each edge's row and a sort.
A registry file made before keeps its index (of every edge, or of the type alone), which
gives the same answers through the table."""

_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (k, v) VALUES ('version', 0), ('schema', 1), ('levels_version', 0);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, by_whom TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL, key TEXT NOT NULL, name TEXT, props TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (label, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (
    src_label TEXT NOT NULL, src_key TEXT NOT NULL, type TEXT NOT NULL,
    dst_label TEXT NOT NULL, dst_key TEXT NOT NULL, props TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (src_label, src_key, type, dst_label, dst_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_by_dst ON edges (dst_label, dst_key, type);
CREATE INDEX IF NOT EXISTS edges_by_type ON edges (type, src_label, src_key, dst_label, dst_key, retired)
    WHERE type <> '{_BULK_TYPE}';
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY, subject TEXT NOT NULL, op TEXT NOT NULL, changes TEXT NOT NULL,
    batch TEXT NOT NULL, node_label TEXT, node_key TEXT, edge_type TEXT,
    src_label TEXT, src_key TEXT, dst_label TEXT, dst_key TEXT
);
CREATE INDEX IF NOT EXISTS history_by_node ON history (node_label, node_key);
CREATE INDEX IF NOT EXISTS history_by_src ON history (src_label, src_key);
CREATE INDEX IF NOT EXISTS history_by_dst ON history (dst_label, dst_key);
CREATE INDEX IF NOT EXISTS history_by_batch ON history (batch);
CREATE INDEX IF NOT EXISTS nodes_by_created ON nodes (created);
CREATE INDEX IF NOT EXISTS batches_by_at ON batches (at);
{_LEVELS_DDL}"""


_TOUCHING = (
    "SELECT type, count(*) FROM ("
    "SELECT e.type FROM temp.counted AS c CROSS JOIN edges AS e ON e.src_label = c.label AND e.src_key = c.key "
    "UNION ALL "
    "SELECT e.type FROM temp.counted AS c CROSS JOIN edges AS e ON e.dst_label = c.label AND e.dst_key = c.key "
    "WHERE NOT EXISTS (SELECT 1 FROM temp.counted AS s WHERE s.label = e.src_label AND s.key = e.src_key)"
    ") GROUP BY type"
)
"""Edges, retired or not, with an end in ``temp.counted``, each once (by its source if both)."""
_TOUCHING_RETIRED = (
    "SELECT e.type, count(*) FROM edges AS e NOT INDEXED WHERE e.retired = 1 AND ("
    "EXISTS (SELECT 1 FROM temp.counted AS s WHERE s.label = e.src_label AND s.key = e.src_key) OR "
    "EXISTS (SELECT 1 FROM temp.counted AS d WHERE d.label = e.dst_label AND d.key = e.dst_key)) GROUP BY +e.type"
)
"""The retired ones among them."""

_AROUND_COLUMNS = (
    "SELECT e.src_label, e.src_key, e.type, e.dst_label, e.dst_key, e.retired, e.created = ?1, "
    "CASE WHEN e.updated = ?1 AND e.created <> ?1 THEN (SELECT h.op FROM history AS h "
    "WHERE h.src_label = e.src_label AND h.src_key = e.src_key AND h.edge_type = e.type "
    "AND h.dst_label = e.dst_label AND h.dst_key = e.dst_key AND h.batch = ?1 ORDER BY h.seq LIMIT 1) END "
)
_AROUND = (
    f"{_AROUND_COLUMNS}FROM temp.counted AS c CROSS JOIN edges AS e ON e.src_label = c.label AND e.src_key = c.key "
    "WHERE e.retired = 0 OR e.updated = ?1 "
    "UNION ALL "
    f"{_AROUND_COLUMNS}FROM temp.counted AS c CROSS JOIN edges AS e ON e.dst_label = c.label AND e.dst_key = c.key "
    "WHERE (e.retired = 0 OR e.updated = ?1) "
    "AND NOT EXISTS (SELECT 1 FROM temp.counted AS s WHERE s.label = e.src_label AND s.key = e.src_key)"
)
"""Edges with an end in ``temp.counted``, each once, live now or written by batch ``?1``:
whether it is retired, whether the batch created it, and the batch's first history entry
for it when the batch changed an edge it did not create."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
_C_ENCODE = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, True)
)
"""``_ENCODER``'s own C encoder, made once: ``encode`` makes a new one for every value,
which was half the cost of encoding the two million small property maps of a national
load. No circular-reference check: properties are decoded JSON and validated models."""
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> Any:
    """Stored properties as written by ``_dumps``, decoded by the json module's C scanner
    directly: ``json.loads`` adds two Python frames and two whitespace matches per value,
    as much again as decoding a dataset's properties (5 µs), for thousands of records per
    dashboard page. Text that is not exactly one JSON value goes to ``json.loads``."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


_EdgeKey = tuple[str, str, str, str, str]
"""(source label, source key, type, target label, target key): plain tuples hash several
times faster than the nested frozen dataclasses, which matters at millions of edges."""


def _dumps(value: Any) -> str:
    """Canonical JSON (sorted keys), so that equal properties give equal text and an
    unchanged re-import is detected without decoding what is stored."""
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def _name_property(label: str) -> str:
    from registry.schema.model import NAME_PROPERTY

    return NAME_PROPERTY.get(label, "name")


def _name(label: str, props: Props, name: str | None = None) -> str | None:
    """``name`` is the label's name property when the caller has looked it up once for
    many nodes: the import and lookup per node were a twentieth of a bulk load."""
    value = props.get(name or _name_property(label))
    return None if value is None else str(value)


_DEFERRED_INDEXES = (
    "nodes_by_created",
    "edges_by_dst",
    "edges_by_type",
    "history_by_node",
    "history_by_src",
    "history_by_dst",
    "history_by_batch",
)
"""Indexes a load into an empty registry drops and builds again before it commits. None of
them serves the load itself, which looks rows up by primary key only."""


def _drop_indexes(cur: sqlite3.Cursor) -> list[str]:
    """Drop the deferred indexes (within the load's transaction, so a rolled-back load
    keeps them); returns the statements that build them again. An index on a table of
    WITHOUT ROWID rows repeats the whole primary key, so inserting two million edges
    into three B-trees at once was a third of writing them."""
    found = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (SELECT value FROM json_each(?))",
        (json.dumps(_DEFERRED_INDEXES),),
    ).fetchall()
    for name, _sql in found:
        cur.execute(f'DROP INDEX "{name}"')  # a name from _DEFERRED_INDEXES, never from input
    return [sql for _name, sql in found]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


PAGE_SIZE = 16384
"""Bytes per page of a registry file this store creates. Keys are text (a 信息项's is its
dataset's code and its name) and the tables are WITHOUT ROWID, so a 4 KiB page held few
rows: at 16 KiB a national load's write takes about a tenth less CPU (most of it at the
commit) and a lookup by key about a quarter less (bench/README.md, "Streaming import").
A file made with another page size keeps it and opens as before: SQLite reads any."""

WRITE_WAIT_SECONDS = 30.0
"""How long a write waits for another process's write transaction before giving up."""
_FIRST_TRY_MS = 200


def store_files(path: Path) -> tuple[Path, Path, Path]:
    """A registry file and the side files SQLite keeps beside it in WAL mode."""
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _private_file(path: Path) -> None:
    """The registry holds classified entries: its file is created readable by its owner
    only (SQLite gives the -wal and -shm files the database file's mode), and an existing
    file of ours left readable by others is tightened."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            for part in store_files(path):
                if part.exists():
                    part.chmod(0o600)


READ_ELSEWHERE_BYTES = 256 * 2**20
"""From this file size on, a long join is stepped by a process of its own
(``registry.store.sqlite_reader``). ``python -m bench.reader_process``, the compact
projection both ways: a 148 MB file (10k datasets) 1.04-1.09x slower with the reader,
442 MB (30k) 0.84-0.86x, 1.5 GB (100k) 0.78-0.79x; below this the child's start and
marshalling cost more than the overlap gives."""

_UNIT = "\x1f"
"""What ``iter_linked_groups`` joins a group's keys and names with (ASCII unit separator)."""


class SQLiteStore:
    """One connection, serialised by a lock. Opening never writes to an existing registry
    (its schema is created only when missing), so a reader opens and reads the last
    committed state while another process holds a write transaction (WAL); a writer that
    finds the file busy says so through ``on_wait`` and waits up to
    ``WRITE_WAIT_SECONDS`` before ``StoreBusy``."""

    loads_atomically = True
    """A load is one transaction (``apply_chunks``)."""

    def __init__(self, path: str | Path, *, read_elsewhere_bytes: int = READ_ELSEWHERE_BYTES) -> None:
        """``read_elsewhere_bytes``: the file size from which ``iter_linked_groups`` is
        read by another process (0: always, as the tests ask)."""
        self.path = Path(path)
        self._read_elsewhere_bytes = read_elsewhere_bytes
        self.url = str(self.path)
        self.on_wait: Callable[[str], None] | None = None
        try:
            _private_file(self.path)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=WRITE_WAIT_SECONDS
            )
            # a new file's pages: 16 KiB (SQLite's default is 4 KiB); a no-op for an existing file
            self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=OFF")
            self._db.execute("PRAGMA cache_size=-200000")
            self._db.execute("PRAGMA temp_store=MEMORY")  # the counts' node table: no file in /tmp
            if self._db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'batches_by_at'").fetchone()[0] == 0:
                self._db.executescript(_DDL)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(
                    f"the registry file {self.path} is being created or upgraded by another process; try again"
                ) from None
            raise StoreError(f"cannot open the registry file {self.path}: {exc}") from None
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"cannot open the registry file {self.path}: {exc}") from None
        self._lock = RLock()
        self._batches: dict[str, Provenance] = {}
        self._projections = ProjectionCache()
        self._edge_counts: tuple[int, dict[str | None, int]] = (-1, {})
        """(store version, number of edges by JSON type list, None for all) for ``_typed``."""
        self._reads = ReadCache()

    # -- basics ---------------------------------------------------------------------

    def version(self) -> int:
        with self._lock:
            return self._version(self._db.cursor())

    @staticmethod
    def _version(cur: sqlite3.Cursor) -> int:
        return int(cur.execute("SELECT v FROM meta WHERE k='version'").fetchone()[0])

    def _kept_reads(self) -> ReadCache | None:
        """The records built at the committed version (``registry.store.read_cache``), or
        None inside a write transaction, whose reads see rows not committed yet. Called
        with the lock held."""
        if self._db.in_transaction:
            return None
        return self._reads.at(self.version())

    def stamp(self) -> tuple[int, str]:
        """The version and the id of the newest write batch, read together: what results
        shared between processes are keyed on (``registry.service.shared``), since a
        version number alone is met again by a registry created anew under the same
        name. Not part of the Store protocol."""
        with self._lock:
            version, batch = self._db.execute(
                "SELECT (SELECT v FROM meta WHERE k = 'version'), (SELECT id FROM batches ORDER BY rowid DESC LIMIT 1)"
            ).fetchone()
        return int(version), batch or ""

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"registry file {self.path} is not readable: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _begin(self, cur: sqlite3.Cursor) -> None:
        """A write transaction; when another process holds one, say so and wait for it."""
        cur.execute(f"PRAGMA busy_timeout = {_FIRST_TRY_MS}")
        try:
            cur.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        finally:
            cur.execute(f"PRAGMA busy_timeout = {int(WRITE_WAIT_SECONDS * 1000)}")
        if self.on_wait is not None:
            self.on_wait(
                f"another process is writing to {self.path}; waiting up to {WRITE_WAIT_SECONDS:g} s for it to finish"
            )
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(
                    f"another process has been writing to {self.path} for over {WRITE_WAIT_SECONDS:g} s; "
                    "nothing was written, try again when it has finished"
                ) from None
            raise

    @contextmanager
    def _transaction(self, commit: bool = True) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._db.cursor()
            self._begin(cur)
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT" if commit else "ROLLBACK")

    def _prov(self, batch: str) -> Provenance:
        prov = self._batches.get(batch)
        if prov is None:
            row = self._db.execute("SELECT source, by_whom, at FROM batches WHERE id = ?", (batch,)).fetchone()
            if row is None:
                raise StoreError(f"provenance batch {batch!r} is missing from {self.path}")
            prov = Provenance(source=row[0], batch=batch, by=row[1], at=row[2])
            self._batches[batch] = prov
        return prov

    # -- writes ---------------------------------------------------------------------

    def apply(
        self, changes: ChangeSet, prov: Provenance, *, dry_run: bool = False, at_version: int | None = None
    ) -> ApplyResult:
        return self.apply_chunks([upserts(changes)], prov, final_step(changes), dry_run=dry_run, at_version=at_version)

    def apply_chunks(
        self,
        chunks: Iterable[ChangeSet],
        prov: Provenance,
        finish: Finish | None = None,
        *,
        dry_run: bool = False,
        at_version: int | None = None,
    ) -> ApplyResult:
        """Every chunk in one transaction (see ``Store.apply_chunks``): a killed or refused
        load leaves the file as it was, and ``at_version`` is checked once, when the
        transaction has the file's write lock. Rows are inserted without being looked up first
        (``INSERT OR IGNORE``; only a label's or edge type's rows that the count shows
        were partly stored already are looked up), and into an empty registry the
        secondary indexes are built once at the end, by sorting, instead of being kept up
        to date row by row (``_drop_indexes``)."""
        result = ApplyResult(dry_run=dry_run)
        with self._transaction(commit=not dry_run) as cur:
            if at_version is not None:
                expect_version(self._version(cur), at_version)
            fresh = bool(cur.execute("SELECT NOT EXISTS (SELECT 1 FROM nodes)").fetchone()[0])
            deferred = _drop_indexes(cur) if fresh else []
            # the batch row first, so that reads during the load (``finish``, the caller
            # between chunks) can resolve the provenance of what the load has written
            new_batch = cur.execute(
                "INSERT OR IGNORE INTO batches (id, source, by_whom, at) VALUES (?, ?, ?, ?)",
                (prov.batch, prov.source, prov.by, prov.at),
            ).rowcount
            for chunk in chunks:
                check_chunk(chunk)
                self._upsert(cur, chunk, prov, result)
            last = finish(result) if finish is not None else ChangeSet()
            self._upsert(cur, last, prov, result)
            for ref in last.retire_nodes:
                self._retire_node(cur, ref, prov, result)
            for eref in last.retire_edges:
                self._retire_edge(cur, eref, prov, result)
            if result.changed and last.record is not None:
                record = last.record
                counted = {**record.props, "counts": result.totals()}
                self._apply_nodes(cur, [(record.label, record.key, counted)], prov, ApplyResult())
            for sql in deferred:
                cur.execute(sql)
            if result.changed:
                cur.execute("UPDATE meta SET v = v + 1 WHERE k = 'version'")
            elif new_batch:
                cur.execute("DELETE FROM batches WHERE id = ?", (prov.batch,))
                self._batches.pop(prov.batch, None)
            result.version = self._version(cur)
        return result

    def open_loads(self) -> list[Provenance]:
        """None: a load is one transaction here, so a killed one left nothing behind."""
        return []

    @staticmethod
    def _existing_nodes(
        cur: sqlite3.Cursor, label: str, keys: list[str], batch: str
    ) -> dict[str, tuple[str, bool, bool]]:
        """Stored JSON text (decoded only where a write differs), retired flag and whether
        batch ``batch`` (the load itself, in an earlier chunk) created it, by key."""
        found: dict[str, tuple[str, bool, bool]] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            for key, props, retired, ours in cur.execute(
                "SELECT key, props, retired, created = ?3 FROM nodes WHERE label = ?1 "
                "AND key IN (SELECT value FROM json_each(?2))",
                (label, json.dumps(chunk, ensure_ascii=False), batch),
            ):
                found[key] = (props, bool(retired), bool(ours))
        return found

    def _upsert(self, cur: sqlite3.Cursor, changes: ChangeSet, prov: Provenance, result: ApplyResult) -> None:
        """A chunk's upserts, written and read back from a spill as tuples or given as
        writes, all as tuples: the loops below run for every entry of a national file."""
        nodes = changes.node_rows
        if changes.nodes:
            nodes = [(w.label, w.key, w.props) for w in changes.nodes] + nodes
        live = self._apply_nodes(cur, nodes, prov, result)
        edges = changes.edge_rows
        if changes.edges:
            edges = [(w.type, w.src.label, w.src.key, w.dst.label, w.dst.key, w.props) for w in changes.edges] + edges
        self._apply_edges(cur, edges, live, prov, result)

    def _apply_nodes(
        self,
        cur: sqlite3.Cursor,
        writes: Iterable[NodeUpsert],
        prov: Provenance,
        result: ApplyResult,
    ) -> dict[str, dict[str, Props]]:
        """Returns the keys written, by label (with their properties). A label's rows are
        inserted unless present and looked up only when fewer went in than were given (a
        key stored before, or written by an earlier chunk of the load): looking up every
        key first cost a national load a query per chunk and label for nothing, in an
        empty store and in one holding other provinces alike. A file that re-files what
        is stored pays one refused insert per row before its lookup."""
        by_label: dict[str, dict[str, Props]] = {}
        for label, key, props in writes:
            pending = by_label.get(label)
            if pending is None:
                pending = by_label[label] = {}
            before = pending.get(key)
            pending[key] = props if before is None else merged(before, props)
        batch = prov.batch
        for label, pending in by_label.items():
            name = _name_property(label)
            rows = [
                (label, key, None if (shown := props.get(name)) is None else str(shown), _dumps(props), batch, batch)
                for key, props in pending.items()
            ]
            inserted = cur.executemany(
                "INSERT OR IGNORE INTO nodes (label, key, name, props, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                sorted(rows),
            ).rowcount
            if inserted == len(rows):
                result.add(label, "created", inserted)
                continue
            existing = self._existing_nodes(cur, label, list(pending), batch)
            updates, history = [], []
            unchanged = updated = 0
            for row in rows if existing else ():  # in the order written, as the history shows it
                key = row[1]
                found = existing.get(key)
                if found is None:
                    continue
                old_text, retired, ours = found
                if not ours:
                    result.existed.add((label, key))
                if not retired and row[3] == old_text:
                    unchanged += 1
                    continue
                old_props = json.loads(old_text)
                new_props = merged(old_props, pending[key])
                delta = diff_changes(old_props, new_props)
                if not delta and not retired:
                    unchanged += 1
                    continue
                updates.append((_name(label, new_props, name), _dumps(new_props), batch, label, key))
                history.append(
                    (
                        f"{label}:{key}",
                        "revive" if retired else "update",
                        _dumps(delta),
                        batch,
                        label,
                        key,
                        None,
                        None,
                        None,
                        None,
                        None,
                    )
                )
                updated += 1
            # the rows just inserted were found again, unchanged
            for outcome, n in (("created", inserted), ("updated", updated), ("unchanged", unchanged - inserted)):
                if n:
                    result.add(label, outcome, n)
            cur.executemany(
                "UPDATE nodes SET name = ?, props = ?, updated = ?, retired = 0 WHERE label = ? AND key = ?",
                updates,
            )
            self._insert_history(cur, history)
        return by_label

    @staticmethod
    def _insert_history(cur: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> None:
        cur.executemany(
            "INSERT INTO history (subject, op, changes, batch, node_label, node_key, edge_type, "
            "src_label, src_key, dst_label, dst_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    @staticmethod
    def _missing_endpoints(
        cur: sqlite3.Cursor, refs: set[tuple[str, str]], batch: str, result: ApplyResult
    ) -> list[NodeRef]:
        """The ``refs`` that are not live nodes, found in SQLite; those that are and that an
        earlier batch created go to ``result.linked``. Only those two kinds of key come
        back (for a well-formed load into an empty store, none), where reading every live
        key back into a Python set was a twentieth of a province's write."""
        missing: list[NodeRef] = []
        for label, keys in keys_by_label(refs).items():
            keys.sort()
            for start in range(0, len(keys), _CHUNK):
                for key, stored in cur.execute(
                    "SELECT j.value, n.label IS NOT NULL FROM json_each(?2) AS j LEFT JOIN nodes AS n "
                    "ON n.label = ?1 AND n.key = j.value AND n.retired = 0 "
                    "WHERE n.label IS NULL OR n.created != ?3",
                    (label, json.dumps(keys[start : start + _CHUNK], ensure_ascii=False), batch),
                ):
                    if stored:
                        result.linked.add((label, key))
                    else:
                        missing.append(NodeRef(label, key))
        return sorted(missing)

    @staticmethod
    def _existing_edges(cur: sqlite3.Cursor, pending: Mapping[_EdgeKey, Props]) -> dict[_EdgeKey, tuple[str, bool]]:
        """Looked up by the primary key's prefix (source, type), one query per chunk of
        sources, then matched here: cheaper than a join on JSON-extracted five-part keys."""
        sources: dict[tuple[str, str], set[str]] = {}
        for sl, sk, t, _dl, _dk in pending:
            sources.setdefault((sl, t), set()).add(sk)
        found: dict[_EdgeKey, tuple[str, bool]] = {}
        for (sl, t), keys in sources.items():
            key_list = sorted(keys)
            for start in range(0, len(key_list), _CHUNK):
                for sk, dl, dk, props, retired in cur.execute(
                    "SELECT src_key, dst_label, dst_key, props, retired FROM edges WHERE src_label = ? "
                    "AND src_key IN (SELECT value FROM json_each(?)) AND type = ?",
                    (sl, json.dumps(key_list[start : start + _CHUNK], ensure_ascii=False), t),
                ):
                    ekey = (sl, sk, t, dl, dk)
                    if ekey in pending:
                        found[ekey] = (props, bool(retired))
        return found

    def _apply_edges(
        self,
        cur: sqlite3.Cursor,
        writes: list[EdgeUpsert],
        live: Mapping[str, Collection[str]],
        prov: Provenance,
        result: ApplyResult,
    ) -> None:
        """``live`` are the nodes this write has just upserted (keys by label): they exist,
        so only the other endpoints are looked up. As ``_apply_nodes``: each type's rows
        inserted unless present, looked up only when fewer went in than were given."""
        if not writes:
            return
        pending: dict[_EdgeKey, Props] = {}
        for t, sl, sk, dl, dk, props in writes:
            ekey = (sl, sk, t, dl, dk)
            before = pending.get(ekey)
            pending[ekey] = props if before is None else merged(before, props)
        none: frozenset[str] = frozenset()
        ends = {(sl, sk) for sl, sk, _t, _dl, _dk in pending if sk not in live.get(sl, none)}
        ends.update((dl, dk) for _sl, _sk, _t, dl, dk in pending if dk not in live.get(dl, none))
        missing = self._missing_endpoints(cur, ends, prov.batch, result)
        if missing:
            shown = ", ".join(str(m) for m in missing[:5])
            raise DanglingEdges(f"edges point at {len(missing)} node(s) that do not exist: {shown}")
        batch = prov.batch
        by_type: dict[str, dict[_EdgeKey, Props]] = {}
        for ekey, props in pending.items():
            of_type = by_type.get(ekey[2])
            if of_type is None:
                of_type = by_type[ekey[2]] = {}
            of_type[ekey] = props
        for t, of_type in by_type.items():
            rows = sorted((*ekey, _dumps(props) if props else "{}", batch, batch) for ekey, props in of_type.items())
            inserted = cur.executemany(
                "INSERT OR IGNORE INTO edges (src_label, src_key, type, dst_label, dst_key, props, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            ).rowcount
            if inserted:
                result.add(t, "created", inserted)
            if inserted < len(rows):
                # the rows just inserted are found again and count as unchanged
                self._merge_edges(cur, of_type, batch, result)
                result.add(t, "unchanged", -inserted)

    def _merge_edges(
        self, cur: sqlite3.Cursor, pending: Mapping[_EdgeKey, Props], batch: str, result: ApplyResult
    ) -> None:
        """``pending``, every one of them in the table (inserted just before, or stored),
        looked up and merged into what is stored: changed ones updated with their
        history, retired ones revived."""
        existing = self._existing_edges(cur, pending)
        updates, history = [], []
        outcomes: Counter[tuple[str, str]] = Counter()
        for ekey in pending:  # in the order written, as the history shows it
            old_text, retired = existing[ekey]
            sl, sk, t, dl, dk = ekey
            props = pending[ekey]
            if not retired and (_dumps(props) if props else "{}") == old_text:
                outcomes[t, "unchanged"] += 1
                continue
            old_props = json.loads(old_text)
            new_props = merged(old_props, props)
            delta = diff_changes(old_props, new_props)
            if not delta and not retired:
                outcomes[t, "unchanged"] += 1
                continue
            updates.append((_dumps(new_props), batch, sl, sk, t, dl, dk))
            ref = EdgeRef(t, NodeRef(sl, sk), NodeRef(dl, dk))
            history.append(
                (str(ref), "revive" if retired else "update", _dumps(delta), batch, None, None, t, sl, sk, dl, dk)
            )
            outcomes[t, "updated"] += 1
        for (t, outcome), n in outcomes.items():
            result.add(t, outcome, n)
        cur.executemany(
            "UPDATE edges SET props = ?, updated = ?, retired = 0 WHERE src_label = ? AND src_key = ? "
            "AND type = ? AND dst_label = ? AND dst_key = ?",
            updates,
        )
        self._insert_history(cur, history)

    def _retire_node(self, cur: sqlite3.Cursor, ref: NodeRef, prov: Provenance, result: ApplyResult) -> None:
        done = cur.execute(
            "UPDATE nodes SET retired = 1, updated = ? WHERE label = ? AND key = ? AND retired = 0",
            (prov.batch, ref.label, ref.key),
        ).rowcount
        if not done:
            return
        result.add(ref.label, "retired")
        self._insert_history(
            cur, [(str(ref), "retire", "{}", prov.batch, ref.label, ref.key, None, None, None, None, None)]
        )
        incident = cur.execute(
            "SELECT src_label, src_key, type, dst_label, dst_key FROM edges WHERE retired = 0 AND "
            "((src_label = ?1 AND src_key = ?2) OR (dst_label = ?1 AND dst_key = ?2))",
            (ref.label, ref.key),
        ).fetchall()
        for sl, sk, t, dl, dk in incident:
            self._retire_edge(cur, EdgeRef(t, NodeRef(sl, sk), NodeRef(dl, dk)), prov, result)

    def _retire_edge(self, cur: sqlite3.Cursor, ref: EdgeRef, prov: Provenance, result: ApplyResult) -> None:
        done = cur.execute(
            "UPDATE edges SET retired = 1, updated = ? WHERE src_label = ? AND src_key = ? AND type = ? "
            "AND dst_label = ? AND dst_key = ? AND retired = 0",
            (prov.batch, ref.src.label, ref.src.key, ref.type, ref.dst.label, ref.dst.key),
        ).rowcount
        if done:
            result.add(ref.type, "retired")
            self._insert_history(
                cur,
                [
                    (
                        str(ref),
                        "retire",
                        "{}",
                        prov.batch,
                        None,
                        None,
                        ref.type,
                        ref.src.label,
                        ref.src.key,
                        ref.dst.label,
                        ref.dst.key,
                    )
                ],
            )

    # -- reads ----------------------------------------------------------------------

    def _node(self, row: tuple[Any, ...]) -> NodeRecord:
        label, key, props, created, updated, retired = row
        return NodeRecord(label, key, _loads(props), self._prov(created), self._prov(updated), bool(retired))

    def _edge(self, row: tuple[Any, ...]) -> EdgeRecord:
        sl, sk, t, dl, dk, props, created, updated, retired = row
        return EdgeRecord(
            t,
            NodeRef(sl, sk),
            NodeRef(dl, dk),
            {} if props == "{}" else _loads(props),
            self._prov(created),
            self._prov(updated),
            bool(retired),
        )

    def get_nodes(self, label: str, keys: Collection[str], *, include_retired: bool = False) -> dict[str, NodeRecord]:
        with self._lock:
            kept = None if include_retired else self._kept_reads()
            if kept is None:
                return self._read_nodes(label, list(keys), include_retired)
            found, keep = kept.get_nodes(label, keys, lambda missing: self._read_nodes(label, missing, False))
            keep(self.version())
            return found

    def _read_nodes(self, label: str, keys: list[str], include_retired: bool) -> dict[str, NodeRecord]:
        out: dict[str, NodeRecord] = {}
        for start in range(0, len(keys), _CHUNK):
            rows = self._db.execute(
                "SELECT label, key, props, created, updated, retired FROM nodes WHERE label = ? "
                "AND key IN (SELECT value FROM json_each(?)) AND (retired = 0 OR ?)",
                (label, json.dumps(keys[start : start + _CHUNK]), include_retired),
            ).fetchall()
            out.update((row[1], self._node(row)) for row in rows)
        return out

    @staticmethod
    def _filters(
        label: str, where: Mapping[str, Any] | None, text: str | None, exclude: Collection[str]
    ) -> tuple[str, list[Any]]:
        sql = ["label = ?", "retired = 0"]
        params: list[Any] = [label]
        for prop, value in (where or {}).items():
            if isinstance(value, bool):
                value = int(value)
            sql.append("json_extract(props, '$.' || ?) = ?")
            params.extend([prop, value])
        if text:
            sql.append("name LIKE ? ESCAPE '\\'")
            params.append(_like(text))
        if exclude:
            sql.append("key NOT IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(exclude)))
        return " AND ".join(sql), params

    def find_nodes(
        self,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        exclude: Collection[str] = (),
        after: str | None = None,
        limit: int | None = None,
    ) -> list[NodeRecord]:
        sql, params = self._filters(label, where, text, exclude)
        if after is not None:
            sql += " AND key > ?"
            params.append(after)
        params.append(-1 if limit is None else limit)
        with self._lock:
            rows = self._db.execute(
                f"SELECT label, key, props, created, updated, retired FROM nodes WHERE {sql} ORDER BY key LIMIT ?",
                params,
            ).fetchall()
            return [self._node(row) for row in rows]

    def count_nodes(
        self,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        exclude: Collection[str] = (),
    ) -> int:
        sql, params = self._filters(label, where, text, exclude)
        with self._lock:
            return int(self._db.execute(f"SELECT count(*) FROM nodes WHERE {sql}", params).fetchone()[0])

    def edges(
        self,
        nodes: Sequence[NodeRef],
        *,
        direction: Direction = "out",
        types: Collection[str] | None = None,
    ) -> list[EdgeRecord]:
        anchors = [(n.label, n.key) for n in dict.fromkeys(nodes)]
        type_list = tuple(sorted(types)) if types is not None else None
        sides = {"out": ["src"], "in": ["dst"], "both": ["src", "dst"]}[direction]
        seen: set[EdgeRef] = set()
        out: list[EdgeRecord] = []
        with self._lock:
            kept = self._kept_reads()
            for side in sides:
                if kept is None:
                    edges = self._read_edges(side, anchors, types=type_list)
                else:
                    edges, keep = kept.get_edges(
                        side, anchors, type_list, partial(self._read_edges, side, types=type_list)
                    )
                    keep(self.version())
                if len(sides) == 1:
                    # distinct nodes on one side of the primary key: no edge comes twice
                    return edges
                for edge in edges:
                    if edge.ref not in seen:
                        seen.add(edge.ref)
                        out.append(edge)
        return out

    def _read_edges(
        self, side: str, anchors: list[tuple[str, str]], *, types: tuple[str, ...] | None
    ) -> list[EdgeRecord]:
        """Live edges whose ``side`` end is one of ``anchors``, anchor by anchor."""
        rows = self._db.execute(
            "SELECT e.src_label, e.src_key, e.type, e.dst_label, e.dst_key, e.props, e.created, "
            "e.updated, e.retired FROM json_each(?1) AS j JOIN edges AS e "
            f"ON e.{side}_label = j.value ->> 0 AND e.{side}_key = j.value ->> 1 "
            "WHERE e.retired = 0 AND (?2 IS NULL OR e.type IN (SELECT value FROM json_each(?2))) "
            "ORDER BY j.key",
            (json.dumps(anchors), None if types is None else json.dumps(types)),
        ).fetchall()
        return list(map(self._edge, rows))

    def _history_entry(self, row: tuple[Any, ...]) -> HistoryEntry:
        seq, subject, op, changes, batch, nl, nk, et, sl, sk, dl, dk = row
        node = NodeRef(nl, nk) if nl is not None else None
        edge = EdgeRef(et, NodeRef(sl, sk), NodeRef(dl, dk)) if et is not None else None
        return HistoryEntry(seq, subject, op, json.loads(changes), self._prov(batch), node, edge)

    _HISTORY_COLUMNS = (
        "seq, subject, op, changes, batch, node_label, node_key, edge_type, src_label, src_key, dst_label, dst_key"
    )

    def history(self, ref: NodeRef) -> list[HistoryEntry]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._HISTORY_COLUMNS} FROM history WHERE (node_label = ?1 AND node_key = ?2) "
                "OR (src_label = ?1 AND src_key = ?2) OR (dst_label = ?1 AND dst_key = ?2) ORDER BY seq",
                (ref.label, ref.key),
            ).fetchall()
            stored = [self._history_entry(row) for row in rows]
            node = self.get_nodes(ref.label, [ref.key], include_retired=True).get(ref.key)
            edge_rows = self._db.execute(
                "SELECT src_label, src_key, type, dst_label, dst_key, props, created, updated, retired "
                "FROM edges WHERE (src_label = ?1 AND src_key = ?2) OR (dst_label = ?1 AND dst_key = ?2)",
                (ref.label, ref.key),
            ).fetchall()
        creations = [creation_entry(node.ref, None, node.props, node.created, stored)] if node else []
        creations += [creation_entry(None, e.ref, e.props, e.created, stored) for e in map(self._edge, edge_rows)]
        return sorted(creations, key=lambda e: (e.prov.at, e.seq)) + stored if creations else stored

    def label_counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT label, count(*) FROM nodes WHERE retired = 0 GROUP BY label ORDER BY label"
            ).fetchall()
        return dict(rows)

    def edge_type_counts(self) -> dict[str, int]:
        """Every edge by type from the indexes alone (the bulk type's as all edges less the
        others, which the type index holds), less the retired ones found by one pass over
        the table: filtering on ``retired`` through the index looked each edge up in the
        table (2.7 s at 100k datasets, against 0.8 s)."""
        with self._lock:
            counts = Counter(
                dict(
                    self._db.execute(
                        f"SELECT type, count(*) FROM edges WHERE type <> '{_BULK_TYPE}' GROUP BY type"
                    ).fetchall()
                )
            )
            counts[_BULK_TYPE] = int(self._db.execute("SELECT count(*) FROM edges").fetchone()[0]) - counts.total()
            retired = self._db.execute("SELECT type, count(*) FROM edges NOT INDEXED WHERE retired = 1 GROUP BY +type")
            counts.subtract(dict(retired.fetchall()))
        return {edge_type: n for edge_type, n in sorted(counts.items()) if n > 0}

    def edge_type_counts_touching(self, keys: Mapping[str, Collection[str]]) -> dict[str, int]:
        """Live edges with at least one end among the nodes ``keys`` names (keys by label),
        counted by type, each once: what a caller's counts leave out for what it may not
        see. The nodes go into a keyed temporary table and SQLite counts every edge at
        them through the edge indexes, then takes off the retired ones found by one pass
        over the table (few; checking each edge for retirement through the index cost more).
        Reading every such edge whole and sorting the nodes in Python took 3 s per 20,000
        hidden nodes after each write. Not part of the Store protocol."""
        with self._lock, self._counted(keys):
            counts = Counter(dict(self._db.execute(_TOUCHING).fetchall()))
            counts.subtract(dict(self._db.execute(_TOUCHING_RETIRED).fetchall()))
        return {edge_type: n for edge_type, n in sorted(counts.items()) if n > 0}

    @contextmanager
    def _counted(self, keys: Mapping[str, Collection[str]]) -> Iterator[None]:
        """The nodes ``keys`` names (keys by label) in the keyed temporary table ``counted``
        for the length of the block, emptied after it: the outer loop of the joins that
        count or follow the edges at a set of nodes, so that a million edges need not
        reach Python to be filtered there. Each label's keys go in sorted (appends to the
        table's key order). The caller holds the lock."""
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS counted (label TEXT, key TEXT, PRIMARY KEY (label, key)) WITHOUT ROWID"
        )
        try:
            for label, members in sorted(keys.items()):
                self._db.execute(
                    "INSERT OR IGNORE INTO temp.counted (label, key) SELECT ?1, value FROM json_each(?2)",
                    (label, json.dumps(sorted(members), ensure_ascii=False)),
                )
            yield
        finally:
            self._db.execute("DELETE FROM temp.counted")

    def edges_around(self, refs: Collection[NodeRef], batch: str) -> list[tuple[EdgeRef, bool, bool]]:
        """Every edge with an end among ``refs`` that is live now or was live before the
        write ``batch``, each once, with whether it was live before that write and whether
        it is now: what a write changed among the edges at the nodes it touched, so that
        counts kept from before it can be carried across it (``visibility_cache``) instead
        of recounted over the registry. An edge the write did not touch (``updated`` is
        another batch) was as it is; one it created was absent; otherwise its first
        history entry of the batch tells (a revival: retired before; an update or a
        retirement: live). Not part of the Store protocol."""
        found: dict[EdgeRef, tuple[bool, bool]] = {}
        with self._lock, self._counted(keys_by_label([(r.label, r.key) for r in refs])):
            rows = self._db.execute(_AROUND, (batch,)).fetchall()
        for sl, sk, t, dl, dk, retired, created, first_op in rows:
            now = not retired
            if created:
                before = False
            elif first_op is None:
                before = now
            else:
                before = first_op != "revive"
            if before or now:
                found[EdgeRef(t, NodeRef(sl, sk), NodeRef(dl, dk))] = (before, now)
        return [(ref, before, now) for ref, (before, now) in found.items()]

    def nodes_around(self, refs: Collection[NodeRef], batch: str) -> list[tuple[NodeRef, bool, bool]]:
        """Each of ``refs`` that is live now or was live before the write ``batch``, with
        whether it was live before that write and whether it is now: the nodes' half of
        ``edges_around``, read the same way (created by the batch: absent before; changed
        by it: its first history entry of the batch says whether it was retired). Not part
        of the Store protocol."""
        found: list[tuple[NodeRef, bool, bool]] = []
        with self._lock, self._counted(keys_by_label([(r.label, r.key) for r in refs])):
            rows = self._db.execute(
                "SELECT n.label, n.key, n.retired, n.created = ?1, CASE WHEN n.updated = ?1 AND n.created <> ?1 "
                "THEN (SELECT h.op FROM history AS h WHERE h.node_label = n.label AND h.node_key = n.key "
                "AND h.batch = ?1 ORDER BY h.seq LIMIT 1) END "
                "FROM temp.counted AS c CROSS JOIN nodes AS n ON n.label = c.label AND n.key = c.key",
                (batch,),
            ).fetchall()
        for label, key, retired, created, first_op in rows:
            now = not retired
            before = False if created else now if first_op is None else first_op != "revive"
            if before or now:
                found.append((NodeRef(label, key), before, now))
        return found

    def iter_unreached(self, label: str, edge_type: str) -> Iterator[str]:
        """The keys of the live nodes of ``label`` that no live ``edge_type`` edge reaches,
        in key order, found by SQLite through the index on the edges' targets: a
        recomputation of levels starts from the fields no dataset holds without reading
        the owner of each of a national registry's twenty million fields. Not part of the
        Store protocol."""
        for (key,) in self._stream(
            "SELECT n.key FROM nodes AS n WHERE n.label = ?1 AND n.retired = 0 AND NOT EXISTS (SELECT 1 FROM edges "
            "AS e WHERE e.dst_label = ?1 AND e.dst_key = n.key AND e.type = ?2 AND e.retired = 0) ORDER BY n.key",
            (label, edge_type),
        ):
            yield key

    def retired_keys(self) -> dict[str, set[str]]:
        """The keys of the retired nodes, by label: they have no stored level (levels are
        of the live registry), so a caller's rows that may not show what it cannot judge
        leave them out by these. Read from ``nodes_retired``, made with the levels table
        (a file whose levels were ever written has it). Not part of the Store protocol."""
        found: dict[str, set[str]] = {}
        for label, key in self._stream("SELECT label, key FROM nodes WHERE retired = 1", ()):
            found.setdefault(label, set()).add(key)
        return found

    # -- clearance levels (the service's rule, kept here as numbers) -------------------

    def _levels_table(self) -> bool:
        """Whether the file has the levels table (a file made before it has not, until the
        service first writes levels into it). Called with the lock held."""
        return bool(self._db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'levels'").fetchone()[0])

    def levels_stamp(self) -> int | None:
        """The store version the levels table is exact for; None when it never was (a file
        from before the table). Stale when it differs from ``version()``: a write the
        service did not follow (another program, a crash between a write and its levels)."""
        with self._lock:
            row = self._db.execute("SELECT v FROM meta WHERE k = 'levels_version'").fetchone()
        return None if row is None else int(row[0])

    def stored_levels(self, keys: Mapping[str, Collection[str]]) -> dict[tuple[str, str], int]:
        """The stored level of each of the nodes ``keys`` names (keys by label) that needs
        one (a node left out needs none), in one join over the keyed temporary table:
        what an update reads of the nodes around the ones it recomputes."""
        with self._lock:
            if not self._levels_table():
                return {}
            with self._counted(keys):
                rows = self._db.execute(
                    "SELECT l.label, l.key, l.level FROM temp.counted AS c "
                    "CROSS JOIN levels AS l ON l.label = c.label AND l.key = c.key"
                ).fetchall()
        return {(label, key): level for label, key, level in rows}

    def levels_above(self, level: int) -> tuple[int, dict[str, dict[str, int]]] | None:
        """(version, level by key by label of the nodes needing more than ``level``), read
        in one read transaction so that the table and the version are of one snapshot;
        None when the table is not exact for that version. What a caller cleared for
        ``level`` may not see, from the index on the level, never from every node."""
        with self._lock:
            own = not self._db.in_transaction
            if own:
                self._db.execute("BEGIN")
            try:
                version, stamp = self._db.execute(
                    "SELECT (SELECT v FROM meta WHERE k = 'version'), (SELECT v FROM meta WHERE k = 'levels_version')"
                ).fetchone()
                if stamp != version or not self._levels_table():
                    return None
                found: dict[str, dict[str, int]] = {}
                for label, key, needed in self._db.execute(
                    "SELECT label, key, level FROM levels WHERE level > ?1 ORDER BY label, key", (level,)
                ):
                    keys = found.get(label)
                    if keys is None:
                        keys = found[label] = {}
                    keys[key] = needed
            finally:
                if own:
                    self._db.execute("COMMIT")
        return int(version), found

    def write_levels(
        self,
        work: Callable[[Callable[[Mapping[tuple[str, str], int | None]], None]], None],
        *,
        since: int | None,
        version: int | None = None,
    ) -> int | None:
        """Run ``work`` in one write transaction and stamp the levels it wrote as exact for
        the store's version then; the version stamped, or None (nothing written) when the
        table was not exact for ``since`` or the store is no longer at ``version`` (when
        given): levels computed from the one for the other would be wrong.
        ``work`` is handed the function that writes levels (None or 0: the node needs none
        or is gone) and reads the store through it as usual: it runs inside the
        transaction, so it reads what it wrote, and no other process can write nodes or
        levels until it ends (BEGIN IMMEDIATE), so the stamp cannot be put on a table
        another writer has made stale meanwhile. ``since`` None: the table is emptied
        first and ``work`` fills it anew (a recomputation). Creates the table in a file
        from before it."""
        with self._transaction() as cur:
            for statement in _LEVELS_DDL.split(";"):
                if statement.strip():
                    cur.execute(statement)
            now = self._version(cur)
            stamp = cur.execute("SELECT v FROM meta WHERE k = 'levels_version'").fetchone()
            if version is not None and now != version:
                return None
            if since is None and stamp is not None and stamp[0] == now:
                return now  # another process recomputed them while this one waited
            if since is None:
                cur.execute("DELETE FROM levels")
            elif stamp is None or stamp[0] != since:
                return None
            work(partial(self._put_levels, cur))
            cur.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('levels_version', ?)", (now,))
        return now

    @staticmethod
    def _put_levels(cur: sqlite3.Cursor, levels: Mapping[tuple[str, str], int | None]) -> None:
        cur.executemany(
            "INSERT OR REPLACE INTO levels (label, key, level) VALUES (?, ?, ?)",
            [(label, key, level) for (label, key), level in levels.items() if level],
        )
        cur.executemany(
            "DELETE FROM levels WHERE label = ? AND key = ?",
            [(label, key) for (label, key), level in levels.items() if not level],
        )

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """A separate cursor, fetched in pages, so a projection of millions of rows never
        holds them all as tuples at once."""
        with self._lock:
            cur = self._db.execute(sql, params)
            while rows := cur.fetchmany(10_000):
                yield from rows

    def _stream_elsewhere(self, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """``_stream``, stepped by another process when the file is large and no write
        transaction is open here (``registry.store.sqlite_reader``): the statement then
        runs beside the Python work on its rows, on the other core. The child reads the
        last committed state, as a statement of this connection would; where it cannot
        be started, this connection reads."""
        with self._lock:
            here = self._db.in_transaction or not self._large()
        if here:
            yield from self._stream(sql, params)
            return
        try:
            rows = read_elsewhere(self.path, sql, params)
            first = next(rows, None)
        except OSError:
            yield from self._stream(sql, params)
            return
        except ReaderFailed as exc:
            raise StoreError(f"cannot read the registry file {self.path}: {exc}") from None
        if first is None:
            return
        yield first
        try:
            yield from rows
        except ReaderFailed as exc:
            raise StoreError(f"cannot read the registry file {self.path}: {exc}") from None

    def _large(self) -> bool:
        try:
            return self.path.stat().st_size >= self._read_elsewhere_bytes
        except OSError:
            return False

    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]:
        # two statements, not one with "?2 IS NULL OR": with the OR SQLite scanned every
        # node (2M fields) to find 100k datasets; by label it searches the primary key
        columns = "SELECT label, key, props, created, updated, retired FROM nodes WHERE (retired = 0 OR ?1)"
        rows = (
            self._stream(f"{columns} ORDER BY label, key", (include_retired,))
            if labels is None
            else self._stream(
                f"{columns} AND label IN (SELECT value FROM json_each(?2)) ORDER BY label, key",
                (include_retired, json.dumps(sorted(labels))),
            )
        )
        for row in rows:
            yield self._node(row)

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]:
        for row in self._edge_rows(
            "SELECT src_label, src_key, type, dst_label, dst_key, props, created, updated, retired "
            "FROM edges WHERE (retired = 0 OR ?1)",
            (include_retired,),
            types,
        ):
            yield self._edge(row)

    def _edge_rows(
        self, select: str, params: tuple[Any, ...], types: Collection[str] | None
    ) -> Iterator[tuple[Any, ...]]:
        """``select`` (a query of the edges table ending in its WHERE conditions, which
        take ``params``) for the edges of ``types`` (None: every type), in key order. Two
        statements, as in ``iter_nodes``: one with "IS NULL OR type IN ..." kept SQLite off
        the type index, so the 25,060 NEEDS and FOR edges of a national registry cost a
        pass over all 24M. The typed one is written by ``_typed``; no types (the category
        tree's projection of datasets alone) is no read, not even ``_typed``'s counts.
        One type is asked for by equality, not through ``json_each``: its entries in the
        type index then come in key order (the index holds the key after the type and
        the retired flag), so SQLite neither sorts them nor, for the live edges' ends,
        reads the table (MEANS at 100k datasets: 0.36 -> 0.14 s in SQLite)."""
        order = " ORDER BY src_label, src_key, type, dst_label, dst_key"
        if types is None:
            return self._stream(select + order, params)
        if not types:
            return iter(())
        type_list = json.dumps(sorted(types))
        number = len(params) + 1
        if len(types) == 1:
            match, value = f" = ?{number}", next(iter(types))
        else:
            match, value = f" IN (SELECT value FROM json_each(?{number}))", type_list
        return self._stream(f"{select} AND {self._typed(type_list, 'type', match)}{order}", (*params, value))

    def iter_edge_ends(self, types: Collection[str]) -> Iterator[tuple[str, str, str, str, str]]:
        """(type, source label, source key, target label, target key) of the live edges of
        ``types``, in key order: what a compact projection needs, without decoding
        properties or building records (five times faster over millions of fields).
        Not part of the Store protocol; ``registry.analysis.compact`` uses it when present.

        Types holding most edges (HAS_FIELD is about 85% of a registry's) are read by
        scanning the table in its key order: through the type index each edge cost a
        lookup of its row and then a sort of them all (2M HAS_FIELD edges: 8 CPU s)."""
        yield from self._edge_rows(
            "SELECT type, src_label, src_key, dst_label, dst_key FROM edges WHERE retired = 0", (), types
        )

    def iter_node_names(self, label: str) -> Iterator[tuple[str, str | None]]:
        """(key, name) of the live nodes of ``label``, in key order, from the name column:
        what a compact projection needs of millions of fields, without decoding their
        properties. Not part of the Store protocol; ``registry.schema.rows.node_names``
        uses it when present."""
        yield from self._stream(
            "SELECT key, name FROM nodes WHERE retired = 0 AND label = ?1 ORDER BY key",
            (label,),
        )

    def iter_linked_groups(self, edge_type: str, label: str) -> Iterator[tuple[str, str, list[str], list[str]]]:
        """(source label, source key, target keys, target names) of the live
        ``edge_type`` edges into live nodes of ``label``, one entry per source in key
        order, its targets in edge order, a target without a name named by its key: a
        dataset's fields with their names. Joined and grouped here, not in Python: 2M
        HAS_FIELD rows cost 1.4 us each to hand to Python, 100k groups split in C do not.
        Not part of the Store protocol; ``registry.schema.rows.linked_groups`` uses it
        when present."""
        for source_label, source, keys, names, count in self._stream_elsewhere(
            "SELECT e.src_label, e.src_key, group_concat(e.dst_key, char(31)), "
            "group_concat(ifnull(n.name, n.key), char(31)), count(*) FROM edges e "
            "JOIN nodes n ON n.label = e.dst_label AND n.key = e.dst_key "
            f"WHERE e.retired = 0 AND {self._typed(json.dumps([edge_type]), 'e.type', ' = ?1')} AND +e.dst_label = ?2 "
            "AND n.retired = 0 GROUP BY e.src_label, e.src_key ORDER BY e.src_label, e.src_key",
            (edge_type, label),
        ):
            key_list, name_list = keys.split(_UNIT), names.split(_UNIT)
            if len(key_list) != count or len(name_list) != count:  # a key or name holds the separator
                key_list, name_list = self._linked(source_label, source, edge_type, label)
            elif key_list != sorted(key_list):  # group_concat's order is not promised
                order = sorted(range(count), key=key_list.__getitem__)
                key_list, name_list = [key_list[i] for i in order], [name_list[i] for i in order]
            yield source_label, source, key_list, name_list

    def _linked(self, source_label: str, source: str, edge_type: str, label: str) -> tuple[list[str], list[str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT e.dst_key, ifnull(n.name, n.key) FROM edges e "
                "JOIN nodes n ON n.label = e.dst_label AND n.key = e.dst_key WHERE e.src_label = ?1 "
                "AND e.src_key = ?2 AND e.type = ?3 AND e.dst_label = ?4 AND e.retired = 0 AND n.retired = 0 "
                "ORDER BY e.dst_key",
                (source_label, source, edge_type, label),
            ).fetchall()
        return [key for key, _ in rows], [name for _, name in rows]

    def _typed(self, type_list: str, column: str, match: str) -> str:
        """``column`` followed by ``match`` (the condition that it is one of the types in
        ``type_list``, a JSON list), written so that SQLite reads the edges the cheaper way: by
        scanning the table (``+``, which keeps the planner off the type index) when the
        bulk type is among them or they are over a quarter of all edges, else through the
        type index, which the condition then names the way its definition does (SQLite
        uses a partial index only for a query that implies its WHERE). Counting reads an
        index (2.4M entries for all edges at 100k datasets), so the counts are kept for
        the store's version: one duplicate matrix asks three times."""
        if _BULK_TYPE in json.loads(type_list):
            return f"+{column}{match}"
        with self._lock:
            counts = self._counts_now()
            if type_list not in counts:
                counts[type_list] = int(
                    self._db.execute(
                        "SELECT count(*) FROM edges WHERE type IN (SELECT value FROM json_each(?1)) "
                        f"AND type <> '{_BULK_TYPE}'",
                        (type_list,),
                    ).fetchone()[0]
                )
            if counts[type_list] * 4 > self._edge_total():
                return f"+{column}{match}"
        return f"{column}{match} AND {column} <> '{_BULK_TYPE}'"

    def _counts_now(self) -> dict[str | None, int]:
        """The edge counts kept for the store's version, emptied when it has moved on.
        Called with the lock held."""
        version = self.version()
        if self._edge_counts[0] != version:
            self._edge_counts = (version, {})
        return self._edge_counts[1]

    def _edge_total(self) -> int:
        """Every edge, retired or not, from the target index (as large as the type index
        was before it left out the bulk type, and read as fast). Called with the lock held."""
        counts = self._counts_now()
        if None not in counts:
            counts[None] = int(self._db.execute("SELECT count(*) FROM edges").fetchone()[0])
        return counts[None]

    def batches_between(self, since: str | None, until: str | None) -> list[Provenance]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, source, by_whom, at FROM batches WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
                (since or "", until or "\uffff"),
            ).fetchall()
        return [Provenance(source=source, batch=id_, by=by, at=at) for id_, source, by, at in rows]

    def changes_in(self, batches: Collection[str]) -> Iterator[HistoryEntry]:
        ids = sorted(set(batches))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for label, key, created in self._stream(
                f"SELECT label, key, created FROM nodes WHERE created IN ({marks}) ORDER BY created, label, key", chunk
            ):
                ref = NodeRef(label, key)
                yield HistoryEntry(0, str(ref), "create", {}, self._prov(created), ref, None)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._stream(
                f"SELECT {self._HISTORY_COLUMNS} FROM history WHERE batch IN ({marks}) ORDER BY seq", chunk
            ):
                yield self._history_entry(row)

    def linked_ends(
        self, keys: Mapping[str, Collection[str]], edge_type: str, direction: Direction
    ) -> Iterator[tuple[str, str, str, str]]:
        """(label, key, other label, other key) of the live ``edge_type`` edges from each of
        the nodes ``keys`` names (keys by label) (``out``) or to it (``in``): ends only, no
        records, properties or provenance, for walks over many nodes (keeping clearance
        levels up to date after a province's import). The nodes go into the keyed
        temporary table first (``_counted``), the outer loop of the join: a JSON array of
        (label, key) pairs decoded per row cost more than the join. Not part of the Store
        protocol; ``registry.service.levels`` uses it when present."""
        near, far = ("src", "dst") if direction == "out" else ("dst", "src")
        with self._lock, self._counted(keys):
            # CROSS JOIN keeps the given nodes as the outer loop: with a plain JOIN and
            # ``type = ?`` SQLite scanned every edge of the type (edges_by_type) against
            # the given nodes: the minute of CPU a department's import spent keeping
            # levels up to date
            cur = self._db.execute(
                f"SELECT e.{near}_label, e.{near}_key, e.{far}_label, e.{far}_key FROM temp.counted AS c "
                f"CROSS JOIN edges AS e ON e.{near}_label = c.label AND e.{near}_key = c.key "
                "WHERE e.type = ? AND e.retired = 0",
                (edge_type,),
            )
            while rows := cur.fetchmany(10_000):
                yield from rows

    def node_props(self, label: str, keys: Sequence[str], names: Sequence[str]) -> Iterator[tuple[str, Props]]:
        """(key, properties ``names``, the ones present) of the live nodes of ``label`` among
        ``keys``: no records, no provenance and nothing kept in the read cache, for reads of
        many nodes at once (a province's, to update clearance levels after its import),
        which through ``get_nodes`` built a record per node and pushed every kept record out
        of the cache for others nobody asks for again. The properties are taken out of the
        stored JSON by SQLite: about the CPU of decoding the whole map (0.66 against 0.52 s
        for 200,000 信息项), but a province's millions of maps are not all held at once for
        the three values a level reads. Not part of the Store protocol;
        ``registry.service.levels`` uses it when present."""
        paths = [f'$."{name}"' for name in names]
        columns = ", ".join(f"props ->> ?{n}" for n in range(3, 3 + len(names)))
        for start in range(0, len(keys), _CHUNK):
            for key, *values in self._stream(
                f"SELECT key, {columns} FROM nodes WHERE label = ?1 AND key IN (SELECT value FROM json_each(?2)) "
                "AND retired = 0",
                (label, json.dumps(keys[start : start + _CHUNK], ensure_ascii=False), *paths),
            ):
                yield key, {name: value for name, value in zip(names, values, strict=True) if value is not None}

    def linked_beyond(
        self, keys: Mapping[str, Collection[str]], links: Sequence[tuple[str, Direction]]
    ) -> set[tuple[str, str]]:
        """(label, key) of the other ends of the live edges of ``links`` ((type, direction)
        pairs) at the nodes ``keys`` names (keys by label) that are not among those nodes:
        one step of a closure, taken in SQLite. The nodes go into a keyed temporary table,
        each direction's edges are joined to it by their keys (the primary key out,
        ``edges_by_dst`` in), and an edge whose other end is in the table never reaches
        Python. After a province's import every edge it wrote has both ends among the
        nodes the write touched, so the step returns next to nothing where ``linked_ends``
        handed Python every one of its millions of edges (most of the CPU of keeping
        levels up to date after a bulk load). Not part of the Store protocol;
        ``registry.service.levels`` uses it when present."""
        types: dict[str, list[str]] = {}
        for edge_type, direction in links:
            for side in ("out", "in") if direction == "both" else (direction,):
                types.setdefault(side, []).append(edge_type)
        found: set[tuple[str, str]] = set()
        with self._lock, self._counted(keys):
            for side, named in sorted(types.items()):
                near, far = ("src", "dst") if side == "out" else ("dst", "src")
                marks = ", ".join("?" * len(named))
                # CROSS JOIN: the given nodes are the outer loop, each node's edges found by
                # its key (label, key), never by scanning a type; the types are a filter on
                # them (``+e.type``), not part of the search: one search per node and
                # direction, where one per node and type (nine) cost a third more
                found.update(
                    self._db.execute(
                        f"SELECT DISTINCT e.{far}_label, e.{far}_key FROM temp.counted AS c CROSS JOIN edges AS e "
                        f"ON e.{near}_label = c.label AND e.{near}_key = c.key WHERE +e.type IN ({marks}) "
                        f"AND e.retired = 0 AND NOT EXISTS (SELECT 1 FROM temp.counted AS s "
                        f"WHERE s.label = e.{far}_label AND s.key = e.{far}_key)",
                        sorted(set(named)),
                    )
                )
        return found

    def iter_history(self) -> Iterator[HistoryEntry]:
        for row in self._stream(f"SELECT {self._HISTORY_COLUMNS} FROM history ORDER BY seq", ()):
            yield self._history_entry(row)

    def restore(
        self,
        nodes: Iterable[NodeRecord],
        edges: Iterable[EdgeRecord],
        history: Iterable[HistoryEntry],
    ) -> None:
        with self._transaction() as cur:
            batches: dict[str, Provenance] = {}

            def keep(prov: Provenance) -> str:
                batches[prov.batch] = prov
                return prov.batch

            cur.executemany(
                "INSERT OR REPLACE INTO nodes (label, key, name, props, created, updated, retired) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        n.label,
                        n.key,
                        _name(n.label, n.props),
                        _dumps(n.props),
                        keep(n.created),
                        keep(n.updated),
                        int(n.retired),
                    )
                    for n in nodes
                ),
            )
            cur.executemany(
                "INSERT OR REPLACE INTO edges (src_label, src_key, type, dst_label, dst_key, props, "
                "created, updated, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        e.src.label,
                        e.src.key,
                        e.type,
                        e.dst.label,
                        e.dst.key,
                        _dumps(e.props),
                        keep(e.created),
                        keep(e.updated),
                        int(e.retired),
                    )
                    for e in edges
                ),
            )
            self._insert_history(
                cur,
                [
                    (
                        h.subject,
                        h.op,
                        _dumps(h.changes),
                        keep(h.prov),
                        h.node.label if h.node else None,
                        h.node.key if h.node else None,
                        h.edge.type if h.edge else None,
                        h.edge.src.label if h.edge else None,
                        h.edge.src.key if h.edge else None,
                        h.edge.dst.label if h.edge else None,
                        h.edge.dst.key if h.edge else None,
                    )
                    for h in history
                    if h.op != "create"
                ],
            )
            cur.executemany(
                "INSERT OR IGNORE INTO batches (id, source, by_whom, at) VALUES (?, ?, ?, ?)",
                [(p.batch, p.source, p.by, p.at) for p in batches.values()],
            )
            cur.execute("UPDATE meta SET v = v + 1 WHERE k = 'version'")

    # -- analysis ---------------------------------------------------------------------

    def projection(
        self, labels: Collection[str] | None = None, edge_types: Collection[str] | None = None
    ) -> nx.MultiDiGraph:
        return self._projections.get(
            self.version(),
            labels,
            edge_types,
            lambda: build_from_rows(self._projection_nodes(labels), self._projection_edges(edge_types)),
        )

    def _projection_nodes(self, labels: Collection[str] | None) -> Iterator[NodeRow]:
        """Raw rows straight into the graph: no record or provenance objects per node."""
        rows = (
            self._stream("SELECT label, key, props FROM nodes WHERE retired = 0 ORDER BY label, key", ())
            if labels is None
            else self._stream(
                "SELECT label, key, props FROM nodes WHERE retired = 0 "
                "AND label IN (SELECT value FROM json_each(?1)) ORDER BY label, key",  # by key: see iter_nodes
                (json.dumps(sorted(labels)),),
            )
        )
        for label, key, props in rows:
            yield label, key, _loads(props)

    def _projection_edges(self, types: Collection[str] | None) -> Iterator[EdgeRow]:
        for sl, sk, t, dl, dk, props in self._edge_rows(
            "SELECT src_label, src_key, type, dst_label, dst_key, props FROM edges WHERE retired = 0", (), types
        ):
            yield sl, sk, t, dl, dk, ({} if props == "{}" else _loads(props))
