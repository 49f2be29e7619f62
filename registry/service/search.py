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
from array import array
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

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
    """The bigram index of one store version."""

    def __init__(self, docs: list[_Doc], department_names: dict[str, str]) -> None:
        self.docs = docs
        self.department_names = department_names
        grams: dict[str, list[int]] = {}
        for doc_id, doc in enumerate(docs):
            blob = f"{doc.name_norm}\x00{doc.code_norm}\x00{doc.text_norm}"
            for gram in set(_grams(blob)):
                grams.setdefault(gram, []).append(doc_id)
        self.postings: dict[str, array[int]] = {gram: array("I", ids) for gram, ids in grams.items()}
        self.by_name = sorted((doc.name_norm, doc_id) for doc_id, doc in enumerate(docs) if doc.name_norm)

    def candidates(self, term: str) -> Iterable[int]:
        """Entries whose text may contain ``term``; every one is verified afterwards."""
        grams = list(_grams(term)) if len(term) > 1 else [term]
        lists = sorted((self.postings.get(g, array("I")) for g in grams), key=len)
        if not lists or not lists[0]:
            return ()
        found = set(lists[0])
        for other in lists[1:]:
            found.intersection_update(other)
            if not found:
                break
        return found

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
        version = service.version
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
            texts = []
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


def _score(doc: _Doc, terms: list[str]) -> tuple[float, str] | None:
    """Exact name first, then a name that starts with the query, a code, a name that
    contains it, and last a match in the descriptive text; weighted by kind so that a
    department outranks one of its thousands of fields of the same name."""
    total = 0.0
    where = "name"
    for term in terms:
        if doc.name_norm == term:
            best, place = 100.0, "name"
        elif doc.name_norm.startswith(term):
            best, place = 60.0, "name"
        elif term in doc.code_norm:
            best, place = 50.0 if doc.code_norm == term else 40.0, "code"
        elif term in doc.name_norm:
            best, place = 30.0, "name"
        elif term in doc.text_norm:
            best, place = 10.0, "text"
        else:
            return None
        total += best
        if place != "name":
            where = place
    shortness = 1.0 / (1 + len(doc.name_norm))
    return total + LABEL_WEIGHT.get(doc.ref.label, 1) + shortness, where


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
    hidden = service.hidden(caller)
    ids: set[int] | None = None
    for term in sorted(terms, key=len, reverse=True):
        found = set(index.candidates(term))
        ids = found if ids is None else ids & found
        if not ids:
            break
    scored: list[tuple[float, int, str]] = []
    facet_counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    wanted_kinds = set(kinds) if kinds else None
    for doc_id in ids or ():
        doc = index.docs[doc_id]
        if doc.ref in hidden or (doc.department and NodeRef("Department", doc.department) in hidden):
            continue
        result = _score(doc, terms)
        if result is None:
            continue
        values = _facet_values(doc)
        if not _matches(values, filters, wanted_kinds):
            continue
        for name, value in values.items():
            facet_counts[name][value] += 1
        scored.append((result[0], doc_id, result[1]))
    scored.sort(key=lambda item: (-item[0], index.docs[item[1]].name_norm, item[1]))
    page = scored[offset : offset + first]
    hits = [
        Hit(
            label=index.docs[doc_id].ref.label,
            key=index.docs[doc_id].ref.key,
            name=index.docs[doc_id].name,
            score=round(score, 2),
            department=index.docs[doc_id].department,
            department_name=index.department_names.get(index.docs[doc_id].department or ""),
            matched=where,
        )
        for score, doc_id, where in page
    ]
    shown = {name for name in FACETS if name not in CLEARED_FACETS or caller.clearance > 0}
    facets = {name: dict(counts.most_common()) for name, counts in facet_counts.items() if name in shown and counts}
    more = offset + first < len(scored)
    names = {code: index.department_names.get(code, code) for code in facets.get("department", {})}
    return SearchResult(len(scored), hits, facets, str(offset + first) if more else None, names)


def _facet_values(doc: _Doc) -> dict[str, str]:
    values = dict(doc.facets)
    if doc.department:
        values["department"] = doc.department
    return values


def _matches(values: dict[str, str], filters: dict[str, str] | None, kinds: set[str] | None) -> bool:
    if kinds is not None and values["kind"] not in kinds:
        return False
    return all(values.get(name) == wanted for name, wanted in (filters or {}).items())


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


def _hit(index: SearchIndex, doc_id: int) -> Hit:
    doc = index.docs[doc_id]
    return Hit(
        label=doc.ref.label,
        key=doc.ref.key,
        name=doc.name,
        score=0.0,
        department=doc.department,
        department_name=index.department_names.get(doc.department or ""),
        matched="name",
    )


def as_dict(result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "hits": [hit.__dict__ for hit in result.hits],
        "facets": result.facets,
        "department_names": result.department_names,
        "next": result.next_cursor,
    }
