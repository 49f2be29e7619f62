"""The Neo4j store: the same contract as the embedded store, on a server, a cluster or Aura.

Design, and why:

- One write transaction per ``apply`` (``session.execute_write``, which retries transient
  errors such as a leader switch or a deadlock), holding batched ``UNWIND $rows … MERGE``
  statements of ``batch_size`` rows. Every writer first locks the ``_Meta`` counter node,
  so writers queue and what one reads before writing stays true until it commits.
- The outcome (created / updated / unchanged, history deltas) is computed in Python from
  what the transaction read, with the same ``diff`` helpers as the embedded store, so both
  stores count and record alike. A dry run raises inside the transaction function, which
  rolls it back.
- Properties: the JSON in ``_props`` is the truth (Neo4j cannot store maps or lists of
  maps); scalar and list-of-scalar properties are copied to top-level properties of the
  same name for ``where`` filters and for people browsing in Neo4j Browser or Bloom. The
  full property map is replaced on every write, so copies never go stale.
- Provenance: each write's batch is one ``(:_Batch {id, source, by, at})`` node; nodes and
  relationships keep the batch id in ``_created`` / ``_updated``, resolved through a cache
  (batches never change). History entries are ``(:_History)`` nodes numbered from the
  ``_Meta`` node's ``seq``; creations are synthesised, as in the embedded store.
- Reads use ``execute_read`` with a shared bookmark manager, so a cluster routes them to
  followers and they still see this process's own writes. Streams (``iter_*``, hence
  projections) are key-ordered pages, each its own retryable read: memory stays bounded.
- Every statement comes from ``registry.store.cypher`` and is checked against its catalogue
  before it is sent: labels and types are never built from input.
"""

import functools
import heapq
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import neo4j
import networkx as nx
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from registry.collector import collect_young
from registry.schema.model import NAME_PROPERTY, NODE_MODELS
from registry.schema.records import (
    ApplyResult,
    ChangeSet,
    Direction,
    EdgeRecord,
    EdgeRef,
    EdgeWrite,
    HistoryEntry,
    NodeRecord,
    NodeRef,
    NodeWrite,
    Props,
    Provenance,
)
from registry.store import cypher
from registry.store.base import DanglingEdges, Finish, StoreError, check_chunk, expect_version
from registry.store.diff import changes as diff_changes
from registry.store.diff import merged
from registry.store.history import creation_entry
from registry.store.projection import ProjectionCache, build_projection

DEFAULT_BATCH_SIZE = 5_000
META_ID = "registry"
_INT64 = (-(2**63), 2**63 - 1)
_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")

T = TypeVar("T")
Tx = neo4j.ManagedTransaction | neo4j.Transaction
Row = dict[str, Any]


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and how to connect, parsed from a URL and the environment."""

    uri: str
    user: str | None
    password: str | None
    database: str | None
    batch_size: int = DEFAULT_BATCH_SIZE

    @classmethod
    def from_url(cls, url: str, env: Mapping[str, str] | None = None) -> "Neo4jSettings":
        """Credentials in the URL win over NEO4J_USER / NEO4J_PASSWORD; ``?database=``
        over NEO4J_DATABASE; ``?batch_size=`` sets the rows per UNWIND. Other query parts
        are the routing context of ``neo4j://`` URLs and go to the driver untouched."""
        env = os.environ if env is None else env
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise StoreError(f"not a Neo4j URL: {url!r} (expected one of {', '.join(s + '://' for s in _SCHEMES)})")
        if not parts.hostname:
            raise StoreError(f"the Neo4j URL {cls._safe(url)!r} names no host")
        query = dict(parse_qsl(parts.query))
        database = query.pop("database", None) or env.get("NEO4J_DATABASE") or None
        batch_text = query.pop("batch_size", None) or env.get("NEO4J_BATCH_SIZE") or str(DEFAULT_BATCH_SIZE)
        if not batch_text.isdigit() or int(batch_text) < 1:
            raise StoreError(f"batch_size must be a positive whole number, not {batch_text!r}")
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return cls(
            uri=urlunsplit((parts.scheme, netloc, "", urlencode(query), "")),
            user=unquote(parts.username) if parts.username else env.get("NEO4J_USER") or None,
            password=unquote(parts.password) if parts.password is not None else env.get("NEO4J_PASSWORD"),
            database=database,
            batch_size=int(batch_text),
        )

    @staticmethod
    def _safe(url: str) -> str:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        return url.replace(f":{parts.password}@", ":***@", 1)

    @property
    def display(self) -> str:
        """The URL without the password: safe in messages and in ``store.url``."""
        parts = urlsplit(self.uri)
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        query = dict(parse_qsl(parts.query))
        if self.database:
            query["database"] = self.database
        return urlunsplit((parts.scheme, user + parts.netloc, "", urlencode(query), ""))


