"""Every Cypher statement the Neo4j store sends, and nothing else.

Labels and relationship types cannot be Cypher parameters, so they are written into the
text; they come only from the schema's closed set (``NODE_MODELS``, ``EDGE_SPECS`` and the
store's three bookkeeping labels) and every builder checks that before it formats, so no
input can reach the text. Values always travel as parameters. ``statements()`` yields the
whole catalogue, which is what the lint test feeds to Neo4j's own Cypher front end and what
the store checks each statement against before sending it.

Node properties: ``key`` (the natural key), ``_props`` (every property as JSON, the source
of truth: Neo4j cannot hold maps or lists of maps), ``_created`` / ``_updated`` (batch ids
of ``_Batch`` nodes), ``_retired``, ``_search`` (the lower-cased display name) and a
top-level copy of each scalar or list-of-scalars property under its own name, for filters,
Neo4j Browser and Bloom. Relationships carry the same minus ``key`` and ``_search``.
"""

import hashlib
from collections.abc import Iterator
from functools import cache
from importlib import resources

from registry.schema.model import EDGE_SPECS, NODE_MODELS

BATCH, HISTORY, META = "_Batch", "_History", "_Meta"
INTERNAL_LABELS = (BATCH, HISTORY, META)
LABELS: tuple[str, ...] = tuple(sorted(NODE_MODELS))
EDGE_TYPES: tuple[str, ...] = tuple(sorted(EDGE_SPECS))
Combo = tuple[str, str, str]
"""(relationship type, source label, target label)"""
COMBOS: tuple[Combo, ...] = tuple(
    sorted((t, s, d) for t, spec in EDGE_SPECS.items() for s in spec.sources for d in spec.targets)
)
SCHEMA_FILES = ("neo4j_constraints.cypher", "neo4j_indexes.cypher")


def label(name: str) -> str:
    """A registry label, checked against the closed set before it is written into Cypher."""
    if name not in NODE_MODELS:
        raise ValueError(f"unknown node label {name!r}; expected one of {', '.join(LABELS)}")
    return name


def edge_type(name: str) -> str:
    if name not in EDGE_SPECS:
        raise ValueError(f"unknown edge type {name!r}; expected one of {', '.join(EDGE_TYPES)}")
    return name


def combo(type_: str, src: str, dst: str) -> Combo:
    spec = EDGE_SPECS.get(edge_type(type_))
    if spec is None or src not in spec.sources or dst not in spec.targets:
        raise ValueError(f"a {type_} edge cannot go from {src} to {dst}")
    return (type_, label(src), label(dst))


def registry_label(labels: list[str]) -> str:
    """The one registry label of a node returned by an unlabelled pattern."""
    found = [name for name in labels if name in NODE_MODELS]
    if len(found) != 1:
        raise ValueError(f"a registry node must carry exactly one registry label, found {labels!r}")
    return found[0]


# -- schema ---------------------------------------------------------------------------


def schema_statements() -> list[str]:
    """The constraint and index files, split into statements (one per ``;``)."""
    out: list[str] = []
    for name in SCHEMA_FILES:
        text = (resources.files("registry.schema") / name).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
        out.extend(part.strip() for part in "\n".join(lines).split(";") if part.strip())
    return out


# -- bookkeeping ------------------------------------------------------------------------

