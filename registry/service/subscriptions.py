"""Subscriptions and webhooks: a caller is told when what it depends on changes.

A subscription names an entry, a department or a data element, the events it wants and a
webhook URL. After each committed write the notifier reads what that batch did (the
change feed), works out each subscription's events and POSTs them, signed with the
subscription's own secret (``X-Registry-Signature: sha256=<HMAC of the body>``), retried
with exponential backoff; every attempt is kept in a delivery log.

Events: ``changed``, ``retired``, ``field_added``, ``field_removed`` on the subscribed
entry (a dataset's 信息项 included), and ``upstream_changed`` when a dataset it depends on
changes: one shared with the subscribed department (SHARED_WITH), or one its fields are
derived from (DERIVED_FROM). So a consumer department learns the day a provider drops a
信息项 it uses.

Every event is judged with the subscriber's clearance at delivery time: a subscription to
an entry that became hidden from its subscriber stops delivering, and no event names an
entry the subscriber may not see.

Subscriptions and the delivery log are kept beside the registry (``<store>.subscriptions.json``
and ``<store>.deliveries.jsonl``), readable by the owner only, like the token file.
"""

import hashlib
import hmac
import json
import logging
import os
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.schema.enums import Clearance
from registry.schema.records import HistoryEntry, NodeRef
from registry.service.caller import Caller, Role
from registry.service.changes import visible_nodes
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput, NotFound

EVENTS = ("changed", "retired", "field_added", "field_removed", "upstream_changed")
TARGETS = ("entry", "department", "element")
LINEAGE_DEPTH = 5
SIGNATURE_HEADER = "X-Registry-Signature"
LOG = logging.getLogger(__name__)

Sender = Callable[[str, bytes, dict[str, str]], None]
"""POST ``body`` to ``url`` with ``headers``; raises on failure (any non-2xx answer)."""


@dataclass(frozen=True)
class Subscription:
    id: str
    subscriber: str
    clearance: int
    target: str
    """``entry`` targets are ``Label:key``; ``department`` a 统一社会信用代码; ``element`` a code."""
    target_kind: str
    events: list[str]
    url: str
    secret: str
    created: str

    def caller(self) -> Caller:
        return Caller(identity=self.subscriber, role=Role.REVIEWER, clearance=Clearance(self.clearance))

    def public(self) -> dict[str, Any]:
        """What a listing shows: never the secret."""
        shown = asdict(self)
        shown.pop("secret")
        return shown


@dataclass
class Delivery:
    id: str
    subscription: str
    batch: str
    status: str
    attempts: int
    events: int
    at: str
    error: str | None = None


def subscriptions_path(store_location: str) -> Path:
    if "://" in store_location:
        return Path("registry.subscriptions.json")
    path = Path(store_location)
    return path.with_name(path.stem + ".subscriptions.json")


def _private(path: Path) -> None:
    """Created readable by the owner only: the file holds webhook secrets."""
    if not path.exists():
        path.touch(mode=0o600)
    os.chmod(path, 0o600)


