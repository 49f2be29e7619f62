"""The registry service: the one path for reads and writes.

Everything that enters (files, mutations) is validated, stamped with provenance and
written here; everything that leaves is filtered here by the caller's clearance and
role. Resolvers, CLI commands and analyses never decide visibility themselves: they ask
the service, which hides what a caller may not see by handing the store an ``exclude``
set, so counts, pages and searches agree with lists.
"""

import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
from pydantic import ValidationError

from registry.collector import gc_paused
from registry.schema.enums import SecrecyLevel
from registry.schema.model import EDGE_SPECS, NAME_PROPERTY, NODE_MODELS, ImportBatch, NodeModel, Review
from registry.schema.records import (
    ApplyResult,
    ChangeSet,
    Direction,
    EdgeRecord,
    EdgeWrite,
    HistoryEntry,
    Key,
    NodeRecord,
    NodeRef,
    NodeWrite,
    Provenance,
)
from registry.schema.rows import GraphRows
from registry.service import answers
from registry.service.caller import Caller, Role
from registry.service.checking import Checked, check, checked_changes
from registry.service.counts import Counts
from registry.service.declaration import Declaration, DeclarationStream, EdgeDecl
from registry.service.errors import (
    Busy,
    ImportRejected,
    InvalidInput,
    Issue,
    NotFound,
    PermissionDenied,
    RetireLimitExceeded,
)
from registry.service.forked_check import ForkedCheck, can_fork
from registry.service.levels import seeding
from registry.service.neighbours import Links, Neighbours
from registry.service.ownership import owners
from registry.service.rows import CallerRows
from registry.service.shared import SUFFIX, SharedResults, State
from registry.service.visibility import HIGHEST_LEVEL, sees_retired
from registry.service.visibility_cache import ATTEMPTS, BUSY_MESSAGE, CARRY_LIMIT, VisibilityCache
from registry.store.base import DanglingEdges, Store, StoreBusy, StoreMoved

MAX_SEARCH_CHARS = 100
"""Longest search term: longer than any registry name, and short enough that the store's
LIKE pattern stays cheap (50,000 characters once ended in INTERNAL)."""

DEFAULT_RETIRE_LIMIT = 0.25
"""Share of a department's live entries one load may retire without ``force``."""


@dataclass
class LoadReport:
    batch: str
    result: ApplyResult
    retired: list[NodeRef] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rejected_rows: int = 0
    limit_hit: list[str] = field(default_factory=list)
    """In a dry run, each retire limit the real load would hit (it would then refuse)."""
    left_out: int = 0
    """Entries the importer left out for their errors (``Declaration.left_out``)."""

    @property
    def totals(self) -> dict[str, int]:
        return {**self.result.totals(), "rejected": self.rejected_rows}


T = TypeVar("T")