META_INIT = f"MERGE (m:{META} {{id: $id}}) ON CREATE SET m.version = 0, m.seq = 0"
SCHEMA_GET = f"MATCH (m:{META} {{id: $id}}) RETURN m.schema AS schema"
SCHEMA_SET = f"MATCH (m:{META} {{id: $id}}) SET m.schema = $schema"
VERSION = f"MATCH (m:{META} {{id: $id}}) RETURN m.version AS version"
LOCK = f"MATCH (m:{META} {{id: $id}}) SET m.version = m.version RETURN m.version AS version"
"""Taken first by every write: writers queue on the counter node, so each one's reads of
what exists stay true until it commits."""
BUMP_VERSION = f"MATCH (m:{META} {{id: $id}}) SET m.version = m.version + 1 RETURN m.version AS version"
NEXT_SEQ = f"MATCH (m:{META} {{id: $id}}) SET m.seq = m.seq + $n RETURN m.seq - $n AS last"
BATCH_MERGE = (
    f"UNWIND $rows AS row MERGE (b:{BATCH} {{id: row.id}}) "
    "ON CREATE SET b.source = row.source, b.by = row.by, b.at = row.at"
)
BATCH_OPEN = f"MERGE (b:{BATCH} {{id: $id}}) ON CREATE SET b.source = $source, b.by = $by, b.at = $at, b.loading = true"
"""A chunked load's batch, before its first chunk: open until its final step commits."""
BATCH_CLOSE = (
    f"MATCH (b:{BATCH} {{id: $id}}) SET b.loading = false "
    f"WITH b MATCH (o:{BATCH} {{source: b.source, loading: true}}) SET o.loading = false, o.completed_by = b.id"
)
"""The load is complete, and so are the earlier, killed loads of the same source it redid."""
BATCH_DROP = f"MATCH (b:{BATCH} {{id: $id}}) DELETE b"
"""A load that changed nothing leaves no batch behind (nothing refers to it)."""
BATCH_OPEN_LIST = (
    f"MATCH (b:{BATCH} {{loading: true}}) RETURN b.id AS id, b.source AS source, b.by AS by, b.at AS at "
    "ORDER BY b.at, b.id"
)
BATCH_GET = (
    f"UNWIND $ids AS id MATCH (b:{BATCH} {{id: id}}) RETURN b.id AS id, b.source AS source, b.by AS by, b.at AS at"
)
HISTORY_CREATE = f"UNWIND $rows AS row CREATE (h:{HISTORY}) SET h = row"
BATCHES_BETWEEN = (
    f"MATCH (b:{BATCH}) WHERE b.at >= $since AND b.at < $until "
    "RETURN b.id AS id, b.source AS source, b.by AS by, b.at AS at ORDER BY at, id"
)
HISTORY_IN = f"MATCH (h:{HISTORY}) WHERE h.batch IN $batches WITH h ORDER BY h.seq RETURN properties(h) AS h"
HISTORY_FOR = "\nUNION\n".join(
    f"MATCH (h:{HISTORY} {{{lab}: $label, {key}: $key}}) RETURN properties(h) AS h"
    for lab, key in (("node_label", "node_key"), ("src_label", "src_key"), ("dst_label", "dst_key"))
)
HISTORY_PAGE = f"MATCH (h:{HISTORY}) WHERE h.seq > $after WITH h ORDER BY h.seq LIMIT $limit RETURN properties(h) AS h"
"""Ordered by the node's ``seq`` before projecting, so the ``history_seq`` index gives the
order and the page stops at ``$limit`` (sorting the projected maps read every entry)."""

_NODE = "n.key AS key, n._props AS props, n._created AS created, n._updated AS updated, n._retired AS retired"
_EDGE = "r._props AS props, r._created AS created, r._updated AS updated, r._retired AS retired"
_LIVE = "NOT n._retired AND all(name IN keys($where) WHERE n[name] = $where[name]) AND NOT n.key IN $exclude"
_SEARCH = "n._search CONTAINS $text"
"""Its own conjunct, never ``$text IS NULL OR …``: a disjunction with a parameter test
keeps the planner off the text index, so a search and a plain list are two statements."""


# -- per label --------------------------------------------------------------------------


@cache
def node_existing(name: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (n:{label(name)} {{key: key}}) "
        "RETURN n.key AS key, n._props AS props, n._created AS created, n._retired AS retired"
    )


@cache
def node_upsert(name: str) -> str:
    """``SET n = row.props`` replaces every property, so a copy whose value stopped being a
    scalar does not linger beside the JSON."""
    return f"UNWIND $rows AS row MERGE (n:{label(name)} {{key: row.key}}) SET n = row.props RETURN count(n) AS n"