class SubscriptionBook:
    """The subscriptions and the delivery log of one registry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log_path = path.with_name(path.name.replace(".subscriptions.json", ".deliveries.jsonl"))
        self._lock = threading.Lock()

    def _read(self) -> list[Subscription]:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return []
        return [Subscription(**item) for item in json.loads(self.path.read_text(encoding="utf-8"))]

    def _write(self, items: Sequence[Subscription]) -> None:
        _private(self.path)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps([asdict(s) for s in items], ensure_ascii=False, indent=1), "utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(self.path)

    def all(self) -> list[Subscription]:
        with self._lock:
            return self._read()

    def of(self, subscriber: str | None) -> list[Subscription]:
        return [s for s in self.all() if subscriber is None or s.subscriber == subscriber]

    def add(self, subscription: Subscription) -> None:
        with self._lock:
            self._write([*self._read(), subscription])

    def remove(self, subscription_id: str, subscriber: str | None) -> Subscription:
        with self._lock:
            items = self._read()
            found = next((s for s in items if s.id == subscription_id), None)
            if found is None or (subscriber is not None and found.subscriber != subscriber):
                raise NotFound(f"no subscription {subscription_id!r}")
            self._write([s for s in items if s.id != subscription_id])
            return found

    def log(self, delivery: Delivery) -> None:
        with self._lock:
            _private(self.log_path)
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(delivery), ensure_ascii=False) + "\n")

    def deliveries(self, subscription_ids: Iterable[str] | None = None) -> list[Delivery]:
        if not self.log_path.exists():
            return []
        wanted = None if subscription_ids is None else set(subscription_ids)
        with self._lock:
            lines = self.log_path.read_text(encoding="utf-8").splitlines()
        found = [Delivery(**json.loads(line)) for line in lines if line.strip()]
        return [d for d in found if wanted is None or d.subscription in wanted]


def subscribe(
    service: RegistryService,
    caller: Caller,
    book: SubscriptionBook,
    *,
    target_kind: str,
    target: str,
    url: str,
    events: Sequence[str] | None = None,
) -> tuple[Subscription, str]:
    """Register a subscription for the caller; the secret is returned once, to verify
    signatures with. A target the caller may not see answers like a missing one."""
    if target_kind not in TARGETS:
        raise InvalidInput(f"unknown target kind {target_kind!r}; expected one of {', '.join(TARGETS)}")
    chosen = list(events or EVENTS)
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise InvalidInput(f"unknown event {unknown[0]!r}; expected one of {', '.join(EVENTS)}")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"the webhook URL must be http(s), not {url!r}")
    ref = _target_ref(target_kind, target)
    service.get(caller, ref.label, ref.key)  # NotFound for missing and hidden alike
    secret = secrets.token_urlsafe(32)
    subscription = Subscription(
        id=f"sub-{secrets.token_hex(6)}",
        subscriber=caller.identity,
        clearance=int(caller.clearance),
        target=str(ref) if target_kind == "entry" else ref.key,
        target_kind=target_kind,
        events=chosen,
        url=url,
        secret=secret,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    book.add(subscription)
    return subscription, secret


def _target_ref(target_kind: str, target: str) -> NodeRef:
    if target_kind == "department":
        return NodeRef("Department", target)
    if target_kind == "element":
        return NodeRef("DataElement", target)
    label, sep, key = target.partition(":")
    if not sep or not key:
        raise InvalidInput(f"an entry target is Label:key (Dataset:101100000/001), not {target!r}")
    return NodeRef(label, key)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def events_for(
    service: RegistryService, subscription: Subscription, entries: Sequence[HistoryEntry]
) -> list[dict[str, Any]]:
    """The subscription's events among a batch's changes, as its subscriber may see them:
    read with the hidden set at one version of the registry (``read_hidden``), since an
    entry classified by a write in between must not be delivered."""
    caller = subscription.caller()
    return service.visibility.read_hidden(
        caller.clearance, lambda hidden: _events_seen(service, caller, hidden, subscription, entries)
    )


def _events_seen(
    service: RegistryService,
    caller: Caller,
    hidden: frozenset[NodeRef],
    subscription: Subscription,
    entries: Sequence[HistoryEntry],
) -> list[dict[str, Any]]:
    target = _target_ref(subscription.target_kind, subscription.target)
    if target in hidden:
        return []  # hidden from the subscriber: nothing is delivered
    retired_now = any(e.node == target and e.op == "retire" for e in entries)
    if not service.get_many(caller, target.label, [target.key]) and not (
        retired_now and target in visible_nodes(service, caller, [target])
    ):
        # gone: only its own retirement in this batch is news, to whom the change feed
        # shows it (``visible_nodes``: a caller cleared for everything, or anyone for a
        # department or data element, which are public by rule)
        return []
    watched = _watched(service, caller, subscription, target)
    upstream = _upstream(service, caller, subscription, target)
    found: list[dict[str, Any]] = []
    for entry in entries:
        if any(end in hidden for end in _ends(entry)):
            continue
        event = _event(entry, watched)
        if event is not None:
            found.append(event)
            continue
        event = _event(entry, upstream)
        if event is not None:
            found.append({**event, "event": "upstream_changed", "change": event["event"]})
    wanted = set(subscription.events)
    return [e for e in found if e["event"] in wanted]


def _ends(entry: HistoryEntry) -> tuple[NodeRef, ...]:
    if entry.node is not None:
        return (entry.node,)
    if entry.edge is not None:
        return (entry.edge.src, entry.edge.dst)
    return ()


def _watched(service: RegistryService, caller: Caller, subscription: Subscription, target: NodeRef) -> set[NodeRef]:
    """The entries whose own changes the subscription reports."""
    if subscription.target_kind == "entry":
        return {target}
    if subscription.target_kind == "element":
        return {target} | {e.src for e in service.edges(caller, [target], direction="in", types=["MEANS"])}
    owned = service.edges(caller, [target], direction="out", types=["PROVIDES", "OPERATES"])
    return {target} | {e.dst for e in owned}


def _upstream(service: RegistryService, caller: Caller, subscription: Subscription, target: NodeRef) -> set[NodeRef]:
    """Datasets the target depends on: shared with the department (or its systems), or
    the source of its fields' lineage."""
    if "upstream_changed" not in subscription.events:
        return set()
    graph = service.graph(caller, labels=["Department", "System", "Dataset", "Field"])
    if target not in graph:
        return set()
    found: set[NodeRef] = set()
    consumers = {target}
    if target.label == "Department":
        consumers |= {n for n in graph.successors(target) if n.label == "System"}
    for consumer in consumers:
        found |= {n for n in graph.predecessors(consumer) if n.label == "Dataset"}
    datasets = {target} if target.label == "Dataset" else {n for n in graph.successors(target) if n.label == "Dataset"}
    frontier = {f for d in datasets for f in graph.successors(d) if f.label == "Field"}
    for _ in range(LINEAGE_DEPTH):
        sources = {
            s for f in frontier for s, edges in graph[f].items() if s.label == "Field" and "DERIVED_FROM" in edges
        }
        found |= {NodeRef("Dataset", s.key.split("#", 1)[0]) for s in sources}
        frontier = sources
        if not frontier:
            break
    return found - datasets - {target}


