"""The search index: character-bigram postings over every searchable entry, as numpy
arrays, built once and then kept up to date from each committed write batch.

Chinese has no spaces to split words on, so entries are indexed by character bigrams (and
single characters, for one-character queries); ``registry.service.search`` verifies the
candidates and ranks them. A full build reads every searchable entry (minutes at 100k
datasets and two million 信息项); after that, each write batch is applied from the change
feed: the entries it created, updated, retired or revived are read again and their
postings replaced, and the owning departments are re-read so that a dataset moved to
another department (or a provider edge added without any other change) moves its 信息项
too. An update builds a new index beside the old one (sharing the untouched arrays), so
a search running meanwhile sees one consistent version.

The index answers exactly as a fresh build would: no answer depends on the order entries
were added in (equal names break ties by kind and key, not by position).
"""

import bisect
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from pypinyin import lazy_pinyin

from registry.collector import gc_paused
from registry.schema.model import NAME_PROPERTY
from registry.schema.records import NodeRecord, NodeRef, Provenance
from registry.service.core import RegistryService

SEARCH_LABELS = ("Department", "System", "Dataset", "Field", "DataElement", "Project")
TEXT_PROPERTIES = ("abstract", "description", "functions", "synonyms", "purpose")
FACETS = ("kind", "department", "category", "share_type", "update_cycle", "network", "secrecy_level")
LABEL_WEIGHT = {"Department": 6, "System": 5, "Dataset": 5, "DataElement": 4, "Project": 3, "Field": 1}
SPOKEN_LABELS = frozenset(SEARCH_LABELS) - {"Field"}
"""Kinds whose names are also indexed by pinyin (拼音首字母 and full pinyin). Not 信息项:
two million of them at 100k datasets (a quarter of a million distinct names) would add
about a minute to a build, and their short names' initials (xm: 姓名, 项目, 县名...) would
match nearly anything."""
OWNER_EDGES = {"Dataset": "PROVIDES", "System": "OPERATES"}
EMPTY = np.zeros(0, dtype=np.uint32)
COMPACT_SHARE = 4
"""Rebuild in full once a quarter of the entry slots belong to replaced entries."""
LOOKBACK_SECONDS = 86_400
"""How far before the newest known batch new batches are looked for: a batch's time is
taken when its write starts, so one can commit after a later-started one. A miss is
caught anyway (the count of new batches must equal the versions moved) and answered
by listing every batch."""


def normalise(text: str) -> str:
    """Full-width folded, case-folded, spaces dropped: what users type and what catalogues
    hold meet on this form."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass(frozen=True)
class Doc:
    ref: NodeRef
    name: str
    name_norm: str
    code_norm: str
    text_norm: str
    department: str | None
    dataset: str | None
    """A 信息项's dataset: its department is the dataset's provider."""
    facets: dict[str, str] = field(default_factory=dict)
    spoken: str = ""
    """The name's pinyin initials and full pinyin (``rkjcxx\x00renkoujichuxinxi``)."""

    @property
    def blob(self) -> str:
        return f"{self.name_norm}\x00{self.code_norm}\x00{self.text_norm}"

    @property
    def order(self) -> tuple[str, str, str]:
        """Name order, with kind and key breaking ties, so equal names rank the same
        however the index was built."""
        return (self.name_norm, self.ref.label, self.ref.key)

    def facet_values(self) -> dict[str, str]:
        values = dict(self.facets)
        if self.department:
            values["department"] = self.department
        return values


def grams(text: str) -> Iterable[str]:
    """Character bigrams, and each character alone (for one-character queries)."""
    for i, ch in enumerate(text):
        if ch != "\x00":
            yield ch
        if i + 1 < len(text) and ch != "\x00" and text[i + 1] != "\x00":
            yield text[i : i + 2]


@lru_cache(maxsize=1 << 17)
def pinyin_of(name: str) -> str:
    """Pinyin initials and full pinyin of a name, through pypinyin (its phrase dictionary
    reads 重庆 as chongqing); what is not Chinese is kept whole in both (API数据: apisj)."""
    initials, full = [], []
    for chunk in lazy_pinyin(name, errors=lambda text: "\x01" + text):
        if chunk.startswith("\x01"):
            text = normalise(chunk[1:])
            initials.append(text)
            full.append(text)
        else:
            initials.append(chunk[:1])
            full.append(chunk)
    return normalise("".join(initials)) + "\x00" + normalise("".join(full))


