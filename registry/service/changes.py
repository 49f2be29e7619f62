"""The change feed: what changed in the registry between two times, across every entry.

History is kept per entry; this reads it by write batch instead, so "what changed since
Monday" costs the batches of that period, not a scan of the registry. It is also the audit
trail a regulator asks for: who changed what, when, from which file and batch. Entries
the caller may not see are left out (an edge when either end is hidden), so a feed never
names or counts them.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from registry.collector import gc_paused
from registry.schema.model import NAME_PROPERTY, NODE_MODELS
from registry.schema.records import HistoryEntry, NodeRef
from registry.service.caller import Caller
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput
from registry.service.visibility import sees_retired

OPS = {"create": "created", "update": "updated", "retire": "retired", "revive": "revived"}
OWNED_BY = {"Dataset": "PROVIDES", "System": "OPERATES"}
MAX_CHANGES = 100_000


@dataclass(frozen=True)
class Change:
    at: str
    by: str
    source: str
    batch: str
    op: str
    kind: str
    key: str
    name: str | None
    department: str | None
    subject: str
    changes: dict[str, list[Any]] = field(default_factory=dict)
    """Each changed property with [old, new]; empty for a creation (the entry's current
    state tells it) and for a retirement or revival without property changes."""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_time(value: str | None, name: str) -> str | None:
    """An ISO date or date-time, as the UTC text the batches carry (``2026-11-01`` means
    the start of that day)."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not a date (2026-11-01) or a date-time (2026-11-01T08:00:00Z)"
        ) from None
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).isoformat(timespec="seconds")


def changes(
    service: RegistryService,
    caller: Caller,
    *,
    since: str | None,
    until: str | None = None,
    department: str | None = None,
    kinds: Collection[str] | None = None,
    limit: int = 10_000,
) -> list[Change]:
    """Created, updated, retired and revived entries in [since, until), oldest first. The
    collector is paused: decoding a day's records in a process that holds a warm graph or
    search index otherwise spends most of its time in full collections (1.2 s -> 0.03 s
    for a day of 24 imports at 10k datasets)."""
    with gc_paused():
        return service.consistent(caller, lambda: _changes(service, caller, since, until, department, kinds, limit))


def _changes(
    service: RegistryService,
    caller: Caller,
    since: str | None,
    until: str | None,
    department: str | None,
    kinds: Collection[str] | None,
    limit: int,
) -> list[Change]:
    start, end = parse_time(since, "since"), parse_time(until, "until")
    unknown = sorted(set(kinds or ()) - set(NODE_MODELS))
    if unknown:
        raise InvalidInput(f"unknown kind {unknown[0]!r}; expected one of {', '.join(NODE_MODELS)}")
    limit = max(1, min(limit, MAX_CHANGES))
    batches = service.store.batches_between(start, end)
    if not batches:
        return []
    entries = list(service.store.changes_in([b.batch for b in batches]))
    visible = visible_nodes(service, caller, {n for e in entries for n in _ends(e)})
    entries = [e for e in entries if all(n in visible for n in _ends(e))]
    subjects = {_subject_node(e) for e in entries}
    owners = _owners(service, caller, subjects)
    names = visible
    wanted = set(kinds) if kinds else None
    out: list[Change] = []
    for entry in sorted(entries, key=lambda e: (e.prov.at, e.seq, e.subject)):
        node = _subject_node(entry)
        owner = owners.get(node)
        if department is not None and owner != department:
            continue
        if wanted is not None and node.label not in wanted:
            continue
        out.append(
            Change(
                at=entry.prov.at,
                by=entry.prov.by,
                source=entry.prov.source,
                batch=entry.prov.batch,
                op=OPS.get(entry.op, entry.op),
                kind=node.label if entry.edge is None else entry.edge.type,
                key=node.key,
                name=names.get(node),
                department=owner,
                subject=entry.subject,
                changes={k: list(v) for k, v in entry.changes.items()},
            )
        )
        if len(out) >= limit:
            break
    return out


def _ends(entry: HistoryEntry) -> tuple[NodeRef, ...]:
    if entry.node is not None:
        return (entry.node,)
    if entry.edge is not None:
        return (entry.edge.src, entry.edge.dst)
    return ()


def visible_nodes(service: RegistryService, caller: Caller, nodes: Collection[NodeRef]) -> dict[NodeRef, str | None]:
    """The nodes the caller may see, with their names. A live entry is judged by the
    service's visibility; a retired one is no longer in the graph its level is computed
    from, so only a caller cleared for everything sees it, except departments and data
    elements, which are public by rule."""
    by_label: dict[str, list[str]] = {}
    for node in nodes:
        if node.label in NODE_MODELS:
            by_label.setdefault(node.label, []).append(node.key)
    found: dict[NodeRef, str | None] = {}
    for label, keys in by_label.items():
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            live = service.get_many(caller, label, chunk)
            stored = service.store.get_nodes(label, chunk, include_retired=True)
            for key, record in stored.items():
                if key in live or (record.retired and sees_retired(caller.clearance, label)):
                    value = record.props.get(NAME_PROPERTY[label])
                    found[NodeRef(label, key)] = None if value is None else str(value)
    return found


def _subject_node(entry: HistoryEntry) -> NodeRef:
    """The entry a change belongs to: the node, or an edge's source (a dataset's fields,
    a department's datasets)."""
    if entry.node is not None:
        return entry.node
    assert entry.edge is not None
    return entry.edge.src


def _owners(service: RegistryService, caller: Caller, nodes: Collection[NodeRef]) -> dict[NodeRef, str]:
    """Each node's department: itself, its provider or operator, or (a field) its dataset's."""
    owners: dict[NodeRef, str] = {n: n.key for n in nodes if n.label == "Department"}
    datasets_of_fields = {n: NodeRef("Dataset", n.key.split("#", 1)[0]) for n in nodes if n.label == "Field"}
    asked = sorted({n for n in nodes if n.label in OWNED_BY} | set(datasets_of_fields.values()))
    by_node: dict[NodeRef, str] = {}
    for start in range(0, len(asked), 1000):
        for edge in service.edges(caller, asked[start : start + 1000], direction="in", types=list(OWNED_BY.values())):
            by_node[edge.dst] = edge.src.key
    for node in nodes:
        if node.label in OWNED_BY and node in by_node:
            owners[node] = by_node[node]
    for field_ref, dataset in datasets_of_fields.items():
        if dataset in by_node:
            owners[field_ref] = by_node[dataset]
    return owners


def as_rows(found: Sequence[Change]) -> list[dict[str, Any]]:
    return [change.as_dict() for change in found]
