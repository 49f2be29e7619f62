"""The registry at a point in time, rebuilt from history.

History keeps every change with [old, new] per property, and a creation is the record's
``created`` provenance, so an entry as it stood on a date is its current state with the
later changes undone, newest first; whether it existed then is told by its creation and
its retirements and revivals up to that date. "Which 信息项 did this dataset have on 1
March, and what changed by 1 June" is answered the same way for its HAS_FIELD relations.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.schema.model import NAME_PROPERTY
from registry.schema.records import EdgeRef, HistoryEntry, NodeRecord, NodeRef, Props
from registry.service.caller import Caller
from registry.service.changes import parse_time, visible_nodes
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Snapshot:
    """An entry's properties as of a time, and whether it was live then."""

    label: str
    key: str
    props: Props
    live: bool
    as_of: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    key: str
    change: str
    """``added``, ``removed`` or ``changed``."""
    properties: dict[str, list[Any]] = field(default_factory=dict)


def resolve_moment(service: RegistryService, value: str, name: str) -> str:
    """A date, a date-time or an import batch id, as the time to look at (a batch means
    just after it)."""
    if value.startswith("batch-"):
        found = [b for b in service.store.batches_between(None, None) if b.batch == value]
        if not found:
            raise InvalidInput(f"{name}: no import batch {value!r}")
        return found[0].at
    moment = parse_time(value, name)
    assert moment is not None
    return moment + "T23:59:59+00:00" if len(moment) == 10 else moment


def _state(current: Props, created_at: str, entries: Sequence[HistoryEntry], moment: str) -> tuple[Props, bool]:
    """Undo what happened after ``moment``; live if created by then and not retired."""
    props = dict(current)
    for entry in sorted((e for e in entries if e.prov.at > moment), key=lambda e: e.seq, reverse=True):
        for name, (old, _new) in entry.changes.items():
            if old is None:
                props.pop(name, None)
            else:
                props[name] = old
    live = created_at <= moment
    for entry in sorted((e for e in entries if e.prov.at <= moment), key=lambda e: e.seq):
        if entry.op == "retire":
            live = False
        elif entry.op == "revive":
            live = True
    return props, live


def _record(service: RegistryService, caller: Caller, ref: NodeRef) -> NodeRecord:
    """The stored record, when the caller may see it (hidden and missing answer alike)."""
    if ref not in visible_nodes(service, caller, [ref]):
        raise NotFound(f"no {ref.label} with key {ref.key!r}")
    record = service.store.get_nodes(ref.label, [ref.key], include_retired=True).get(ref.key)
    if record is None:
        raise NotFound(f"no {ref.label} with key {ref.key!r}")
    return record


def as_of(service: RegistryService, caller: Caller, ref: NodeRef, when: str) -> Snapshot:
    """``ref`` as it stood at ``when``, read at one version of the registry (``consistent``)."""
    moment = resolve_moment(service, when, "asOf")
    return service.consistent(caller, lambda: _as_of(service, caller, ref, moment))


def _as_of(service: RegistryService, caller: Caller, ref: NodeRef, moment: str) -> Snapshot:
    record = _record(service, caller, ref)
    own = [e for e in service.store.history(ref) if e.node == ref and e.op != "create"]
    props, live = _state(record.props, record.created.at, own, moment)
    return Snapshot(ref.label, ref.key, props if record.created.at <= moment else {}, live, moment)


def field_changes(service: RegistryService, caller: Caller, dataset: str, start: str, end: str) -> list[FieldChange]:
    """信息项 added, removed and changed between two dates or batches, read at one version of
    the registry (``consistent``)."""
    begin, finish = resolve_moment(service, start, "from"), resolve_moment(service, end, "to")
    return service.consistent(caller, lambda: _field_changes(service, caller, dataset, begin, finish))


def _field_changes(
    service: RegistryService, caller: Caller, dataset: str, begin: str, finish: str
) -> list[FieldChange]:
    ref = NodeRef("Dataset", dataset)
    _record(service, caller, ref)
    history = service.store.history(ref)
    links: dict[EdgeRef, list[HistoryEntry]] = {}
    created: dict[EdgeRef, str] = {}
    for entry in history:
        edge = entry.edge
        if edge is None or edge.type != "HAS_FIELD" or edge.src != ref:
            continue
        if entry.op == "create":
            created[edge] = entry.prov.at
        else:
            links.setdefault(edge, []).append(entry)
    before = {e.dst for e, at in created.items() if _state({}, at, links.get(e, []), begin)[1]}
    after = {e.dst for e, at in created.items() if _state({}, at, links.get(e, []), finish)[1]}
    # a field is shown as the change feed shows it (``visible_nodes``): a retired one has no
    # level, and one classified when it was removed would otherwise be named to anyone
    seen = visible_nodes(service, caller, before | after)
    before, after = before & seen.keys(), after & seen.keys()
    fields = service.store.get_nodes("Field", sorted({e.dst.key for e in created}), include_retired=True)
    out: list[FieldChange] = []
    for node in sorted(before | after):
        record = fields.get(node.key)
        if record is None:
            continue
        own = [e for e in service.store.history(node) if e.node == node and e.op != "create"]
        then, _ = _state(record.props, record.created.at, own, begin)
        now, _ = _state(record.props, record.created.at, own, finish)
        name = str(now.get(NAME_PROPERTY["Field"]) or then.get(NAME_PROPERTY["Field"]) or node.key)
        if node in after and node not in before:
            out.append(FieldChange(name, node.key, "added"))
        elif node in before and node not in after:
            out.append(FieldChange(name, node.key, "removed"))
        else:
            diff = {k: [then.get(k), now.get(k)] for k in sorted(set(then) | set(now)) if then.get(k) != now.get(k)}
            if diff:
                out.append(FieldChange(name, node.key, "changed", diff))
    return out