@cache
def node_create(name: str) -> str:
    """Nodes the same transaction found absent (writers hold the ``_Meta`` lock, so none
    appears meanwhile): a plain CREATE spares MERGE's second key lookup, a third of
    writing a new node on ArcadeDB."""
    return f"UNWIND $rows AS row CREATE (n:{label(name)}) SET n = row.props RETURN count(n) AS n"


@cache
def node_get(name: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (n:{label(name)} {{key: key}}) "
        f"WHERE $include_retired OR NOT n._retired RETURN {_NODE}"
    )


@cache
def node_created_in(name: str) -> str:
    return f"MATCH (n:{label(name)}) WHERE n._created IN $batches RETURN n.key AS key, n._created AS created"


@cache
def node_live_keys(name: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (n:{label(name)} {{key: key}}) WHERE NOT n._retired "
        "RETURN n.key AS key, n._created AS created"
    )


@cache
def node_find(name: str, searched: bool, limited: bool) -> str:
    """A page of live nodes after ``$after`` ("" for the first) in key order. The key's
    range index serves both the ``n.key > $after`` seek and the order, so a limited page
    reads only its rows; a search starts from the text index instead."""
    search = f"{_SEARCH} AND " if searched else ""
    text = f"MATCH (n:{label(name)}) WHERE {search}n.key > $after AND {_LIVE} RETURN {_NODE} ORDER BY n.key"
    return text + " LIMIT $limit" if limited else text


@cache
def node_count(name: str, searched: bool) -> str:
    search = f"{_SEARCH} AND " if searched else ""
    return f"MATCH (n:{label(name)}) WHERE {search}{_LIVE} RETURN count(n) AS n"


@cache
def node_live_count(name: str) -> str:
    return f"MATCH (n:{label(name)}) WHERE NOT n._retired RETURN count(n) AS n"


@cache
def node_page(name: str) -> str:
    """Key-ordered pages: the key constraint's index gives the order, so a projection of
    millions of nodes streams in bounded memory, each page its own retryable read."""
    return (
        f"MATCH (n:{label(name)}) WHERE n.key > $after AND ($include_retired OR NOT n._retired) "
        f"RETURN {_NODE} ORDER BY n.key LIMIT $limit"
    )


@cache
def node_retire(name: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (n:{label(name)} {{key: key}}) WHERE NOT n._retired "
        "SET n._retired = true, n._updated = $batch RETURN n.key AS key"
    )


@cache
def node_retire_edges(name: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (n:{label(name)} {{key: key}})-[r]-(m) WHERE NOT r._retired "
        "SET r._retired = true, r._updated = $batch "
        "RETURN n.key AS key, type(r) AS type, startNode(r) = n AS out, labels(m) AS other_labels, m.key AS other"
    )


@cache
def node_edges(name: str, side: str, typed: bool) -> str:
    """Live edges of a page of nodes, one statement per label, side and whether types are
    asked for (DataLoaders); each row starts from the key index."""
    arrow = {"out": "-[r]->", "in": "<-[r]-"}[side]
    types = " AND type(r) IN $types" if typed else ""
    return (
        f"UNWIND $rows AS row MATCH (a:{label(name)} {{key: row.key}}){arrow}(b) "
        f"WHERE NOT r._retired{types} "
        f"RETURN row.i AS i, type(r) AS type, labels(b) AS other_labels, b.key AS other, {_EDGE}"
    )


@cache
def node_all_edges(name: str) -> str:
    """Every edge touching a node, retired ones too: history tells their creation."""
    return (
        f"MATCH (n:{label(name)} {{key: $key}})-[r]-(m) "
        f"RETURN type(r) AS type, startNode(r) = n AS out, labels(m) AS other_labels, m.key AS other, {_EDGE}"
    )


@cache
def delete_page(name: str) -> str:
    """Deletes in pages so that wiping a large test database never needs one huge transaction."""
    if name not in INTERNAL_LABELS:
        label(name)
    return f"MATCH (n:{name}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"


# -- per edge type and endpoint labels ----------------------------------------------------


def _pattern(c: Combo) -> str:
    t, s, d = combo(*c)
    return f"(a:{s} {{key: row.src}})-[r:{t}]->(b:{d} {{key: row.dst}})"


