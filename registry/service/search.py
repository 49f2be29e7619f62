"""Search across kinds: departments, systems, datasets, fields, data elements and projects,
by name, code, abstract, description, functions and synonyms, ranked, with facet counts
and autocomplete.

Chinese has no spaces to split words on, so the index is over character bigrams (and
single characters for one-character queries): a query matches an entry whose text
contains every query term as a substring, and the bigram postings only narrow the
candidates to verify. The index is built once per store version from the live entries and
answers every caller; what a caller may not see is removed from the hits before anything
is ranked, counted or faceted, so hidden entries are never counted or named.
"""

import bisect
import unicodedata
import weakref
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

import numpy as np

from registry.collector import gc_paused
from registry.schema.model import NAME_PROPERTY
from registry.schema.records import NodeRef
from registry.service.caller import Caller
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput

SEARCH_LABELS = ("Department", "System", "Dataset", "Field", "DataElement", "Project")
TEXT_PROPERTIES = ("abstract", "description", "functions", "synonyms", "purpose")
FACETS = ("kind", "department", "category", "share_type", "update_cycle", "network", "secrecy_level")
CLEARED_FACETS = frozenset({"secrecy_level"})
"""Facets shown only to a caller cleared above public: a public caller's secrecy facet
would be one bucket of 非涉密, and its absence says nothing."""
MAX_QUERY = 200
MAX_PAGE = 200
LABEL_WEIGHT = {"Department": 6, "System": 5, "Dataset": 5, "DataElement": 4, "Project": 3, "Field": 1}
OWNER_EDGES = {"Dataset": "PROVIDES", "System": "OPERATES"}