class _RolledBack(Exception):
    """Raised inside a write transaction function to roll a dry run back."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("dry run")
        self.result = result


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _storable(value: Any) -> bool:
    """Whether Neo4j can hold the value as a property (a copy beside the JSON): scalars and
    non-empty lists of one scalar type (Neo4j refuses mixed lists, maps and nested lists)."""
    if isinstance(value, bool | str | float):
        return True
    if isinstance(value, int):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, list) and value:
        kinds = {type(v) for v in value}
        return len(kinds) == 1 and kinds <= {bool, int, float, str} and all(_storable(v) for v in value)
    return False


def _reserved(name: str) -> bool:
    return name == "key" or name.startswith("_")


def _element_props(props: Props, created: str, updated: str, retired: bool) -> Row:
    row: Row = {k: v for k, v in props.items() if not _reserved(k) and _storable(v)}
    row.update(_props=_dumps(props), _created=created, _updated=updated, _retired=retired)
    return row


def _node_row(label: str, key: str, props: Props, created: str, updated: str, retired: bool) -> Row:
    stored = _element_props(props, created, updated, retired)
    stored["key"] = key
    name = props.get(NAME_PROPERTY.get(label, "name"))
    if name is not None:
        stored["_search"] = str(name).lower()
    return {"key": key, "props": stored}


def _param(value: Any) -> Any:
    """Filter values as the copies hold them: dates as ISO text, enums by value."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def _batch_row(prov: Provenance) -> Row:
    return {"id": prov.batch, "source": prov.source, "by": prov.by, "at": prov.at}


def _history_row(op: str, changes: Props, batch: str, node: NodeRef | None = None, edge: EdgeRef | None = None) -> Row:
    row: Row = {
        "subject": str(node if node is not None else edge),
        "op": op,
        "changes": _dumps(changes),
        "batch": batch,
    }
    if node is not None:
        row.update(node_label=node.label, node_key=node.key)
    if edge is not None:
        row.update(
            edge_type=edge.type, src_label=edge.src.label, src_key=edge.src.key, dst_label=edge.dst.label,
            dst_key=edge.dst.key,
        )  # fmt: skip
    return row


def _incident(row: Row, label: str) -> EdgeRef:
    here = NodeRef(label, row["key"])
    other = NodeRef(cypher.registry_label(row["other_labels"]), row["other"])
    return EdgeRef(row["type"], here, other) if row["out"] else EdgeRef(row["type"], other, here)


def _edge_order(edge: EdgeRecord) -> tuple[str, str, str, str]:
    return (edge.src.key, edge.type, edge.dst.label, edge.dst.key)


def _outgoing_first(edge: EdgeRef, node: NodeRef) -> tuple[bool, str, str, str]:
    """The order the embedded store lists a node's edges in: outgoing, then incoming, each
    by type and the other end, so both stores tell a node's history alike."""
    out = edge.src == node
    other = edge.dst if out else edge.src
    return (not out, edge.type, other.label, other.key)