def make_doc(record: NodeRecord, owner: Mapping[NodeRef, str]) -> Doc:
    props = record.props
    name = str(props.get(NAME_PROPERTY[record.label]) or "")
    dataset = str(props.get("dataset") or "") if record.label == "Field" else None
    if record.label == "Department":
        department: str | None = record.key
    elif dataset is not None:
        department = owner.get(NodeRef("Dataset", dataset))
    else:
        department = owner.get(record.ref)
    texts: list[str] = []
    for prop in TEXT_PROPERTIES:
        value = props.get(prop)
        if isinstance(value, list):
            texts.extend(str(v) for v in value)
        elif value:
            texts.append(str(value))
    return Doc(
        ref=record.ref,
        name=name,
        name_norm=normalise(name),
        code_norm=normalise(record.key),
        text_norm=normalise(" ".join(texts)),
        department=department,
        dataset=dataset,
        facets={"kind": record.label, **{f: str(props[f]) for f in FACETS[2:] if props.get(f) not in (None, "")}},
        spoken=pinyin_of(name) if name and record.label in SPOKEN_LABELS else "",
    )


class SearchIndex:
    """The bigram index of one store version. At national size a common two-character
    query matches hundreds of thousands of 信息项, so matching, visibility, filters, facets
    and ranking are array operations rather than a loop per entry. Entry slots are never
    reused: a replaced entry's slot is dead (in no posting list) until the next full build."""

    version: int
    batches: frozenset[str]
    latest: str
    docs: list[Doc]
    alive: np.ndarray
    blobs: list[str]
    names: list[str]
    spoken: list[str]
    postings: dict[str, np.ndarray]
    name_postings: dict[str, np.ndarray]
    spoken_postings: dict[str, np.ndarray]
    exact: dict[str, list[int]]
    codes: dict[str, list[int]]
    sorted_keys: list[tuple[str, str, str]]
    name_order: np.ndarray
    name_rank: np.ndarray
    ids: dict[NodeRef, int]
    static: np.ndarray
    facet_codes: dict[str, dict[str, int]]
    facet_values: dict[str, list[str]]
    facet_ids: dict[str, np.ndarray]
    owner: dict[NodeRef, str]
    fields_of: dict[str, list[int]]
    department_names: dict[str, str]
    dead: int

    @classmethod
    def build(
        cls, docs: list[Doc], owner: dict[NodeRef, str], *, version: int = 0, batches: Iterable[Provenance] = ()
    ) -> "SearchIndex":
        index = cls()
        listed = list(batches)
        index.version = version
        index.batches = frozenset(b.batch for b in listed)
        index.latest = max((b.at for b in listed), default="")
        index.docs = docs
        index.alive = np.ones(len(docs), dtype=bool)
        index.blobs = [d.blob for d in docs]
        index.names = [d.name_norm for d in docs]
        index.spoken = [d.spoken for d in docs]
        index.postings = _postings(index.blobs)
        index.name_postings = _postings(index.names)
        index.spoken_postings = _postings(index.spoken)
        index.exact, index.codes, index.fields_of = {}, {}, {}
        for doc_id, doc in enumerate(docs):
            index.exact.setdefault(doc.name_norm, []).append(doc_id)
            index.codes.setdefault(doc.code_norm, []).append(doc_id)
            if doc.dataset is not None:
                index.fields_of.setdefault(doc.dataset, []).append(doc_id)
        ordered = sorted((doc.order, doc_id) for doc_id, doc in enumerate(docs) if doc.name_norm)
        index.sorted_keys = [key for key, _ in ordered]
        index.name_order = np.array([doc_id for _, doc_id in ordered], dtype=np.uint32)
        index.name_rank = _ranks(index.name_order, len(docs))
        index.ids = {doc.ref: doc_id for doc_id, doc in enumerate(docs)}
        index.static = np.array([_static(d) for d in docs], dtype=np.float64)
        index.facet_codes, index.facet_values, index.facet_ids = {}, {}, {}
        rows = [d.facet_values() for d in docs]
        for name in FACETS:
            codes: dict[str, int] = {}
            ids = [codes.setdefault(v, len(codes)) if v is not None else -1 for v in (r.get(name) for r in rows)]
            index.facet_codes[name] = codes
            index.facet_values[name] = list(codes)
            index.facet_ids[name] = np.array(ids, dtype=np.int32)
        index.owner = owner
        index.department_names = {d.ref.key: d.name for d in docs if d.ref.label == "Department"}
        index.dead = 0
        index._hidden = {}
        return index

    def __init__(self) -> None:
        self._hidden: dict[frozenset[NodeRef], np.ndarray] = {}

    # -- reads -----------------------------------------------------------------------

    def hidden_mask(self, hidden: frozenset[NodeRef]) -> np.ndarray:
        """True for the slots a caller may not see (and dead slots); one array per
        clearance's hidden set, computed on its first search."""
        mask = self._hidden.get(hidden)
        if mask is None:
            mask = ~self.alive
            ids = [self.ids[ref] for ref in hidden if ref in self.ids]
            mask[ids] = True
            if len(self._hidden) > 8:
                self._hidden.clear()
            self._hidden[hidden] = mask
        return mask

    def name_prefixed(self, prefix: str) -> np.ndarray:
        """Every entry whose name starts with ``prefix`` (a slice of the name order)."""
        start = bisect.bisect_left(self.sorted_keys, (prefix,))
        end = bisect.bisect_left(self.sorted_keys, (prefix + "\U0010ffff",))
        return self.name_order[start:end]

    def prefixed(self, prefix: str, limit: int) -> list[int]:
        return [int(i) for i in self.name_prefixed(prefix)[:limit]]

    # -- updates ---------------------------------------------------------------------

    def updated(
        self,
        replaced: Mapping[NodeRef, Doc | None],
        owner: dict[NodeRef, str],
        *,
        version: int,
        batches: Iterable[Provenance],
    ) -> "SearchIndex":
        """A new index with ``replaced`` entries read again (None: no longer live) and the
        departments of entries whose owner changed moved; this one is left untouched."""
        new = SearchIndex()
        listed = list(batches)
        new.version = version
        new.batches = self.batches | {b.batch for b in listed}
        new.latest = max([self.latest, *(b.at for b in listed)])
        removed = sorted(self.ids[ref] for ref in replaced if ref in self.ids)
        added = [doc for doc in replaced.values() if doc is not None]
        start = len(self.docs)
        added_ids = list(range(start, start + len(added)))
        docs = self.docs + added
        moves = self._moves(owner, replaced)
        for doc_id, department in moves.items():
            docs[doc_id] = replace(docs[doc_id], department=department)
        new.docs = docs
        new.alive = np.concatenate([self.alive, np.ones(len(added), dtype=bool)])
        new.alive[removed] = False
        new.dead = self.dead + len(removed)
        new.blobs = self.blobs + [d.blob for d in added]
        new.names = self.names + [d.name_norm for d in added]
        new.spoken = self.spoken + [d.spoken for d in added]
        new.postings = _patched(self.postings, self.blobs, new.blobs, removed, added_ids, new.alive)
        new.name_postings = _patched(self.name_postings, self.names, new.names, removed, added_ids, new.alive)
        new.spoken_postings = _patched(self.spoken_postings, self.spoken, new.spoken, removed, added_ids, new.alive)
        new.exact = _regrouped(
            self.exact,
            [(docs[i].name_norm, i) for i in removed],
            [(d.name_norm, i) for i, d in zip(added_ids, added, strict=True)],
        )
        new.codes = _regrouped(
            self.codes,
            [(docs[i].code_norm, i) for i in removed],
            [(d.code_norm, i) for i, d in zip(added_ids, added, strict=True)],
        )
        new.fields_of = _regrouped(
            self.fields_of,
            [(str(docs[i].dataset), i) for i in removed if docs[i].dataset is not None],
            [(d.dataset, i) for i, d in zip(added_ids, added, strict=True) if d.dataset is not None],
        )
        new.sorted_keys, new.name_order = self._reordered(removed, added, added_ids)
        new.name_rank = _ranks(new.name_order, len(docs))
        new.ids = dict(self.ids)
        for ref in replaced:
            new.ids.pop(ref, None)
        new.ids.update((d.ref, i) for i, d in zip(added_ids, added, strict=True))
        new.static = np.concatenate([self.static, np.array([_static(d) for d in added], dtype=np.float64)])
        new.facet_codes, new.facet_values, new.facet_ids = {}, {}, {}
        rows = {doc_id: docs[doc_id].facet_values() for doc_id in [*moves, *added_ids]}
        for name in FACETS:
            codes = dict(self.facet_codes[name])
            column = np.concatenate([self.facet_ids[name], np.full(len(added), -1, dtype=np.int32)])
            for doc_id, row in rows.items():
                value = row.get(name)
                column[doc_id] = -1 if value is None else codes.setdefault(value, len(codes))
            new.facet_codes[name] = codes
            new.facet_values[name] = list(codes)
            new.facet_ids[name] = column
        new.owner = owner
        new.department_names = dict(self.department_names)
        for ref, doc in replaced.items():
            if ref.label == "Department":
                if doc is None:
                    new.department_names.pop(ref.key, None)
                else:
                    new.department_names[ref.key] = doc.name
        return new

    def _moves(self, owner: Mapping[NodeRef, str], replaced: Mapping[NodeRef, Doc | None]) -> dict[int, str | None]:
        """Live entries not read again whose department changed with their owner's edges:
        the dataset or system itself and, for a dataset, its 信息项."""
        moves: dict[int, str | None] = {}
        for ref in set(owner) | set(self.owner):
            department = owner.get(ref)
            if department == self.owner.get(ref):
                continue
            targets = [self.ids[ref]] if ref in self.ids and ref not in replaced else []
            if ref.label == "Dataset":
                targets += [i for i in self.fields_of.get(ref.key, ()) if self.alive[i]]
            for doc_id in targets:
                if self.docs[doc_id].ref not in replaced and self.docs[doc_id].department != department:
                    moves[doc_id] = department
        return moves

    def _reordered(
        self, removed: list[int], added: list[Doc], added_ids: list[int]
    ) -> tuple[list[tuple[str, str, str]], np.ndarray]:
        """The name order without the removed entries and with the added ones in place:
        positions found by bisection, the arrays cut and joined (no full sort)."""
        drop = sorted(
            bisect.bisect_left(self.sorted_keys, self.docs[i].order) for i in removed if self.docs[i].name_norm
        )
        keep = np.ones(len(self.sorted_keys), dtype=bool)
        keep[drop] = False
        keys = _cut(self.sorted_keys, drop)
        order = self.name_order[keep]
        incoming = sorted((d.order, i) for d, i in zip(added, added_ids, strict=True) if d.name_norm)
        if not incoming:
            return keys, order
        places = [bisect.bisect_left(keys, key) for key, _ in incoming]
        merged_keys: list[tuple[str, str, str]] = []
        last = 0
        for place, (key, _) in zip(places, incoming, strict=True):
            merged_keys.extend(keys[last:place])
            merged_keys.append(key)
            last = place
        merged_keys.extend(keys[last:])
        merged_order = np.insert(order, places, np.array([i for _, i in incoming], dtype=np.uint32))
        return merged_keys, merged_order