def normalise(text: str) -> str:
    """Full-width folded, case-folded, spaces dropped: what users type and what catalogues
    hold meet on this form."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def validate_query(query: str) -> list[str]:
    """The query's terms; control characters and over-long queries are refused with a
    clear error rather than matching everything or nothing."""
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"the search text is {len(query)} characters long; at most {MAX_QUERY} are accepted")
    if any(unicodedata.category(ch) == "Cc" for ch in query):
        raise InvalidInput("the search text contains control characters")
    terms = [normalise(term) for term in unicodedata.normalize("NFKC", query).split()]
    return [term for term in terms if term]


@dataclass(frozen=True)
class Hit:
    label: str
    key: str
    name: str
    score: float
    department: str | None
    department_name: str | None
    matched: str
    """Where the query matched: name, code, or the property it was found in."""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = None
    department_names: dict[str, str] = field(default_factory=dict)
    """Names of the departments in the department facet, by code."""


@dataclass
class _Doc:
    ref: NodeRef
    name: str
    name_norm: str
    code_norm: str
    text_norm: str
    department: str | None
    facets: dict[str, str] = field(default_factory=dict)


class SearchIndex:
    """The bigram index of one store version, as arrays: at national size a common
    two-character query matches hundreds of thousands of 信息项, so matching, visibility,
    filters, facets and ranking are array operations rather than a loop per entry."""

    def __init__(self, docs: list[_Doc], department_names: dict[str, str]) -> None:
        self.docs = docs
        self.department_names = department_names
        self.blobs = [f"{d.name_norm}\x00{d.code_norm}\x00{d.text_norm}" for d in docs]
        self.names = [d.name_norm for d in docs]
        self.postings = _postings(self.blobs)
        self.name_postings = _postings(self.names)
        self.exact: dict[str, list[int]] = {}
        self.codes: dict[str, list[int]] = {}
        for doc_id, doc in enumerate(docs):
            self.exact.setdefault(doc.name_norm, []).append(doc_id)
            self.codes.setdefault(doc.code_norm, []).append(doc_id)
        self.by_name = sorted((doc.name_norm, doc_id) for doc_id, doc in enumerate(docs) if doc.name_norm)
        self.sorted_names = [name for name, _ in self.by_name]
        self.name_order = np.array([doc_id for _, doc_id in self.by_name], dtype=np.uint32)
        # each entry's place in name order: the tie-break of equal scores, so pages agree
        self.name_rank = np.full(len(docs), len(docs), dtype=np.int64)
        self.name_rank[self.name_order] = np.arange(len(self.name_order))
        self.ids = {doc.ref: doc_id for doc_id, doc in enumerate(docs)}
        self.static = np.array(
            [LABEL_WEIGHT.get(d.ref.label, 1) + 1.0 / (1 + len(d.name_norm)) for d in docs], dtype=np.float64
        )
        self.facet_values: dict[str, list[str]] = {}
        self.facet_ids: dict[str, np.ndarray] = {}
        for name in FACETS:
            values: dict[str, int] = {}
            column = [_facet_values(d).get(name) for d in docs]
            ids = [values.setdefault(v, len(values)) if v is not None else -1 for v in column]
            self.facet_values[name] = list(values)
            self.facet_ids[name] = np.array(ids, dtype=np.int32)
        self._hidden: dict[frozenset[NodeRef], np.ndarray] = {}

    def candidates(self, term: str, *, names_only: bool = False) -> np.ndarray:
        """Entries whose text (or name) contains ``term``: the postings of its bigrams
        intersected, then verified, since bigrams can meet without being adjacent."""
        postings = self.name_postings if names_only else self.postings
        grams = sorted(set(_grams(term)) if len(term) > 1 else {term}, key=lambda g: len(postings.get(g, ())))
        found = postings.get(grams[0], EMPTY)
        for gram in grams[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, postings.get(gram, EMPTY), assume_unique=True)
        if len(term) > 2 and len(found):
            texts = self.names if names_only else self.blobs
            found = found[np.fromiter((term in texts[i] for i in found), dtype=bool, count=len(found))]
        return found

    def hidden_mask(self, hidden: frozenset[NodeRef]) -> np.ndarray:
        """True for the entries hidden from a caller; one array per hidden set."""
        mask = self._hidden.get(hidden)
        if mask is None:
            mask = np.zeros(len(self.docs), dtype=bool)
            ids = [self.ids[ref] for ref in hidden if ref in self.ids]
            mask[ids] = True
            if len(self._hidden) > 8:
                self._hidden.clear()
            self._hidden[hidden] = mask
        return mask

    def name_prefixed(self, prefix: str) -> np.ndarray:
        """Every entry whose name starts with ``prefix`` (a slice of the name order)."""
        start = bisect.bisect_left(self.sorted_names, prefix)
        end = bisect.bisect_left(self.sorted_names, prefix + "\U0010ffff")
        return self.name_order[start:end]

    def prefixed(self, prefix: str, limit: int) -> list[int]:
        start = bisect.bisect_left(self.by_name, (prefix, -1))
        out = []
        for name, doc_id in self.by_name[start:]:
            if not name.startswith(prefix):
                break
            out.append(doc_id)
            if len(out) >= limit:
                break
        return out


EMPTY = np.zeros(0, dtype=np.uint32)


def _postings(texts: list[str]) -> dict[str, np.ndarray]:
    grams: dict[str, list[int]] = {}
    for doc_id, text in enumerate(texts):
        for gram in set(_grams(text)):
            grams.setdefault(gram, []).append(doc_id)
    return {gram: np.array(ids, dtype=np.uint32) for gram, ids in grams.items()}


def _grams(text: str) -> Iterable[str]:
    """Character bigrams, and each character alone (for one-character queries)."""
    for i, ch in enumerate(text):
        if ch != "\x00":
            yield ch
        if i + 1 < len(text) and ch != "\x00" and text[i + 1] != "\x00":
            yield text[i : i + 2]


class _Indexes:
    """One index per service, rebuilt when the store version moves."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.by_service: weakref.WeakKeyDictionary[RegistryService, tuple[int, SearchIndex]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, service: RegistryService) -> SearchIndex:
        version = service.version()
        with self.lock:
            cached = self.by_service.get(service)
            if cached is not None and cached[0] == version:
                return cached[1]
            index = build_index(service)
            self.by_service[service] = (version, index)
            return index