class Neo4jStore:
    """A ``Store`` on Neo4j 5 (server, cluster or Aura) through the official driver."""

    loads_atomically = False
    """A load commits chunk by chunk (``apply_chunks``): its file is checked whole first."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self.url = settings.display
        self.batch_size = settings.batch_size
        self._batches: dict[str, Provenance] = {}
        self._projections = ProjectionCache()
        auth = (settings.user or "neo4j", settings.password) if settings.password is not None else None
        with self._errors():
            self._driver = neo4j.GraphDatabase.driver(settings.uri, auth=auth)
            self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
            try:
                self._driver.verify_connectivity()
                self._install_schema()
            except BaseException:
                self._driver.close()
                raise

    @classmethod
    def from_url(cls, url: str, *, batch_size: int | None = None) -> "Neo4jStore":
        settings = Neo4jSettings.from_url(url)
        if batch_size is not None:
            settings = replace(settings, batch_size=batch_size)
        return cls(settings)

    # -- plumbing -----------------------------------------------------------------------

    def _errors(self) -> "_ErrorTranslation":
        return _ErrorTranslation(self.url)

    def _session(self, access: str) -> neo4j.Session:
        return self._driver.session(
            database=self.settings.database, default_access_mode=access, bookmark_manager=self._bookmarks
        )

    def _read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        with self._errors(), self._session(neo4j.READ_ACCESS) as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        with self._errors(), self._session(neo4j.WRITE_ACCESS) as session:
            return session.execute_write(_no_retry_out_of_memory(work))

    @staticmethod
    def _work(statement: str, /, **params: Any) -> Callable[[Tx], list[Row]]:
        """A transaction function running one catalogued statement (bound here rather than
        in a lambda with defaults, so that each loop iteration keeps its own statement)."""
        return lambda tx: Neo4jStore._run(tx, statement, **params)

    @staticmethod
    def _run(tx: Tx, statement: str, /, **params: Any) -> list[Row]:
        if statement not in cypher.catalogue():
            raise RuntimeError("refusing to send a Cypher statement that is not in registry.store.cypher's catalogue")
        return tx.run(statement, params).data()

    def _install_schema(self) -> None:
        """Constraints and indexes (each its own transaction, as Neo4j requires for schema
        commands), then the counter node; all idempotent. Skipped when the database already
        holds this version of the schema files, which saves a round trip per statement on
        every start (noticeable against Aura)."""
        digest = cypher.schema_digest()
        installed = self._read(lambda tx: self._run(tx, cypher.SCHEMA_GET, id=META_ID))
        if installed and installed[0]["schema"] == digest:
            return
        for statement in cypher.schema_statements():
            self._write(self._work(statement))
        self._write(lambda tx: self._run(tx, cypher.META_INIT, id=META_ID))
        self._write(lambda tx: self._run(tx, cypher.SCHEMA_SET, id=META_ID, schema=digest))

    def _resolve(self, tx: Tx, batches: Iterable[str]) -> None:
        unknown = sorted({b for b in batches if b not in self._batches})
        for chunk in _chunks(unknown, self.batch_size):
            for row in self._run(tx, cypher.BATCH_GET, ids=list(chunk)):
                self._batches[row["id"]] = Provenance(row["source"], row["id"], row["by"], row["at"])
        missing = [b for b in unknown if b not in self._batches]
        if missing:
            raise StoreError(f"provenance batch {missing[0]!r} is missing from {self.url}")

    def _node(self, label: str, row: Row) -> NodeRecord:
        return NodeRecord(
            label,
            row["key"],
            json.loads(row["props"]),
            self._batches[row["created"]],
            self._batches[row["updated"]],
            bool(row["retired"]),
        )

    def _edge(self, type_: str, src: NodeRef, dst: NodeRef, row: Row) -> EdgeRecord:
        return EdgeRecord(
            type_,
            src,
            dst,
            json.loads(row["props"]),
            self._batches[row["created"]],
            self._batches[row["updated"]],
            bool(row["retired"]),
        )

    # -- basics ---------------------------------------------------------------------------

    def version(self) -> int:
        return int(self._read(lambda tx: self._run(tx, cypher.VERSION, id=META_ID))[0]["version"])

    def ping(self) -> None:
        with self._errors():
            self._driver.verify_connectivity()
        self.version()

    def close(self) -> None:
        self._driver.close()

    @property
    def server_agent(self) -> str:
        """What the server calls itself (e.g. ``Neo4j/5.26.0``), for reports."""
        with self._errors():
            return str(self._driver.get_server_info().agent)

    def plan(self, statement: str, /, **params: Any) -> dict[str, Any]:
        """The server's EXPLAIN plan of one catalogue statement (nothing is run): how the
        docs and the neo4j workflow show which index each hot statement starts from."""
        if statement not in cypher.catalogue():
            raise RuntimeError(
                "refusing to explain a Cypher statement that is not in registry.store.cypher's catalogue"
            )

        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
            return dict(tx.run("EXPLAIN " + statement, params).consume().plan or {})

        return self._read(work)

    def wipe(self) -> None:
        """Delete every registry node, relationship and bookkeeping record (constraints and
        indexes stay), in pages. For test databases and for starting over."""
        for name in (*cypher.LABELS, *cypher.INTERNAL_LABELS):
            statement = cypher.delete_page(name)
            while self._write(self._work(statement, limit=self.batch_size))[0]["n"]:
                pass
        self._write(lambda tx: self._run(tx, cypher.META_INIT, id=META_ID))
        self._batches.clear()
        self._projections = ProjectionCache()

    # -- writes ---------------------------------------------------------------------------

    def apply(
        self, changes: ChangeSet, prov: Provenance, *, dry_run: bool = False, at_version: int | None = None
    ) -> ApplyResult:
        def work(tx: neo4j.ManagedTransaction) -> ApplyResult:
            result = ApplyResult(dry_run=dry_run)
            history: list[Row] = []
            version = self._locked(tx, at_version)
            nodes = changes.node_writes()
            created = self._apply_nodes(tx, nodes, prov, result, history)
            self._apply_edges(tx, changes.edge_writes(), prov, result, history, _Written(nodes, created))
            self._retire_nodes(tx, changes.retire_nodes, prov, result, history)
            self._retire_edges(tx, changes.retire_edges, prov, result, history)
            if result.changed and changes.record is not None:
                record = changes.record
                counts = {**record.props, "counts": result.totals()}
                self._apply_nodes(tx, [NodeWrite(record.label, record.key, counts)], prov, ApplyResult(), history)
            if result.changed:
                self._append_history(tx, history)
                self._run(tx, cypher.BATCH_MERGE, rows=[prov.as_dict() | {"id": prov.batch}])
                version = int(self._run(tx, cypher.BUMP_VERSION, id=META_ID)[0]["version"])
            result.version = version
            if dry_run:
                raise _RolledBack(result)
            return result

        try:
            return self._write(work)
        except _RolledBack as rolled_back:
            return rolled_back.result

    def apply_chunks(
        self,
        chunks: Iterable[ChangeSet],
        prov: Provenance,
        finish: Finish | None = None,
        *,
        dry_run: bool = False,
        at_version: int | None = None,
    ) -> ApplyResult:
        """Each chunk is its own (retryable) transaction: a national file cannot be one
        server transaction, and a retry must never replay a whole load. The batch is marked
        open (``_Batch.loading``) before the first chunk and closed by the final step, which
        also closes earlier open batches of the same source: a killed load leaves its chunks
        committed and its batch open (``open_loads``), nothing retired; running the same
        file again writes what is missing and reaches the same end state. A dry run is one
        transaction rolled back, so only the server holds its writes meanwhile; ``finish``
        then sees the store as it was before the load.

        The batch is opened by the first chunk that changes something, in that chunk's
        transaction: a load refused before it wrote anything (a file with errors, found
        while reading it or by ``finish``) leaves no trace, not even an open load.

        ``at_version`` is checked in every chunk's transaction and in the final step's,
        each against the version the load's own previous commit left: a classification
        committed by another program between two chunks must stop an uncleared caller's
        load before it writes the next chunk or retires anything."""
        if dry_run:
            return self._dry_run_chunks(chunks, prov, finish, at_version)
        self._batches[prov.batch] = prov
        result = ApplyResult()
        expected = at_version
        for chunk in chunks:
            check_chunk(chunk)
            step = self._write(functools.partial(self._upsert_step, changes=chunk, prov=prov, expected=expected))
            result.merge(step)
            expected = step.version if expected is not None else None
            collect_young()
        last = finish(result) if finish is not None else ChangeSet()
        return self._write(lambda tx: self._final_step(tx, last, prov, result, expected))

    def _dry_run_chunks(
        self, chunks: Iterable[ChangeSet], prov: Provenance, finish: Finish | None, at_version: int | None
    ) -> ApplyResult:
        """One transaction, rolled back; ``at_version`` checked by its first step, under the
        lock every later step keeps."""
        with self._errors(), self._session(neo4j.WRITE_ACCESS) as session, session.begin_transaction() as tx:
            result = ApplyResult(dry_run=True)
            expected = at_version
            for chunk in chunks:
                check_chunk(chunk)
                result.merge(self._upsert_step(tx, chunk, prov, expected))
                expected = None
            last = finish(result) if finish is not None else ChangeSet()
            final = self._final_step(tx, last, prov, result, expected)
            tx.rollback()
        final.dry_run = True
        return final

    def _locked(self, tx: Tx, expected: int | None) -> int:
        """The store's version, read under the write lock that the rest of ``tx`` keeps,
        checked against ``expected`` (``expect_version``)."""
        version = int(self._run(tx, cypher.LOCK, id=META_ID)[0]["version"])
        expect_version(version, expected)
        return version

    def _upsert_step(self, tx: Tx, changes: ChangeSet, prov: Provenance, expected: int | None) -> ApplyResult:
        """One chunk: upserts and their history; the version moves if anything changed."""
        result = ApplyResult()
        history: list[Row] = []
        version = self._locked(tx, expected)
        nodes = changes.node_writes()
        created = self._apply_nodes(tx, nodes, prov, result, history)
        self._apply_edges(tx, changes.edge_writes(), prov, result, history, _Written(nodes, created))
        if result.changed:
            self._run(tx, cypher.BATCH_OPEN, **_batch_row(prov))
            self._append_history(tx, history)
            version = int(self._run(tx, cypher.BUMP_VERSION, id=META_ID)[0]["version"])
        result.version = version
        return result

    def _final_step(
        self, tx: Tx, last: ChangeSet, prov: Provenance, so_far: ApplyResult, expected: int | None
    ) -> ApplyResult:
        """Retirements and the record of a chunked load, and the batch closed. Returns the
        whole load's outcome (``so_far`` is not modified, so a retry starts clean)."""
        step = ApplyResult()
        history: list[Row] = []
        version = self._locked(tx, expected)
        nodes = last.node_writes()
        created = self._apply_nodes(tx, nodes, prov, step, history)
        self._apply_edges(tx, last.edge_writes(), prov, step, history, _Written(nodes, created))
        self._retire_nodes(tx, last.retire_nodes, prov, step, history)
        self._retire_edges(tx, last.retire_edges, prov, step, history)
        total = ApplyResult(dry_run=so_far.dry_run)
        total.merge(so_far)
        total.merge(step)
        if total.changed and last.record is not None:
            record = last.record
            counts = {**record.props, "counts": total.totals()}
            self._apply_nodes(tx, [NodeWrite(record.label, record.key, counts)], prov, ApplyResult(), history)
        if history:
            self._append_history(tx, history)
        if history or step.changed:
            version = int(self._run(tx, cypher.BUMP_VERSION, id=META_ID)[0]["version"])
        self._run(tx, cypher.BATCH_OPEN, **_batch_row(prov))
        self._run(tx, cypher.BATCH_CLOSE, id=prov.batch)
        if not total.changed:
            self._run(tx, cypher.BATCH_DROP, id=prov.batch)
        total.version = max(version, so_far.version)
        return total

    def open_loads(self) -> list[Provenance]:
        """Chunked loads that began and did not finish (killed, or refused by their final
        step), oldest first, except those a later load of the same source completed."""
        rows = self._read(lambda tx: self._run(tx, cypher.BATCH_OPEN_LIST))
        return [Provenance(r["source"], r["id"], r["by"], r["at"]) for r in rows]

    def _append_history(self, tx: Tx, rows: list[Row]) -> None:
        if not rows:
            return
        last = int(self._run(tx, cypher.NEXT_SEQ, id=META_ID, n=len(rows))[0]["last"])
        numbered = [{**row, "seq": last + i} for i, row in enumerate(rows, start=1)]
        for chunk in _chunks(numbered, self.batch_size):
            self._run(tx, cypher.HISTORY_CREATE, rows=list(chunk))

    def _apply_nodes(
        self, tx: Tx, writes: list[NodeWrite], prov: Provenance, result: ApplyResult, history: list[Row]
    ) -> set[NodeRef]:
        """Upserts ``writes``; returns the nodes it created."""
        created_refs: set[NodeRef] = set()
        by_label: dict[str, dict[str, Props]] = {}
        for write in writes:
            pending = by_label.setdefault(cypher.label(write.label), {})
            pending[write.key] = merged(pending.get(write.key, {}), write.props)
        for label, pending in by_label.items():
            existing: dict[str, tuple[Props, bool, str]] = {}
            for chunk in _chunks(list(pending), self.batch_size):
                for row in self._run(tx, cypher.node_existing(label), keys=list(chunk)):
                    existing[row["key"]] = (json.loads(row["props"]), bool(row["retired"]), row["created"])
            rows: list[Row] = []
            fresh: list[Row] = []
            for key, props in pending.items():
                old = existing.get(key)
                if old is None:
                    fresh.append(_node_row(label, key, props, prov.batch, prov.batch, False))
                    created_refs.add(NodeRef(label, key))
                    result.add(label, "created")
                    continue
                old_props, retired, created = old
                if created != prov.batch:
                    result.existed.add((label, key))
                new_props = merged(old_props, props)
                delta = diff_changes(old_props, new_props)
                if not delta and not retired:
                    result.add(label, "unchanged")
                    continue
                rows.append(_node_row(label, key, new_props, created, prov.batch, False))
                history.append(
                    _history_row("revive" if retired else "update", delta, prov.batch, node=NodeRef(label, key))
                )
                result.add(label, "updated")
            for page in _chunks(fresh, self.batch_size):
                self._run(tx, cypher.node_create(label), rows=list(page))
            for page in _chunks(rows, self.batch_size):
                self._run(tx, cypher.node_upsert(label), rows=list(page))
        return created_refs

    def _missing_endpoints(self, tx: Tx, refs: set[NodeRef], batch: str, result: ApplyResult) -> list[NodeRef]:
        """The ``refs`` that are not live nodes; those that are and that an earlier batch
        created go to ``result.linked``."""
        by_label: dict[str, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.key)
        missing: list[NodeRef] = []
        for label, keys in by_label.items():
            live: set[str] = set()
            if label in NODE_MODELS:
                for chunk in _chunks(keys, self.batch_size):
                    for row in self._run(tx, cypher.node_live_keys(label), keys=list(chunk)):
                        live.add(row["key"])
                        if row["created"] != batch:
                            result.linked.add((label, row["key"]))
            missing.extend(NodeRef(label, k) for k in keys if k not in live)
        return sorted(missing)

    def _apply_edges(
        self,
        tx: Tx,
        writes: list[EdgeWrite],
        prov: Provenance,
        result: ApplyResult,
        history: list[Row],
        written: "_Written",
    ) -> None:
        """Upserts ``writes``. Ends written by the same transaction need no check that
        they exist, and an edge with an end it created cannot exist yet."""
        if not writes:
            return
        pending: dict[EdgeRef, Props] = {}
        for write in writes:
            pending[write.ref] = merged(pending.get(write.ref, {}), write.props)
        ends = {r.src for r in pending} | {r.dst for r in pending}
        missing = self._missing_endpoints(tx, {ref for ref in ends if ref not in written.live}, prov.batch, result)
        if missing:
            shown = ", ".join(str(m) for m in missing[:5])
            raise DanglingEdges(f"edges point at {len(missing)} node(s) that do not exist: {shown}")
        by_combo: dict[cypher.Combo, dict[EdgeRef, Props]] = {}
        for ref, props in pending.items():
            by_combo.setdefault(cypher.combo(ref.type, ref.src.label, ref.dst.label), {})[ref] = props
        for combo, group in by_combo.items():
            existing: dict[tuple[str, str], tuple[Props, bool, str]] = {}
            known = [r for r in group if r.src not in written.created and r.dst not in written.created]
            for chunk in _chunks(known, self.batch_size):
                keys = [{"src": r.src.key, "dst": r.dst.key} for r in chunk]
                for row in self._run(tx, cypher.edge_existing(combo), rows=keys):
                    existing[row["src"], row["dst"]] = (json.loads(row["props"]), bool(row["retired"]), row["created"])
            rows: list[Row] = []
            fresh: list[Row] = []
            for ref, props in group.items():
                old = existing.get((ref.src.key, ref.dst.key))
                if old is None:
                    stored = _element_props(props, prov.batch, prov.batch, False)
                    fresh.append({"src": ref.src.key, "dst": ref.dst.key, "props": stored})
                    result.add(ref.type, "created")
                    continue
                old_props, retired, created = old
                new_props = merged(old_props, props)
                delta = diff_changes(old_props, new_props)
                if not delta and not retired:
                    result.add(ref.type, "unchanged")
                    continue
                stored = _element_props(new_props, created, prov.batch, False)
                rows.append({"src": ref.src.key, "dst": ref.dst.key, "props": stored})
                history.append(_history_row("revive" if retired else "update", delta, prov.batch, edge=ref))
                result.add(ref.type, "updated")
            for page in _chunks(fresh, self.batch_size):
                self._run(tx, cypher.edge_create(combo), rows=list(page))
            for page in _chunks(rows, self.batch_size):
                self._run(tx, cypher.edge_upsert(combo), rows=list(page))

    def _retire_nodes(
        self, tx: Tx, refs: list[NodeRef], prov: Provenance, result: ApplyResult, history: list[Row]
    ) -> None:
        """Retiring a node retires its live edges; a node that does not exist, or is
        already retired, is left alone (as in the embedded store)."""
        by_label: dict[str, list[str]] = {}
        for ref in dict.fromkeys(refs):
            if ref.label in NODE_MODELS:
                by_label.setdefault(ref.label, []).append(ref.key)
        for label, keys in by_label.items():
            retired: list[str] = []
            for chunk in _chunks(keys, self.batch_size):
                retired.extend(
                    row["key"] for row in self._run(tx, cypher.node_retire(label), keys=list(chunk), batch=prov.batch)
                )
            for key in retired:
                result.add(label, "retired")
                history.append(_history_row("retire", {}, prov.batch, node=NodeRef(label, key)))
            seen: set[EdgeRef] = set()
            for chunk in _chunks(retired, self.batch_size):
                for row in self._run(tx, cypher.node_retire_edges(label), keys=list(chunk), batch=prov.batch):
                    edge = _incident(row, label)
                    if edge not in seen:
                        seen.add(edge)
                        result.add(edge.type, "retired")
                        history.append(_history_row("retire", {}, prov.batch, edge=edge))

    def _retire_edges(
        self, tx: Tx, refs: list[EdgeRef], prov: Provenance, result: ApplyResult, history: list[Row]
    ) -> None:
        by_combo: dict[cypher.Combo, list[EdgeRef]] = {}
        for ref in dict.fromkeys(refs):
            try:
                combo = cypher.combo(ref.type, ref.src.label, ref.dst.label)
            except ValueError:
                continue  # no such edge can exist, so there is nothing to retire
            by_combo.setdefault(combo, []).append(ref)
        for combo, group in by_combo.items():
            for chunk in _chunks(group, self.batch_size):
                keys = [{"src": r.src.key, "dst": r.dst.key} for r in chunk]
                for row in self._run(tx, cypher.edge_retire(combo), rows=keys, batch=prov.batch):
                    edge = EdgeRef(combo[0], NodeRef(combo[1], row["src"]), NodeRef(combo[2], row["dst"]))
                    result.add(edge.type, "retired")
                    history.append(_history_row("retire", {}, prov.batch, edge=edge))

    # -- reads ----------------------------------------------------------------------------

    def get_nodes(self, label: str, keys: Collection[str], *, include_retired: bool = False) -> dict[str, NodeRecord]:
        if label not in NODE_MODELS:
            return {}
        key_list = list(keys)

        def work(tx: neo4j.ManagedTransaction) -> dict[str, NodeRecord]:
            rows: list[Row] = []
            for chunk in _chunks(key_list, self.batch_size):
                rows += self._run(tx, cypher.node_get(label), keys=list(chunk), include_retired=include_retired)
            self._resolve(tx, [b for r in rows for b in (r["created"], r["updated"])])
            return {row["key"]: self._node(label, row) for row in rows}

        return self._read(work)

    @staticmethod
    def _filters(where: Mapping[str, Any] | None, text: str | None, exclude: Collection[str]) -> Row:
        for name in where or {}:
            if _reserved(name):
                raise ValueError(f"cannot filter on {name!r}: names starting with '_' and 'key' are the store's own")
        params: Row = {
            "where": {name: _param(value) for name, value in (where or {}).items()},
            "exclude": list(exclude),
        }
        if text:
            params["text"] = text.lower()
        return params

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
        if label not in NODE_MODELS:
            return []
        params = self._filters(where, text, exclude) | {"after": after or ""}
        if limit is not None:
            params["limit"] = limit

        def work(tx: neo4j.ManagedTransaction) -> list[NodeRecord]:
            rows = self._run(tx, cypher.node_find(label, "text" in params, limit is not None), **params)
            self._resolve(tx, [b for r in rows for b in (r["created"], r["updated"])])
            return [self._node(label, row) for row in rows]

        return self._read(work)

    def count_nodes(
        self,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        exclude: Collection[str] = (),
    ) -> int:
        if label not in NODE_MODELS:
            return 0
        params = self._filters(where, text, exclude)
        statement = cypher.node_count(label, "text" in params)
        return int(self._read(lambda tx: self._run(tx, statement, **params))[0]["n"])

    def edges(
        self,
        nodes: Sequence[NodeRef],
        *,
        direction: Direction = "out",
        types: Collection[str] | None = None,
    ) -> list[EdgeRecord]:
        by_label: dict[str, list[Row]] = {}
        for i, ref in enumerate(nodes):
            if ref.label in NODE_MODELS:
                by_label.setdefault(ref.label, []).append({"i": i, "key": ref.key})
        type_list = sorted(types) if types is not None else None
        sides = {"out": ["out"], "in": ["in"], "both": ["out", "in"]}[direction]

        def work(tx: neo4j.ManagedTransaction) -> list[EdgeRecord]:
            seen: set[EdgeRef] = set()
            out: list[EdgeRecord] = []
            for side in sides:
                found: list[tuple[tuple[Any, ...], Row, EdgeRef]] = []
                for label, rows in by_label.items():
                    for chunk in _chunks(rows, self.batch_size):
                        statement = cypher.node_edges(label, side, type_list is not None)
                        for row in self._run(tx, statement, rows=list(chunk), types=type_list):
                            here = NodeRef(label, nodes[row["i"]].key)
                            other = NodeRef(cypher.registry_label(row["other_labels"]), row["other"])
                            ref = EdgeRef(row["type"], *((here, other) if side == "out" else (other, here)))
                            found.append(((row["i"], ref.type, other.label, other.key), row, ref))
                found.sort(key=lambda item: item[0])
                self._resolve(tx, [b for _, r, _ in found for b in (r["created"], r["updated"])])
                for _, row, ref in found:
                    if ref not in seen:
                        seen.add(ref)
                        out.append(self._edge(ref.type, ref.src, ref.dst, row))
            return out

        return self._read(work) if by_label else []

    def _history_entry(self, h: Row) -> HistoryEntry:
        node = NodeRef(h["node_label"], h["node_key"]) if h.get("node_label") is not None else None
        edge = (
            EdgeRef(h["edge_type"], NodeRef(h["src_label"], h["src_key"]), NodeRef(h["dst_label"], h["dst_key"]))
            if h.get("edge_type") is not None
            else None
        )
        return HistoryEntry(
            int(h["seq"]), h["subject"], h["op"], json.loads(h["changes"]), self._batches[h["batch"]], node, edge
        )

    def history(self, ref: NodeRef) -> list[HistoryEntry]:
        if ref.label not in NODE_MODELS:
            return []

        def work(tx: neo4j.ManagedTransaction) -> list[HistoryEntry]:
            stored_rows = [row["h"] for row in self._run(tx, cypher.HISTORY_FOR, label=ref.label, key=ref.key)]
            node_rows = self._run(tx, cypher.node_get(ref.label), keys=[ref.key], include_retired=True)
            edge_rows = self._run(tx, cypher.node_all_edges(ref.label), key=ref.key)
            self._resolve(
                tx,
                [h["batch"] for h in stored_rows]
                + [b for r in node_rows + edge_rows for b in (r["created"], r["updated"])],
            )
            stored = sorted((self._history_entry(h) for h in stored_rows), key=lambda e: e.seq)
            creations = [
                creation_entry(node.ref, None, node.props, node.created, stored)
                for node in (self._node(ref.label, row) for row in node_rows)
            ]
            incident = {_incident({**row, "key": ref.key}, ref.label): row for row in edge_rows}
            for eref, row in sorted(incident.items(), key=lambda item: _outgoing_first(item[0], ref)):
                edge = self._edge(eref.type, eref.src, eref.dst, row)
                creations.append(creation_entry(None, eref, edge.props, edge.created, stored))
            return sorted(creations, key=lambda e: (e.prov.at, e.seq)) + stored if creations else stored

        return self._read(work)

    def label_counts(self) -> dict[str, int]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            counts = {name: int(self._run(tx, cypher.node_live_count(name))[0]["n"]) for name in cypher.LABELS}
            return {name: n for name, n in counts.items() if n}

        return self._read(work)

    def edge_type_counts(self) -> dict[str, int]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            counts = {name: int(self._run(tx, cypher.edge_live_count(name))[0]["n"]) for name in cypher.EDGE_TYPES}
            return {name: n for name, n in counts.items() if n}

        return self._read(work)

    def _node_pages(self, label: str, include_retired: bool) -> Iterator[NodeRecord]:
        after = ""
        while True:

            def work(tx: neo4j.ManagedTransaction, after: str = after) -> list[NodeRecord]:
                rows = self._run(
                    tx, cypher.node_page(label), after=after, include_retired=include_retired, limit=self.batch_size
                )
                self._resolve(tx, [b for r in rows for b in (r["created"], r["updated"])])
                return [self._node(label, row) for row in rows]

            page = self._read(work)
            yield from page
            if len(page) < self.batch_size:
                return
            after = page[-1].key

    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]:
        chosen = cypher.LABELS if labels is None else sorted(set(labels) & set(NODE_MODELS))
        for label in chosen:
            yield from self._node_pages(label, include_retired)

    def _edge_pages(self, combo: cypher.Combo, include_retired: bool) -> Iterator[EdgeRecord]:
        type_, src_label, dst_label = combo
        after = ""
        while True:

            def work(tx: neo4j.ManagedTransaction, after: str = after) -> tuple[list[EdgeRecord], int, str]:
                rows = self._run(
                    tx, cypher.edge_page(combo), after=after, include_retired=include_retired, limit=self.batch_size
                )
                edges = [r for r in rows if r["dst"] is not None]
                self._resolve(tx, [b for r in edges for b in (r["created"], r["updated"])])
                sources = len({r["src"] for r in rows})
                records = [
                    self._edge(type_, NodeRef(src_label, r["src"]), NodeRef(dst_label, r["dst"]), r) for r in edges
                ]
                return records, sources, rows[-1]["src"] if rows else after

            records, sources, after = self._read(work)
            yield from records
            if sources < self.batch_size:
                return

    def _iter_edges(
        self, types: Collection[str] | None, labels: Collection[str] | None, include_retired: bool
    ) -> Iterator[EdgeRecord]:
        """Only the (type, source, target) combinations asked for: a projection of some
        labels never pages through edges it would drop. Each combination streams in source
        key order; merging those of one source label gives the embedded store's order
        (source, type, target), page by page."""
        by_source: dict[str, list[cypher.Combo]] = {}
        for combo in cypher.COMBOS:
            if types is not None and combo[0] not in types:
                continue
            if labels is not None and (combo[1] not in labels or combo[2] not in labels):
                continue
            by_source.setdefault(combo[1], []).append(combo)
        for source in sorted(by_source):
            streams = [self._edge_pages(combo, include_retired) for combo in by_source[source]]
            yield from heapq.merge(*streams, key=_edge_order)

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]:
        return self._iter_edges(types, None, include_retired)

    def batches_between(self, since: str | None, until: str | None) -> list[Provenance]:
        def work(tx: neo4j.ManagedTransaction) -> list[Provenance]:
            rows = self._run(tx, cypher.BATCHES_BETWEEN, since=since or "", until=until or "\uffff")
            return [Provenance(row["source"], row["id"], row["by"], row["at"]) for row in rows]

        found = self._read(work)
        for prov in found:
            self._batches[prov.batch] = prov
        return found

    def changes_in(self, batches: Collection[str]) -> Iterator[HistoryEntry]:
        ids = sorted(set(batches))

        def work(tx: neo4j.ManagedTransaction) -> list[HistoryEntry]:
            self._resolve(tx, ids)
            created = [
                HistoryEntry(0, str(ref), "create", {}, self._batches[row["created"]], ref, None)
                for name in NODE_MODELS
                for row in self._run(tx, cypher.node_created_in(name), batches=ids)
                for ref in [NodeRef(name, row["key"])]
            ]
            stored = [self._history_entry(row["h"]) for row in self._run(tx, cypher.HISTORY_IN, batches=ids)]
            return sorted(created, key=lambda e: (e.prov.at, e.subject)) + stored

        yield from self._read(work) if ids else []

    def iter_history(self) -> Iterator[HistoryEntry]:
        after = 0
        while True:

            def work(tx: neo4j.ManagedTransaction, after: int = after) -> list[HistoryEntry]:
                rows = [r["h"] for r in self._run(tx, cypher.HISTORY_PAGE, after=after, limit=self.batch_size)]
                self._resolve(tx, [h["batch"] for h in rows])
                return [self._history_entry(h) for h in rows]

            page = self._read(work)
            yield from page
            if len(page) < self.batch_size:
                return
            after = page[-1].seq

    # -- migration ------------------------------------------------------------------------

    def restore(
        self,
        nodes: Iterable[NodeRecord],
        edges: Iterable[EdgeRecord],
        history: Iterable[HistoryEntry],
    ) -> None:
        """One explicit transaction (atomic, as the contract asks) fed chunk by chunk from
        the iterables, which may be streams from another store; because a stream cannot be
        replayed, this write is not retried: a failure rolls back and can be run again."""
        with self._errors(), self._session(neo4j.WRITE_ACCESS) as session, session.begin_transaction() as tx:
            self._run(tx, cypher.LOCK, id=META_ID)
            batches: dict[str, Provenance] = {}

            def keep(prov: Provenance) -> str:
                batches[prov.batch] = prov
                return prov.batch

            node_rows: dict[str, list[Row]] = {}
            for n in nodes:
                rows = node_rows.setdefault(cypher.label(n.label), [])
                rows.append(_node_row(n.label, n.key, n.props, keep(n.created), keep(n.updated), n.retired))
                if len(rows) >= self.batch_size:
                    self._run(tx, cypher.node_upsert(n.label), rows=rows)
                    rows.clear()
            for label, rows in node_rows.items():
                if rows:
                    self._run(tx, cypher.node_upsert(label), rows=rows)

            edge_rows: dict[cypher.Combo, list[Row]] = {}

            def flush(combo: cypher.Combo, rows: list[Row]) -> None:
                written = int(self._run(tx, cypher.edge_upsert(combo), rows=rows)[0]["n"])
                if written != len(rows):
                    raise ValueError(f"{len(rows) - written} {combo[0]} edge(s) point at nodes that are not restored")
                rows.clear()

            for e in edges:
                combo = cypher.combo(e.type, e.src.label, e.dst.label)
                rows = edge_rows.setdefault(combo, [])
                stored = _element_props(e.props, keep(e.created), keep(e.updated), e.retired)
                rows.append({"src": e.src.key, "dst": e.dst.key, "props": stored})
                if len(rows) >= self.batch_size:
                    flush(combo, rows)
            for combo, rows in edge_rows.items():
                if rows:
                    flush(combo, rows)

            entries: list[Row] = []
            for h in history:
                if h.op == "create":
                    continue
                entries.append(_history_row(h.op, h.changes, keep(h.prov), node=h.node, edge=h.edge))
                if len(entries) >= self.batch_size:
                    self._append_history(tx, entries)
                    entries = []
            self._append_history(tx, entries)
            for chunk in _chunks([p.as_dict() | {"id": p.batch} for p in batches.values()], self.batch_size):
                self._run(tx, cypher.BATCH_MERGE, rows=list(chunk))
            self._run(tx, cypher.BUMP_VERSION, id=META_ID)
            tx.commit()

    # -- analysis -------------------------------------------------------------------------

    def projection(
        self, labels: Collection[str] | None = None, edge_types: Collection[str] | None = None
    ) -> nx.MultiDiGraph:
        return self._projections.get(
            self.version(),
            labels,
            edge_types,
            lambda: build_projection(self.iter_nodes(labels), self._iter_edges(edge_types, labels, False)),
        )