_NODE_KEY = attrgetter("label", "key")
_SOURCE_KEY = attrgetter("src.label", "src.key")
_TARGET_KEY = attrgetter("dst.label", "dst.key")
_ROW_KEY = itemgetter(0, 1)
_ROW_SOURCE = itemgetter(1, 2)
_ROW_TARGET = itemgetter(3, 4)
"""A written node's or edge end's (label, key), made in C: ``load_stream`` takes one per
node and two per edge of a file, millions at a province's size."""
_SCOPE_LINK = {"Dataset": "PROVIDES", "System": "OPERATES"}
"""The relation from a department to the entries a retirement scope of each label covers."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RegistryService:
    def __init__(self, store: Store, *, share_results: bool = False) -> None:
        """``share_results``: keep clearance levels and analyses in a folder beside the
        registry file, for the other processes serving it (``registry.service.shared``);
        a store without a local file shares nothing."""
        self.store = store
        path = getattr(store, "path", None)
        folder = Path(f"{path}{SUFFIX}") if share_results and path is not None else None
        self.results = SharedResults(folder, self._state)
        self.analyses = SharedResults(folder, self._analysis_state)
        """Analyses' results, keyed on the state they read (``_analysis_state``)."""
        self._carried: tuple[int, State] | None = None
        """After review decisions made here: the store version they reached, and the state
        of the store before them, which is what the analyses still read."""
        self.visibility = VisibilityCache(store, self.results)
        self.counts = Counts(store.version)
        """Counts of filtered lists per clearance, for the store's version (``count``)."""
        self.links = Neighbours(store.version)
        """Each node's visible neighbours per clearance, for the store's version (``neighbours``)."""
        self.listeners: list[Callable[[str], object]] = []
        """Called with the batch id after each committed write that changed something
        (subscriptions deliver their events from there)."""

    # -- the store as callers may know it: where, which version, reachable --------------

    @property
    def location(self) -> str:
        """The store's URL or file, to show (never credentials: stores keep those apart)."""
        return self.store.url

    def open_loads(self) -> list[Provenance]:
        """Loads killed midway on a store that commits chunk by chunk (Neo4j), to tell the
        operator which file to import again; always empty on the embedded store."""
        return self.store.open_loads()

    def version(self) -> int:
        """Increases with every committed write, here or in another process."""
        return self.store.version()

    def _state(self) -> State:
        """The version and, where the store tells it, its newest write batch."""
        stamp = getattr(self.store, "stamp", None)
        return stamp() if stamp is not None else (self.store.version(), "")

    def _analysis_state(self) -> State:
        """The store's state as the analyses read it: review decisions written by this
        process since the last other write do not move it (``review``), so deciding on a
        finding in the work queue leaves every analysis as computed."""
        state = self._state()
        carried = self._carried
        return carried[1] if carried is not None and carried[0] == state[0] else state

    def ping(self) -> None:
        """Raise ``StoreError`` if the store cannot be reached."""
        self.store.ping()

    def close(self) -> None:
        self.store.close()

    def is_empty(self) -> bool:
        """Whether the store holds nothing at all, retired entries and history included."""
        return (
            next(iter(self.store.iter_nodes(include_retired=True)), None) is None
            and next(iter(self.store.iter_history()), None) is None
        )

    # -- the whole registry, row by row (exports, the compact projection) --------------

    def rows(self, caller: Caller) -> CallerRows:
        """The registry as ``caller`` may read it, row by row (see ``registry.service.rows``):
        an export or a national analysis run on these cannot include what the caller may
        not see, whoever runs it."""
        if caller.clearance >= HIGHEST_LEVEL:
            return CallerRows(self.store, None)
        return CallerRows(self.store, *self.visibility.row_filter(caller.clearance))

    def restore(
        self, caller: Caller, nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord], history: Sequence[HistoryEntry]
    ) -> None:
        """Write an export's records verbatim (provenance and history kept) into an empty
        store: merging two histories cannot be exact, so any other store is refused."""
        if caller.role is not Role.ADMIN or caller.clearance < HIGHEST_LEVEL:
            raise PermissionDenied("only an administrator cleared for everything may restore a registry")
        if not self.is_empty():
            raise InvalidInput(
                f"the target store {self.location} is not empty; a registry can only be restored into an empty store"
            )
        self.store.restore(nodes, edges, history)

    # -- visibility (the rule: ``visibility``; its per-clearance views: ``visibility_cache``) --

    def hidden(self, caller: Caller) -> frozenset[NodeRef]:
        return self.visibility.hidden(caller.clearance)

    def required_clearance(self, ref: NodeRef) -> int:
        return self.visibility.required_clearance(ref)

    def _hidden_by_label(self, caller: Caller) -> dict[str, frozenset[str]]:
        return self.visibility.hidden_by_label(caller.clearance)

    def visible(self, caller: Caller, ref: NodeRef) -> bool:
        return ref not in self.hidden(caller)

    def consistent(self, caller: Caller, read: Callable[[], T]) -> T:
        """``read``, a read made of several service reads (each cut by what the caller may
        not see), answered only if no write, here or by another process, came during it
        (``VisibilityCache.read_split``): its parts then agree on one version, and none
        names an entry the others would have cut."""
        return self.visibility.read_split(caller.clearance, lambda _split: read())

    def graph(
        self,
        caller: Caller,
        labels: Collection[str] | None = None,
        edge_types: Collection[str] | None = None,
    ) -> nx.MultiDiGraph:
        """The projection an analysis may run on for this caller: what it may not see is
        not in the graph at all, so no finding or evidence can mention it."""
        return self.visibility.graph(caller.clearance, labels, edge_types)

    def analysed(self, caller: Caller, name: str, analysis: Callable[[nx.MultiDiGraph], T]) -> T:
        """``analysis`` of what ``caller`` may see (``graph``), computed once per state of
        the store and clearance and shared by every process serving the store: ``name``
        names the analysis and its arguments."""
        return self.analyses.get(f"{name}@{int(caller.clearance)}", lambda: analysis(self.graph(caller)))

    def analysed_rows(self, caller: Caller, name: str, analysis: Callable[[GraphRows], T]) -> T:
        """``analysis`` of the rows ``caller`` may read (``rows``), kept and shared as
        ``analysed`` keeps its results: for analyses that read the registry row by row
        (duplicate detection) instead of from a projection."""
        return self.analyses.get(f"{name}@{int(caller.clearance)}", lambda: analysis(self.rows(caller)))

    # -- reads ----------------------------------------------------------------------

    @staticmethod
    def _label(label: str) -> str:
        if label not in NODE_MODELS:
            raise InvalidInput(f"unknown kind {label!r}; expected one of {', '.join(NODE_MODELS)}")
        return label

    @staticmethod
    def _check_where(label: str, where: Mapping[str, Any] | None) -> dict[str, Any]:
        fields = NODE_MODELS[label].model_fields
        clean: dict[str, Any] = {}
        for name, value in (where or {}).items():
            if name not in fields:
                raise InvalidInput(f"{label} has no property {name!r} to filter on")
            if value is not None:
                clean[name] = value.value if hasattr(value, "value") else value
        return clean

    @staticmethod
    def _check_text(text: str | None) -> str | None:
        """A search term as the store may take it: control characters (``\\x00`` matched
        everything) and over-long terms are refused with a sentence, not an INTERNAL."""
        if text is None:
            return None
        if len(text) > MAX_SEARCH_CHARS:
            raise InvalidInput(f"a search term has at most {MAX_SEARCH_CHARS} characters; this one has {len(text):,}")
        bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")), None)
        if bad is not None:
            raise InvalidInput(f"a search term may not contain control characters (found U+{ord(bad):04X})")
        return text

    def get(self, caller: Caller, label: str, key: str) -> NodeRecord:
        record = self.get_many(caller, label, [key]).get(key)
        if record is None:
            raise NotFound(f"no {label} with key {key!r}")
        return record

    def get_many(self, caller: Caller, label: str, keys: Collection[str]) -> dict[str, NodeRecord]:
        label = self._label(label)

        def read(split: Mapping[str, frozenset[str]]) -> dict[str, NodeRecord]:
            hidden = split.get(label)
            found = self.store.get_nodes(label, keys)
            return {k: r for k, r in found.items() if k not in hidden} if hidden else found

        return self.visibility.read_split(caller.clearance, read)

    def lookup(self, caller: Caller, key: str) -> list[NodeRecord]:
        """Every visible node with this key, whatever its label (keys are unique per label)."""
        hits: list[NodeRecord] = []
        for label in NODE_MODELS:
            hits.extend(self.get_many(caller, label, [key]).values())
        return hits

    def find(
        self,
        caller: Caller,
        label: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[NodeRecord]:
        label = self._label(label)
        clean, text = self._check_where(label, where), self._check_text(text)
        return self.visibility.read_split(
            caller.clearance,
            lambda split: self.store.find_nodes(
                label, where=clean, text=text, exclude=split.get(label, frozenset()), after=after, limit=limit
            ),
        )

    def count(
        self, caller: Caller, label: str, *, where: Mapping[str, Any] | None = None, text: str | None = None
    ) -> int:
        label = self._label(label)
        clean, text = self._check_where(label, where), self._check_text(text)
        key = ("count", int(caller.clearance), label, tuple(sorted(clean.items())), text)

        def read(split: Mapping[str, frozenset[str]]) -> int:
            return self.store.count_nodes(label, where=clean, text=text, exclude=split.get(label, frozenset()))

        return self.counts.get(key, lambda: self.visibility.read_split(caller.clearance, read))

    def _linked(
        self,
        caller: Caller,
        label: str,
        anchor: NodeRef,
        edge_type: str,
        where: Mapping[str, Any] | None,
        text: str | None,
    ) -> tuple[tuple[Any, ...], Callable[[], list[NodeRecord]]]:
        """The key under which the count of a linked list is kept, and how to read the list:
        the visible ``label`` nodes joined to ``anchor`` by ``edge_type`` (either way round),
        filtered as ``find`` filters, ordered by key. A department's entries are a few hundred
        at most, so filtering them here keeps the Store protocol unchanged."""
        label = self._label(label)
        clean = self._check_where(label, where)
        text = self._check_text(text)
        key = ("linked", int(caller.clearance), label, anchor, edge_type, tuple(sorted(clean.items())), text)
        read = partial(self._read_linked, caller, label, anchor, edge_type, clean, text)
        return key, partial(self.consistent, caller, read)

    def _read_linked(
        self, caller: Caller, label: str, anchor: NodeRef, edge_type: str, clean: Mapping[str, Any], text: str | None
    ) -> list[NodeRecord]:
        spec = EDGE_SPECS.get(edge_type)
        if spec is None:
            raise InvalidInput(f"unknown relation {edge_type!r}")
        if not (anchor.label in spec.sources and label in spec.targets) and not (
            anchor.label in spec.targets and label in spec.sources
        ):
            raise InvalidInput(f"{edge_type} does not link a {anchor.label} to a {label}")
        if not self.visible(caller, anchor):
            return []
        keys = {
            other.key
            for e in self.edges(caller, [anchor], direction="both", types=[edge_type])
            for other in (e.src, e.dst)
            if other != anchor and other.label == label
        }
        name = NAME_PROPERTY[label]
        needle = text.casefold() if text else None
        found = self.get_many(caller, label, keys)
        return [
            record
            for key, record in sorted(found.items())
            if all(record.props.get(prop) == value for prop, value in clean.items())
            and (needle is None or needle in str(record.props.get(name, "")).casefold())
        ]

    def find_linked(
        self,
        caller: Caller,
        label: str,
        anchor: NodeRef,
        edge_type: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[NodeRecord]:
        """``find`` restricted to the nodes linked to ``anchor``, e.g. the systems a department
        OPERATES: the department filter of dashboard lists. The whole list is read, so its
        count is kept for ``count_linked``, which a page's ``totalCount`` asks next."""
        version = self.counts.version()
        key, read = self._linked(caller, label, anchor, edge_type, where, text)
        records = read()
        self.counts.keep(key, len(records), version)
        if after is not None:
            records = [r for r in records if r.key > after]
        return records if limit is None else records[:limit]

    def count_linked(
        self,
        caller: Caller,
        label: str,
        anchor: NodeRef,
        edge_type: str,
        *,
        where: Mapping[str, Any] | None = None,
        text: str | None = None,
    ) -> int:
        key, read = self._linked(caller, label, anchor, edge_type, where, text)
        return self.counts.get(key, lambda: len(read()))

    def edges(
        self,
        caller: Caller,
        refs: Sequence[NodeRef],
        *,
        direction: Direction = "out",
        types: Collection[str] | None = None,
    ) -> list[EdgeRecord]:

        def read(hidden: Mapping[str, frozenset[str]]) -> list[EdgeRecord]:
            if not hidden:
                return self.store.edges(refs, direction=direction, types=types) if refs else []
            none: frozenset[str] = frozenset()
            asked = [r for r in refs if r.key not in hidden.get(r.label, none)]
            if not asked:
                return []
            return [
                e
                for e in self.store.edges(asked, direction=direction, types=types)
                if e.src.key not in hidden.get(e.src.label, none) and e.dst.key not in hidden.get(e.dst.label, none)
            ]

        return self.visibility.read_split(caller.clearance, read)

    def neighbours(
        self, caller: Caller, refs: Sequence[NodeRef], *, direction: Direction, edge_type: str
    ) -> list[Links]:
        """For each of ``refs``, its visible ``edge_type`` edges leaving it (``out``), entering
        it (``in``) or either, each with the visible record at the other end, ordered by that
        end's label and key: what the API's edge fields show. Kept per clearance for the
        store's version (``registry.service.neighbours``), and read at one version
        (``consistent``): edges and far ends cut by the same hidden set."""

        def read(missing: list[NodeRef]) -> dict[tuple[str, str], Links]:
            return self.consistent(caller, partial(self._read_neighbours, caller, missing, direction, edge_type))

        return self.links.get(int(caller.clearance), refs, direction, edge_type, read)

    def _read_neighbours(
        self, caller: Caller, refs: Sequence[NodeRef], direction: Direction, edge_type: str
    ) -> dict[tuple[str, str], Links]:
        asked = {(ref.label, ref.key) for ref in refs}
        ends: dict[tuple[str, str], list[tuple[EdgeRecord, NodeRef]]] = defaultdict(list)
        far_keys: dict[str, set[str]] = defaultdict(set)
        for edge in self.edges(caller, refs, direction=direction, types=[edge_type]):
            ends_of = [(edge.src, edge.dst), (edge.dst, edge.src)]
            if direction != "both" or edge.src == edge.dst:
                ends_of = ends_of[1:] if direction == "in" else ends_of[:1]
            for anchor, far in ends_of:
                if (anchor.label, anchor.key) in asked:
                    ends[(anchor.label, anchor.key)].append((edge, far))
                    far_keys[far.label].add(far.key)
        records = {label: self.get_many(caller, label, keys) for label, keys in far_keys.items()}
        found: dict[tuple[str, str], Links] = {}
        for place, pairs in ends.items():
            links = [(edge, record) for edge, far in pairs if (record := records[far.label].get(far.key)) is not None]
            links.sort(key=lambda link: (link[1].label, link[1].key))
            found[place] = tuple(links)
        return found

    def history(self, caller: Caller, ref: NodeRef) -> list[HistoryEntry]:
        """``ref``'s changes and those of its edges, without what the caller may not see:
        a hidden entry, and for a caller not cleared for everything a retired one
        (``_unjudged``), which would otherwise show a classified system's properties and
        links once it is retired."""

        def read(hidden: frozenset[NodeRef]) -> list[HistoryEntry]:
            if ref in hidden:
                raise NotFound(f"no {ref.label} with key {ref.key!r}")
            entries = self.store.history(ref)
            ends = {end for h in entries if h.edge is not None for end in (h.edge.src, h.edge.dst)}
            # the hidden set is not copied into this one: a public caller's is 2M entries at 1M
            unjudged = self._unjudged(caller, {ref} | ends)
            if ref in unjudged:
                raise NotFound(f"no {ref.label} with key {ref.key!r}")
            unseen = {end for end in ends if end in hidden or end in unjudged}
            return [h for h in entries if h.edge is None or (h.edge.src not in unseen and h.edge.dst not in unseen)]

        return self.visibility.read_hidden(caller.clearance, read)

    def _unjudged(self, caller: Caller, refs: Collection[NodeRef]) -> set[NodeRef]:
        """Those of ``refs`` the caller may not see for want of a level: retired (or never
        stored) entries it may not see retired (``sees_retired``)."""
        by_label: dict[str, list[str]] = {}
        for ref in refs:
            if not sees_retired(caller.clearance, ref.label):
                by_label.setdefault(ref.label, []).append(ref.key)
        unseen: set[NodeRef] = set()
        for label, keys in by_label.items():
            live = self.store.get_nodes(label, keys) if label in NODE_MODELS else {}
            unseen.update(NodeRef(label, key) for key in keys if key not in live)
        return unseen

    def stats(self, caller: Caller) -> dict[str, dict[str, int]]:
        """Counts per label and edge type of what the caller may see."""
        return self.visibility.stats(caller.clearance)

    # -- writes ---------------------------------------------------------------------

    def load(
        self,
        declaration: Declaration,
        caller: Caller,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        force: bool = False,
        retire_limit: float = DEFAULT_RETIRE_LIMIT,
    ) -> LoadReport:
        """Write a declaration as one atomic batch: ``load_stream`` with one part."""
        return self.load_stream(
            declaration.stream(),
            caller,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            force=force,
            retire_limit=retire_limit,
        )

    def load_stream(
        self,
        stream: DeclarationStream,
        caller: Caller,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        force: bool = False,
        retire_limit: float = DEFAULT_RETIRE_LIMIT,
        checked: Checked | None = None,
    ) -> LoadReport:
        """Write a file as one batch in two passes over its parts. The first
        (``registry.service.checking``; ``checked`` when the caller already made it) reads
        every part for its issues, checks what the caller may write and what the file
        would retire, and writes nothing: a file with errors (unless ``skip_invalid``), a
        refused permission or a retire limit refuses the load before the store is touched,
        on every store. The second hands the parts to ``Store.apply_chunks``, so memory is
        bounded by a part, and retirement of what the file no longer lists comes last. The
        cyclic collector is paused while records are built: at a province's millions of
        fields its collections rescan everything allocated so far, again and again."""
        if not caller.can_write:
            raise PermissionDenied("this caller may read but not write")
        if checked is not None and not self._unrestricted(caller):
            checked.close()  # made without this caller's rights, which are checked part by part
            checked = None
        # ``checked`` is kept only for a caller that writes in one try (``_at_one_version``)
        return self._at_one_version(
            caller,
            lambda seen: self._load_once(stream, caller, seen, checked, dry_run, skip_invalid, force, retire_limit),
        )

    def _load_once(
        self,
        stream: DeclarationStream,
        caller: Caller,
        seen: int | None,
        checked: Checked | None,
        dry_run: bool,
        skip_invalid: bool,
        force: bool,
        retire_limit: float,
    ) -> LoadReport:
        """``load_stream``'s two passes, the caller's rights checked at store version
        ``seen`` (None: not checked against a version, see ``_at_one_version``)."""
        # what the caller may not see, settled before the store's write begins: reads during
        # the load see its uncommitted parts, which must not be taken for the registry
        self._hidden_by_label(caller)
        batch = f"batch-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        prov = Provenance(source=stream.source, batch=batch, by=caller.identity, at=_now())
        if checked is None and self.forks_check(stream, caller):
            with ForkedCheck(stream, skip_invalid=skip_invalid) as forked:
                return self._write_checked(stream, caller, forked, batch, prov, dry_run, force, retire_limit, seen)
        with gc_paused():
            checked = checked or check(stream, skip_invalid=skip_invalid, on_part=self._permission_check(caller))
        try:
            return self._write_checked(stream, caller, checked, batch, prov, dry_run, force, retire_limit, seen)
        finally:
            checked.close()

    def forks_check(self, stream: DeclarationStream, caller: Caller) -> bool:
        """Whether a file's check may run in a child beside its write
        (``registry.service.forked_check``): only where the whole load is one transaction,
        so that a file found bad at its end leaves nothing committed, and only for a caller
        whose rights need no check part by part."""
        return self.store.loads_atomically and self._unrestricted(caller) and can_fork(stream)

    def _at_one_version(self, caller: Caller, write: Callable[[int | None], T]) -> T:
        """``write`` given the store version read before any of its checks of what the
        caller may see and write, and tried again when another program wrote before one of
        its transactions (the store's ``at_version`` check raises ``StoreMoved``): a check
        made over an older hidden set must not let an uncleared caller touch an entry that
        has since become hidden from it. After ``ATTEMPTS`` tries, ``Busy``. A caller
        cleared for everything and not bound to a department (the CLI's operator) has
        nothing to recheck and writes at once.

        On Neo4j, which commits a load chunk by chunk, a try stopped midway keeps the
        chunks it committed (each was checked at the version it was written at) and leaves
        its batch open, as a killed load does; the next try writes the rest."""
        if self._unrestricted(caller):
            return write(None)
        for _ in range(ATTEMPTS):
            try:
                return write(self.store.version())
            except StoreMoved:
                continue
        raise Busy(BUSY_MESSAGE)

    def _write_checked(
        self,
        stream: DeclarationStream,
        caller: Caller,
        source: Checked | ForkedCheck,
        batch: str,
        prov: Provenance,
        dry_run: bool,
        force: bool,
        retire_limit: float,
        seen: int | None,
    ) -> LoadReport:
        """``load_stream``'s second pass, over what its first found, written only if the
        store is still at version ``seen`` (``Store.apply_chunks``'s ``at_version``). With a
        ``ForkedCheck`` the first pass is still running: its parts are written as they come,
        and what it found is judged at the end, before the commit (``finish``)."""
        retired: list[NodeRef] = []
        limit_hit: list[str] = []
        before: dict[tuple[str, str], list[NodeRef]] = {}

        def judge(checked: Checked) -> None:
            """Refuse the file or find what it retires; then its keys are read no more (a
            province's 2M field keys, freed before the write, or before its commit)."""
            nonlocal retired, limit_hit
            with gc_paused():
                if checked.rejected:
                    raise ImportRejected(checked.issues)
                retired, limit_hit = self._retirements(
                    checked, caller, force=force, limit=retire_limit, dry_run=dry_run, before=before
                )
            checked.declared.clear()

        if isinstance(source, Checked):
            judge(source)
        # nothing is hidden from a caller whose check is forked (``forks_check``): its
        # retirements, found at the end, have no hidden edges to leave out of the counts
        unseen = self._hidden_edges_of(caller, retired)
        tracking = self.visibility.tracking()
        # every node the write touches (written, or an end of an edge it writes), as (label,
        # key) pairs: made and hashed in C. Levels kept in memory are updated from all of
        # them; levels kept in the store need them only to carry the counts across the
        # write (``VisibilityCache._carried``), and past ``CARRY_LIMIT`` they are dropped and
        # the next reader recounts: a province's 2M keys held half a GB to the end of its load
        touched: set[Key] | None = set() if tracking is not None else None
        limited = self.visibility.stored
        # where the update of stored levels starts (``levels.update_stored``): the written
        # nodes that may need a level by themselves here, and after the write every node it
        # reached that the store held before it (``ApplyResult.existed`` and ``linked``)
        seeds: set[Key] = set()

        def chunks() -> Iterator[ChangeSet]:
            nonlocal touched
            written = checked_changes(stream, source) if isinstance(source, Checked) else source.changes()
            for changes in written:
                if not isinstance(source, Checked):
                    self._keep_linked(caller, changes, before)
                if tracking is not None:
                    seeds.update((w.label, w.key) for w in changes.nodes if seeding(w.label, w.props))
                    seeds.update((row[0], row[1]) for row in changes.node_rows if seeding(row[0], row[2]))
                if touched is not None:
                    touched.update(map(_NODE_KEY, changes.nodes))
                    touched.update(map(_ROW_KEY, changes.node_rows))
                    touched.update(map(_SOURCE_KEY, changes.edges))
                    touched.update(map(_TARGET_KEY, changes.edges))
                    touched.update(map(_ROW_SOURCE, changes.edge_rows))
                    touched.update(map(_ROW_TARGET, changes.edge_rows))
                    if limited and len(touched) > CARRY_LIMIT:
                        touched = None
                yield changes

        def finish(_result: ApplyResult) -> ChangeSet:
            if isinstance(source, ForkedCheck):
                judge(source.outcome())
            record = ImportBatch(
                id=batch,
                source=stream.source,
                sha256=stream.sha256,
                format=stream.format,
                by=caller.identity,
                at=prov.at,
            )
            if tracking is not None:
                around = self._neighbourhood(retired)
                around.add((record.LABEL, record.key()))
                seeds.update(around)
                if touched is not None:
                    touched.update(around)
            return ChangeSet(retire_nodes=retired, record=NodeWrite(record.LABEL, record.key(), record.props()))

        with gc_paused():
            try:
                result = self.store.apply_chunks(chunks(), prov, finish, dry_run=dry_run, at_version=seen)
            except DanglingEdges as exc:
                if isinstance(source, ForkedCheck):
                    judge(source.outcome())  # a file refused at its end is refused as such
                raise InvalidInput(str(exc)) from None
            except StoreBusy as exc:
                raise Busy(str(exc)) from None
        for edge_type, n in unseen.items():
            result.add(edge_type, "retired", -n)
        if not dry_run:
            seeds.update(result.existed)
            seeds.update(result.linked)
            self.visibility.after_write(tracking, result, touched, batch, seeds)
            self._committed(batch, result)
        summary = (source if isinstance(source, Checked) else source.outcome()).summary
        return LoadReport(batch, result, retired, summary.issues, summary.rejected, limit_hit, summary.left_out)

    def upsert(
        self,
        caller: Caller,
        nodes: Sequence[NodeModel],
        edges: Sequence[EdgeDecl] = (),
        *,
        source: str = "api",
    ) -> LoadReport:
        """A registration from the API: the same checks and provenance as an import."""
        declaration = Declaration(source=source, format="api", nodes=list(nodes), edges=list(edges))
        return self.load(declaration, caller)

    def _unrestricted(self, caller: Caller) -> bool:
        """An administrator cleared for everything, who sees every entry: the permission
        checks pass by definition, so a first pass made without the store is enough."""
        return caller.role is Role.ADMIN and caller.clearance >= HIGHEST_LEVEL and not self.hidden(caller)

    def _permission_check(self, caller: Caller) -> Callable[[Declaration], None]:
        """``_check_permissions`` for each part of a file in turn, remembering what the
        earlier parts declared (as hashes of their keys: a province's fields as ints), since
        in the first pass nothing of them is in the store yet."""
        earlier: set[int] = set()

        def check_part(part: Declaration) -> None:
            self._check_permissions(part, caller, earlier)
            if self.hidden(caller):
                earlier.update(hash((n.LABEL, n.key())) for n in part.nodes)

        return check_part

    def _check_permissions(self, declaration: Declaration, caller: Caller, earlier: Collection[int] = ()) -> None:
        """One refusal for every entry a caller may not write, whatever the reason: an
        entry declared above its clearance, one it cannot see, or (for an editor) one
        another department owns. A hidden key therefore answers exactly like another
        department's key (the rule in docs/permissions.md): its existence shows, as any
        taken key's does, but not its owner, level, name or anything about it. ``earlier``:
        hashes of the (label, key) an earlier part of the same file declares."""
        if caller.role is not Role.ADMIN and (
            any(node.LABEL == Review.LABEL for node in declaration.nodes)
            or any(edge.type == "REVIEWS" for edge in declaration.edges)
        ):
            # a file or a registration must not record a finding's decision past the
            # reviewer-role check that ``review`` makes
            raise PermissionDenied("decisions on findings are recorded by a reviewer or an administrator (review)")
        hidden = self.hidden(caller)
        refused: set[NodeRef] = set()
        # a caller cleared for everything passes this per-node check by definition (it was
        # a sixth of a 2M-field import: most models have no secrecy_level to look up)
        for node in declaration.nodes if caller.clearance < HIGHEST_LEVEL or hidden else ():
            level = SecrecyLevel(getattr(node, "secrecy_level", None) or "none").rank
            ref = NodeRef(node.LABEL, node.key())
            if level > caller.clearance or ref in hidden:
                refused.add(ref)
        if hidden:
            # An edge to something hidden must fail exactly as an edge to nothing does.
            declared = {NodeRef(n.LABEL, n.key()) for n in declaration.nodes}
            ends: dict[str, set[str]] = {}
            for edge in declaration.edges:
                for end in (edge.src, edge.dst):
                    if end not in declared and hash((end.label, end.key)) not in earlier:
                        ends.setdefault(end.label, set()).add(end.key)
            for label, keys in sorted(ends.items()):
                found = self.get_many(caller, label, keys)
                missing = sorted(keys - found.keys())
                if missing:
                    raise NotFound(f"no {label} with key {missing[0]!r}")
        if caller.role is not Role.ADMIN:
            owned = owners(self.store, declaration)
            answering, answered = answers.judge(self.store, declaration, caller.department, owned)
            if answered and not refused:
                requests = ", ".join(sorted(ref.key for ref in answered))
                raise PermissionDenied(
                    f"the reply and delivery of sharing request {requests} are recorded by the department "
                    "it is addressed to (or an administrator), not by the requester"
                )
            refused.update(answered)
            refused.update(ref for ref, dept in owned.items() if dept != caller.department and ref not in answering)
        if refused:
            names = sorted(str(ref) for ref in refused)
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            raise PermissionDenied(
                f"this caller may not write {shown}: an entry is writable only by its own department's "
                "editors (or an administrator) with clearance for it"
            )

    def _retirements(
        self,
        checked: Checked,
        caller: Caller,
        *,
        force: bool,
        limit: float,
        dry_run: bool,
        before: Mapping[tuple[str, str], list[NodeRef]],
    ) -> tuple[list[NodeRef], list[str]]:
        """Entries the file no longer lists, found before anything of it is written (or,
        with its check forked, before its write commits), so that a load beyond ``limit`` is
        refused with nothing written. A dry run instead notes each limit it would hit (the
        second list) and goes on to show all that the load would retire. ``before``: what a
        department was linked to before the load began, kept when the load has since written
        links of its own (``_keep_linked``)."""
        retire: list[NodeRef] = []
        limit_hit: list[str] = []
        for scope in checked.scopes:
            department = NodeRef("Department", scope.department)
            declared = checked.declared.get(scope.label, set())
            # judged over what the caller can see: an entry hidden from it is untouched by its
            # absence from the file, and the limit counts only visible entries
            link = _SCOPE_LINK[scope.label]
            existing = before.get((scope.department, link))
            if existing is None:
                existing = [e.dst for e in self.edges(caller, [department], direction="out", types=[link])]
            gone = [ref for ref in existing if ref.key not in declared]
            if gone and not force and len(gone) > limit * len(existing):
                message = (
                    f"this load would retire {len(gone)} of the {len(existing)} {scope.label} entries of "
                    f"department {scope.department} (limit {limit:.0%})"
                )
                if not dry_run:
                    raise RetireLimitExceeded(message)
                limit_hit.append(message)
            retire.extend(gone)
            if scope.label == "Dataset":
                fields = checked.declared.get("Field", set())
                retire.extend(
                    e.dst
                    for e in self.edges(caller, existing, direction="out", types=["HAS_FIELD"])
                    if e.dst.key not in fields
                )
        return retire, limit_hit

    def _keep_linked(self, caller: Caller, changes: ChangeSet, before: dict[tuple[str, str], list[NodeRef]]) -> None:
        """What each department that ``changes`` first links datasets or systems to was
        linked to before the load, read before those links are written: a load whose write
        begins before its check ends judges the retire limit at the end, over the entries a
        department held, not over those the load has added since."""
        links = _SCOPE_LINK.values()
        fresh = sorted(
            {
                row[2]
                for row in changes.edge_rows
                if row[0] in links and row[1] == "Department" and (row[2], row[0]) not in before
            }
        )
        if not fresh:
            return
        for key in fresh:
            for link in links:
                before[(key, link)] = []
        departments = [NodeRef("Department", key) for key in fresh]
        for edge in self.edges(caller, departments, direction="out", types=list(links)):
            before[(edge.src.key, edge.type)].append(edge.dst)

    def _hidden_edges_of(self, caller: Caller, refs: Sequence[NodeRef]) -> Counter[str]:
        """Live edges between ``refs`` and entries hidden from the caller, by type: retiring
        a visible entry retires them too, but a count that included them would reveal them."""
        hidden = self.hidden(caller)
        if not hidden or not refs:
            return Counter()
        return Counter(e.type for e in self.store.edges(refs, direction="both") if e.src in hidden or e.dst in hidden)

    def review(
        self,
        caller: Caller,
        *,
        finding: str,
        rule: str,
        subjects: Sequence[NodeRef],
        fingerprint: str,
        decision: str,
        reason: str,
        message: str | None = None,
        source: str = "api",
    ) -> NodeRecord:
        """Record a decision on a finding: a ``Review`` keyed by the finding's identity,
        linked to the entries it names (REVIEWS), written with the caller as author like any
        other write, so the finding's review history is the node's history. Only reviewers
        and administrators decide. Every entry named must be visible to the caller: a hidden
        one fails exactly as a missing one, and the review is then as hidden as what it names."""
        if caller.role not in (Role.ADMIN, Role.REVIEWER):
            raise PermissionDenied("only a reviewer or an administrator may decide on findings")
        try:
            review = Review(
                finding=finding,
                rule=rule,
                decision=decision,
                reason=reason,
                fingerprint=fingerprint,
                message=message,
                subjects=[str(ref) for ref in subjects],
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidInput(f"review {'.'.join(str(p) for p in error['loc'])}: {error['msg']}") from None
        return self._at_one_version(caller, lambda seen: self._review_once(caller, review, subjects, source, seen))

    def _review_once(
        self, caller: Caller, review: Review, subjects: Sequence[NodeRef], source: str, seen: int | None
    ) -> NodeRecord:
        by_label: dict[str, set[str]] = {}
        for ref in subjects:
            by_label.setdefault(ref.label, set()).add(ref.key)
        for label, keys in sorted(by_label.items()):
            missing = sorted(keys - self.get_many(caller, label, keys).keys())
            if missing:
                raise NotFound(f"no {label} with key {missing[0]!r}")
        ref = NodeRef(Review.LABEL, review.key())
        batch = f"batch-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        prov = Provenance(source=source, batch=batch, by=caller.identity, at=_now())
        changes = ChangeSet(
            nodes=[NodeWrite(Review.LABEL, review.key(), review.props())],
            edges=[EdgeWrite("REVIEWS", ref, subject, {}) for subject in subjects],
        )
        before, analysed = self.store.version(), self._analysis_state()
        result = self.store.apply(changes, prov, at_version=seen)
        # a decision changes nothing an analysis reads: the analyses' state and projections stay
        if self.visibility.after_review(before, result, ref, batch):
            self._carried = (result.version, analysed)
        # visible to this caller by construction: it is as visible as the entries it names
        return self.store.get_nodes(Review.LABEL, [review.key()])[review.key()]

    def retire(self, caller: Caller, refs: Sequence[NodeRef], *, source: str = "api") -> ApplyResult:
        """An administrator retires only what it can see: a hidden entry is left alone and
        answers as a missing one does (nothing retired)."""
        if caller.role is not Role.ADMIN:
            raise PermissionDenied("only an administrator may retire entries directly")
        return self._at_one_version(caller, lambda seen: self._retire_once(caller, refs, source, seen))

    def _retire_once(self, caller: Caller, refs: Sequence[NodeRef], source: str, seen: int | None) -> ApplyResult:
        hidden = self.hidden(caller)
        refs = [ref for ref in refs if ref not in hidden]
        unseen = self._hidden_edges_of(caller, refs)
        batch = f"batch-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        prov = Provenance(source=source, batch=batch, by=caller.identity, at=_now())
        tracking = self.visibility.tracking()
        touched = self._neighbourhood(refs) if tracking is not None else set()
        result = self.store.apply(ChangeSet(retire_nodes=list(refs)), prov, at_version=seen)
        for edge_type, n in unseen.items():
            result.add(edge_type, "retired", -n)
        self.visibility.after_write(tracking, result, touched, batch)
        self._committed(batch, result)
        return result

    def _committed(self, batch: str, result: ApplyResult) -> None:
        """Tell the listeners (subscriptions) of a batch that changed something, whichever
        write made it: a load, or an administrator's direct retirement."""
        if result.changed:
            for listener in self.listeners:
                listener(batch)

    def _neighbourhood(self, refs: Sequence[NodeRef]) -> set[Key]:
        """``refs`` and the other ends of their live edges: what retiring them touches."""
        touched = {(ref.label, ref.key) for ref in refs}
        if refs:
            for edge in self.store.edges(list(refs), direction="both"):
                touched.update(((edge.src.label, edge.src.key), (edge.dst.label, edge.dst.key)))
        return touched