_INDEXES = _Indexes()


def build_index(service: RegistryService) -> SearchIndex:
    """Read the searchable entries with their owning department, once per store version."""
    store = service.store
    with gc_paused():
        owner: dict[NodeRef, str] = {}
        for edge in store.iter_edges(OWNER_EDGES.values()):
            owner[edge.dst] = edge.src.key
        dataset_of_field: dict[str, str] = {}
        docs: list[_Doc] = []
        department_names: dict[str, str] = {}
        for record in store.iter_nodes(SEARCH_LABELS):
            props = record.props
            name = str(props.get(NAME_PROPERTY[record.label]) or "")
            if record.label == "Department":
                department_names[record.key] = name
            department = record.key if record.label == "Department" else owner.get(record.ref)
            if record.label == "Field":
                dataset_of_field[record.key] = str(props.get("dataset") or "")
                department = owner.get(NodeRef("Dataset", dataset_of_field[record.key]))
            texts: list[str] = []
            for prop in TEXT_PROPERTIES:
                value = props.get(prop)
                if isinstance(value, list):
                    texts.extend(str(v) for v in value)
                elif value:
                    texts.append(str(value))
            docs.append(
                _Doc(
                    ref=record.ref,
                    name=name,
                    name_norm=normalise(name),
                    code_norm=normalise(record.key),
                    text_norm=normalise(" ".join(texts)),
                    department=department,
                    facets={
                        "kind": record.label,
                        **{f: str(props[f]) for f in FACETS[2:] if props.get(f) not in (None, "")},
                    },
                )
            )
        return SearchIndex(docs, department_names)


def _scores(index: SearchIndex, found: np.ndarray, terms: list[str]) -> np.ndarray:
    """Exact name first, then a name that starts with the query, a code, a name that
    contains it, and last a match in the descriptive text; plus a weight by kind (a
    department outranks one of its thousands of fields of the same name) and shortness."""
    scores = index.static[found].copy()
    for term in terms:
        part = np.full(len(found), 10.0)
        part[np.isin(found, index.candidates(term, names_only=True))] = 30.0
        part[np.isin(found, index.name_prefixed(term))] = 60.0
        part[np.isin(found, np.array(index.codes.get(term, []), dtype=np.uint32))] = 50.0
        part[np.isin(found, np.array(index.exact.get(term, []), dtype=np.uint32))] = 100.0
        scores += part
    ranked: np.ndarray = scores
    return ranked