class _Written:
    """The nodes a transaction has just upserted: all of them are live, and edges to
    those it ``created`` cannot exist yet."""

    def __init__(self, writes: Iterable[NodeWrite], created: set[NodeRef]) -> None:
        self.live = {NodeRef(w.label, w.key) for w in writes}
        self.created = created


class _OutOfMemory(Exception):
    """A write the server had no memory for. Neo4j calls that transient, so the driver
    would retry the same write until its retry window closes; it cannot succeed unchanged."""


def _no_retry_out_of_memory(work: Callable[[neo4j.ManagedTransaction], T]) -> Callable[[neo4j.ManagedTransaction], T]:
    def guarded(tx: neo4j.ManagedTransaction) -> T:
        try:
            return work(tx)
        except Neo4jError as exc:
            if "OutOfMemory" in (exc.code or ""):
                raise _OutOfMemory(_one_line(exc)) from None
            raise

    return guarded


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


class _ErrorTranslation:
    """Driver failures become StoreError with a message fit for a user; ValueError and
    the store's own errors pass through unchanged."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> Literal[False]:
        if exc is None:
            return False
        if isinstance(exc, _OutOfMemory):
            raise StoreError(
                f"Neo4j at {self.url} ran out of memory for one write ({exc}); lower ?batch_size= "
                "(NEO4J_BATCH_SIZE) or raise the server's dbms.memory.transaction.total.max"
            ) from None
        if isinstance(exc, AuthError):
            raise StoreError(f"Neo4j at {self.url} refused the credentials (set NEO4J_USER / NEO4J_PASSWORD)") from None
        if isinstance(exc, ServiceUnavailable | SessionExpired):
            raise StoreError(f"cannot reach Neo4j at {self.url}: {_one_line(exc)}") from None
        if isinstance(exc, Neo4jError | DriverError):
            raise StoreError(f"Neo4j at {self.url} failed: {_one_line(exc)}") from None
        return False