@cache
def edge_existing(c: Combo) -> str:
    return (
        f"UNWIND $rows AS row MATCH {_pattern(c)} "
        "RETURN row.src AS src, row.dst AS dst, r._props AS props, r._created AS created, r._retired AS retired"
    )


@cache
def edge_upsert(c: Combo) -> str:
    t, s, d = combo(*c)
    return (
        f"UNWIND $rows AS row MATCH (a:{s} {{key: row.src}}) MATCH (b:{d} {{key: row.dst}}) "
        f"MERGE (a)-[r:{t}]->(b) SET r = row.props RETURN count(r) AS n"
    )


@cache
def edge_create(c: Combo) -> str:
    """Edges that cannot exist yet (one end was created by the same transaction, or the
    transaction looked): MERGE would scan the source's relationships of that type for each
    row, which is quadratic in a dataset's fields on ArcadeDB."""
    t, s, d = combo(*c)
    return (
        f"UNWIND $rows AS row MATCH (a:{s} {{key: row.src}}) MATCH (b:{d} {{key: row.dst}}) "
        f"CREATE (a)-[r:{t}]->(b) SET r = row.props RETURN count(r) AS n"
    )


@cache
def edge_retire(c: Combo) -> str:
    return (
        f"UNWIND $rows AS row MATCH {_pattern(c)} WHERE NOT r._retired "
        "SET r._retired = true, r._updated = $batch RETURN row.src AS src, row.dst AS dst"
    )


@cache
def edge_page(c: Combo) -> str:
    """Pages over source nodes in key order (index-backed), each with all its edges, so
    a dataset with more fields than a page still streams in bounded memory."""
    t, s, d = combo(*c)
    return (
        f"MATCH (a:{s}) WHERE a.key > $after WITH a ORDER BY a.key LIMIT $limit "
        f"OPTIONAL MATCH (a)-[r:{t}]->(b:{d}) WHERE $include_retired OR NOT r._retired "
        f"RETURN a.key AS src, b.key AS dst, {_EDGE} ORDER BY src, dst"
    )


@cache
def edge_live_count(name: str) -> str:
    return f"MATCH ()-[r:{edge_type(name)}]->() WHERE NOT r._retired RETURN count(r) AS n"


# -- the catalogue ------------------------------------------------------------------------


def statements() -> Iterator[str]:
    """Every statement the store can send, for every label and edge type."""
    yield from schema_statements()
    yield from (META_INIT, SCHEMA_GET, SCHEMA_SET, VERSION, LOCK, BUMP_VERSION, NEXT_SEQ, BATCH_MERGE, BATCH_GET)
    yield from (BATCH_OPEN, BATCH_CLOSE, BATCH_DROP, BATCH_OPEN_LIST)
    yield from (HISTORY_CREATE, HISTORY_FOR, HISTORY_PAGE, BATCHES_BETWEEN, HISTORY_IN)
    for name in LABELS:
        yield from (node_existing(name), node_upsert(name), node_create(name), node_get(name), node_live_keys(name))
        yield from (node_find(name, searched, limited) for searched in (False, True) for limited in (False, True))
        yield from (node_count(name, False), node_count(name, True), node_live_count(name))
        yield from (node_page(name), node_retire(name), node_retire_edges(name), node_all_edges(name))
        yield from (node_edges(name, side, typed) for side in ("out", "in") for typed in (False, True))
        yield node_created_in(name)
    for name in (*LABELS, *INTERNAL_LABELS):
        yield delete_page(name)
    for c in COMBOS:
        yield from (edge_existing(c), edge_upsert(c), edge_create(c), edge_retire(c), edge_page(c))
    for name in EDGE_TYPES:
        yield edge_live_count(name)


def schema_digest() -> str:
    """Identifies the constraint and index files, so a store installs them only when they
    are new to the database (one round trip per start instead of one per statement)."""
    return hashlib.sha256("\n;\n".join(schema_statements()).encode("utf-8")).hexdigest()


@cache
def catalogue() -> frozenset[str]:
    return frozenset(statements())