def search(
    service: RegistryService,
    caller: Caller,
    query: str,
    *,
    kinds: Collection[str] | None = None,
    filters: dict[str, str] | None = None,
    first: int = 20,
    after: str | None = None,
) -> SearchResult:
    """Ranked hits the caller may see, with facet counts over all of them (before paging,
    after the caller's filters)."""
    terms = validate_query(query)
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}")
    unknown = sorted(set(kinds or ()) - set(SEARCH_LABELS))
    if unknown:
        raise InvalidInput(f"unknown kind {unknown[0]!r}; expected one of {', '.join(SEARCH_LABELS)}")
    unknown_facets = sorted(set(filters or {}) - set(FACETS))
    if unknown_facets:
        raise InvalidInput(f"unknown filter {unknown_facets[0]!r}; expected one of {', '.join(FACETS)}")
    offset = _offset(after)
    if not terms:
        return SearchResult(0, [], {})
    index = _INDEXES.get(service)
    found: np.ndarray | None = None
    for term in sorted(terms, key=len, reverse=True):
        matched = index.candidates(term)
        found = matched if found is None else np.intersect1d(found, matched, assume_unique=True)
        if not len(found):
            break
    assert found is not None
    found = found[~index.hidden_mask(service.hidden(caller))[found]]
    narrowing = [("kind", list(kinds or ())), *((name, [value]) for name, value in (filters or {}).items())]
    for name, values in narrowing:
        if not values:
            continue
        codes = [index.facet_values[name].index(v) for v in values if v in index.facet_values[name]]
        found = found[np.isin(index.facet_ids[name][found], np.array(codes, dtype=np.int32))]
    shown = [name for name in FACETS if name not in CLEARED_FACETS or caller.clearance > 0]
    facets: dict[str, dict[str, int]] = {}
    for name in shown:
        ids = index.facet_ids[name][found]
        counts = np.bincount(ids[ids >= 0], minlength=len(index.facet_values[name]))
        nonzero = {index.facet_values[name][i]: int(n) for i, n in enumerate(counts) if n}
        if nonzero:
            facets[name] = dict(sorted(nonzero.items(), key=lambda item: (-item[1], item[0])))
    scores = _scores(index, found, terms)
    wanted_count = min(len(found), offset + first)
    pool = np.arange(len(found))
    if wanted_count < len(found):
        kth = np.partition(scores, len(found) - wanted_count)[len(found) - wanted_count]
        pool = np.nonzero(scores >= kth)[0]  # every tie of the last score shown, ordered below
    ranked = pool[np.lexsort((index.name_rank[found[pool]], -scores[pool]))][:wanted_count].tolist()
    hits = [_hit(index, int(found[i]), float(scores[i]), terms) for i in ranked[offset : offset + first]]
    names = {code: index.department_names.get(code, code) for code in facets.get("department", {})}
    more = offset + first < len(found)
    return SearchResult(len(found), hits, facets, str(offset + first) if more else None, names)


def _facet_values(doc: _Doc) -> dict[str, str]:
    values = dict(doc.facets)
    if doc.department:
        values["department"] = doc.department
    return values


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not after.isdigit():
        raise InvalidInput(f"invalid cursor {after!r}")
    return int(after)


def suggest(service: RegistryService, caller: Caller, prefix: str, *, limit: int = 10) -> list[Hit]:
    """Autocomplete: names that start with what was typed, then the best search hits;
    entries the caller may not see are never suggested."""
    terms = validate_query(prefix)
    if not terms:
        return []
    limit = max(1, min(limit, 50))
    index = _INDEXES.get(service)
    hidden = service.hidden(caller)
    starting = [i for i in index.prefixed("".join(terms), limit * 4) if index.docs[i].ref not in hidden]
    starting.sort(key=lambda i: (-LABEL_WEIGHT.get(index.docs[i].ref.label, 1), len(index.docs[i].name)))
    hits = [_hit(index, i) for i in starting[:limit]]
    if len(hits) < limit:
        seen = {(h.label, h.key) for h in hits}
        for hit in search(service, caller, prefix, first=min(MAX_PAGE, limit * 2)).hits:
            if (hit.label, hit.key) not in seen and len(hits) < limit:
                hits.append(hit)
                seen.add((hit.label, hit.key))
    return hits


def _hit(index: SearchIndex, doc_id: int, score: float = 0.0, terms: Sequence[str] = ()) -> Hit:
    doc = index.docs[doc_id]
    matched = (
        "name"
        if all(t in doc.name_norm for t in terms)
        else "code"
        if any(t in doc.code_norm for t in terms)
        else "text"
    )
    return Hit(
        label=doc.ref.label,
        key=doc.ref.key,
        name=doc.name,
        score=round(score, 2),
        department=doc.department,
        department_name=index.department_names.get(doc.department or ""),
        matched=matched,
    )


def as_dict(result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "hits": [hit.__dict__ for hit in result.hits],
        "facets": result.facets,
        "department_names": result.department_names,
        "next": result.next_cursor,
    }