def _event(entry: HistoryEntry, watched: set[NodeRef]) -> dict[str, Any] | None:
    base = {"at": entry.prov.at, "by": entry.prov.by, "batch": entry.prov.batch}
    if entry.node is not None:
        node = entry.node
        owner = node if node in watched else None
        if owner is None and node.label == "Field":
            dataset = NodeRef("Dataset", node.key.split("#", 1)[0])
            owner = dataset if dataset in watched else None
            if owner is not None and entry.op in ("update",):
                return {**base, "event": "changed", "entry": str(node), "changes": entry.changes}
            return None
        if owner is None:
            return None
        if entry.op == "retire":
            return {**base, "event": "retired", "entry": str(node)}
        return {**base, "event": "changed", "entry": str(node), "changes": entry.changes}
    if entry.edge is not None and entry.edge.type == "HAS_FIELD" and entry.edge.src in watched:
        field_name = entry.edge.dst.key.split("#", 1)[-1]
        if entry.op in ("create", "revive"):
            return {**base, "event": "field_added", "entry": str(entry.edge.src), "field": field_name}
        if entry.op == "retire":
            return {**base, "event": "field_removed", "entry": str(entry.edge.src), "field": field_name}
    return None


def http_sender(timeout: float = 10.0) -> Sender:
    def send(url: str, body: bytes, headers: dict[str, str]) -> None:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(url, response.status, "not delivered", response.headers, None)

    return send


@dataclass
class Notifier:
    """Delivers each committed batch's events to the subscriptions that want them."""

    service: RegistryService
    book: SubscriptionBook
    sender: Sender = field(default_factory=http_sender)
    attempts: int = 4
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each further one."""

    def deliver_batch(self, batch: str) -> list[Delivery]:
        subscriptions = self.book.all()
        if not subscriptions:
            return []
        entries = list(self.service.store.changes_in([batch]))
        delivered = []
        for subscription in subscriptions:
            events = events_for(self.service, subscription, entries)
            if events:
                delivered.append(self._send(subscription, batch, events))
        return delivered

    def _send(self, subscription: Subscription, batch: str, events: list[dict[str, Any]]) -> Delivery:
        delivery_id = f"dlv-{secrets.token_hex(6)}"
        body = json.dumps(
            {"delivery": delivery_id, "subscription": subscription.id, "batch": batch, "events": events},
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(subscription.secret, body),
            "X-Registry-Delivery": delivery_id,
        }
        error: str | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                self.sender(subscription.url, body, headers)
            except (OSError, urllib.error.URLError, ValueError) as exc:
                error = str(exc)
                if attempt < self.attempts:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            delivery = Delivery(delivery_id, subscription.id, batch, "delivered", attempt, len(events), _now())
            self.book.log(delivery)
            return delivery
        delivery = Delivery(delivery_id, subscription.id, batch, "failed", self.attempts, len(events), _now(), error)
        self.book.log(delivery)
        return delivery


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class BackgroundNotifier:
    """Delivers from a worker thread, so a write never waits for a slow receiver."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    def __call__(self, batch: str) -> None:
        self.queue.put(batch)

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            try:
                self.notifier.deliver_batch(batch)
            except Exception:  # the worker outlives any one batch; the failure is logged, not lost
                LOG.exception("webhook deliveries for batch %s failed", batch)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)


_BOOKS: "weakref.WeakKeyDictionary[RegistryService, SubscriptionBook]" = weakref.WeakKeyDictionary()


def enable(service: RegistryService, book: SubscriptionBook, *, background: bool, sender: Sender | None = None) -> None:
    """Deliver this registry's subscriptions after each committed write: from a worker
    thread in a server, inline (with its bounded retries) in a one-shot CLI command."""
    _BOOKS[service] = book
    notifier = Notifier(service, book, sender or http_sender())
    service.listeners.append(BackgroundNotifier(notifier) if background else notifier.deliver_batch)


def book_for(service: RegistryService) -> SubscriptionBook:
    book = _BOOKS.get(service)
    if book is None:
        raise InvalidInput("subscriptions are not enabled for this registry")
    return book