def _static(doc: Doc) -> float:
    return LABEL_WEIGHT.get(doc.ref.label, 1) + 1.0 / (1 + len(doc.name_norm))


def _ranks(order: np.ndarray, size: int) -> np.ndarray:
    """Each slot's place in name order (slots without a name, and dead ones, last)."""
    rank = np.full(size, size, dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _cut(items: list[Any], positions: list[int]) -> list[Any]:
    out: list[Any] = []
    last = 0
    for position in positions:
        out.extend(items[last:position])
        last = position + 1
    out.extend(items[last:])
    return out


def _postings(texts: list[str]) -> dict[str, np.ndarray]:
    found: dict[str, list[int]] = {}
    for doc_id, text in enumerate(texts):
        for gram in set(grams(text)):
            found.setdefault(gram, []).append(doc_id)
    return {gram: np.array(ids, dtype=np.uint32) for gram, ids in found.items()}


def _patched(
    postings: dict[str, np.ndarray],
    old_texts: list[str],
    new_texts: list[str],
    removed: list[int],
    added: list[int],
    alive: np.ndarray,
) -> dict[str, np.ndarray]:
    """Posting lists without the removed slots and with the added ones appended (added
    slots are the highest, so every list stays sorted)."""
    touched = {gram for i in removed for gram in grams(old_texts[i])}
    appended: dict[str, list[int]] = {}
    for i in added:
        for gram in set(grams(new_texts[i])):
            appended.setdefault(gram, []).append(i)
    out = dict(postings)
    for gram in touched | set(appended):
        ids = postings.get(gram, EMPTY)
        if gram in touched:
            ids = ids[alive[ids]]
        if gram in appended:
            ids = np.concatenate([ids, np.array(appended[gram], dtype=np.uint32)])
        if len(ids):
            out[gram] = ids
        else:
            out.pop(gram, None)
    return out


def _regrouped(
    groups: dict[str, list[int]], removed: list[tuple[str, int]], added: list[tuple[str, int]]
) -> dict[str, list[int]]:
    out = dict(groups)
    for key, doc_id in removed:
        kept = [i for i in out.get(key, ()) if i != doc_id]
        if kept:
            out[key] = kept
        else:
            out.pop(key, None)
    for key, doc_id in added:
        out[key] = [*out.get(key, ()), doc_id]
    return out


# -- reading the store ---------------------------------------------------------------


def read_owners(service: RegistryService) -> dict[NodeRef, str]:
    """Each dataset's provider and each system's operator (the last edge read, when an
    entry has more than one). Reads edge ends only where the store offers it."""
    store = service.store
    owner: dict[NodeRef, str] = {}
    ends = getattr(store, "iter_edge_ends", None)
    if ends is not None:
        for _type, _src_label, src_key, dst_label, dst_key in ends(OWNER_EDGES.values()):
            owner[NodeRef(dst_label, dst_key)] = src_key
        return owner
    for edge in store.iter_edges(OWNER_EDGES.values()):
        owner[edge.dst] = edge.src.key
    return owner


def build(service: RegistryService) -> SearchIndex:
    """A full build: every searchable entry with its owning department."""
    version, batches = _settled(service, None)
    with gc_paused():
        owner = read_owners(service)
        docs = [make_doc(record, owner) for record in service.store.iter_nodes(SEARCH_LABELS)]
        return SearchIndex.build(docs, owner, version=version, batches=batches)


def refreshed(service: RegistryService, index: SearchIndex | None) -> SearchIndex:
    """The index at the store's current version: ``index`` with the batches committed
    since applied, or a full build when there is none, when the batches committed since
    cannot be told apart (the count of new batches differs from the versions moved, as
    after a restore), or when a quarter of the slots are dead."""
    if index is None:
        return build(service)
    version, listed = _settled(service, _before(index.latest))
    new = [b for b in listed if b.batch not in index.batches]
    if len(new) != version - index.version:
        version, listed = _settled(service, None)
        new = [b for b in listed if b.batch not in index.batches]
    if len(new) != version - index.version or version < index.version:
        return build(service)
    if not new:
        return index
    with gc_paused():
        updated = apply_batches(service, index, new, version)
    if updated.dead * COMPACT_SHARE > len(updated.docs):
        return build(service)
    return updated


def apply_batches(service: RegistryService, index: SearchIndex, batches: list[Provenance], version: int) -> SearchIndex:
    """Read again what the batches created, updated, retired or revived, and every
    owner edge (a provider edge can be added without any entry changing)."""
    store = service.store
    dirty: dict[str, set[str]] = {}
    for entry in store.changes_in([b.batch for b in batches]):
        if entry.node is not None and entry.node.label in SEARCH_LABELS:
            dirty.setdefault(entry.node.label, set()).add(entry.node.key)
    owner = read_owners(service)
    replaced: dict[NodeRef, Doc | None] = {}
    for label, keys in dirty.items():
        live = store.get_nodes(label, sorted(keys))
        for key in sorted(keys):
            record = live.get(key)
            replaced[NodeRef(label, key)] = None if record is None else make_doc(record, owner)
    return index.updated(replaced, owner, version=version, batches=batches)


def _settled(service: RegistryService, since: str | None) -> tuple[int, list[Provenance]]:
    """The store version and the batches listed at that version (listed again if a
    write committed in between)."""
    for _ in range(5):
        version = service.version()
        listed = service.store.batches_between(since, None)
        if service.version() == version:
            return version, listed
    return version, listed


def _before(moment: str) -> str | None:
    if not moment:
        return None
    try:
        return (datetime.fromisoformat(moment) - timedelta(seconds=LOOKBACK_SECONDS)).isoformat(timespec="seconds")
    except ValueError:
        return None
