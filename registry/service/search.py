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

import operator
import unicodedata
import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from threading import Lock
from typing import Any

import numpy as np

from registry.schema.records import NodeRef
from registry.service.caller import Caller
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput
from registry.service.search_index import (
    EMPTY,
    FACETS,
    LABEL_WEIGHT,
    SEARCH_LABELS,
    SearchIndex,
    grams,
    normalise,
    refreshed,
)

__all__ = ["FACETS", "SEARCH_LABELS", "Hit", "SearchResult", "as_dict", "normalise", "search", "suggest"]

CLEARED_FACETS = frozenset({"secrecy_level"})
"""Facets shown only to a caller cleared above public: a public caller's secrecy facet
would be one bucket of 非涉密, and its absence says nothing."""
MAX_QUERY = 200
MAX_PAGE = 200


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
    """Where the query matched: name, code, text (the descriptive properties) or pinyin
    (the name's initials or full pinyin only)."""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = None
    department_names: dict[str, str] = field(default_factory=dict)
    """Names of the departments in the department facet, by code."""


class _Indexes:
    """One index per service, brought up to the store's version before each search:
    built in full the first time, then updated from the batches committed since."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.by_service: weakref.WeakKeyDictionary[RegistryService, SearchIndex] = weakref.WeakKeyDictionary()

    def get(self, service: RegistryService) -> SearchIndex:
        version = service.version()
        with self.lock:
            cached = self.by_service.get(service)
            if cached is not None and cached.version == version:
                return cached
            index = refreshed(service, cached)
            self.by_service[service] = index
            return index


_INDEXES = _Indexes()


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two sorted id arrays intersected by binary search of the shorter in the longer:
    O(short log long) where ``np.intersect1d`` sorts both (the tail of common queries)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    places = np.searchsorted(b, a)
    places[places == len(b)] = 0
    kept: np.ndarray = a[b[places] == a]
    return kept


def candidates(index: SearchIndex, term: str, *, names_only: bool = False) -> np.ndarray:
    """Entries whose text (or name) contains ``term``."""
    if names_only:
        return _containing(index.name_postings, index.names, term)
    return _containing(index.postings, index.blobs, term)


def spoken_candidates(index: SearchIndex, term: str) -> np.ndarray:
    """Entries whose name's pinyin initials or full pinyin contain ``term`` (letters and
    digits only: 拼音首字母 such as rkjc, or renkou)."""
    if not (term.isascii() and term.isalnum()):
        return EMPTY
    return _containing(index.spoken_postings, index.spoken, term)


def _containing(postings: dict[str, np.ndarray], texts: list[str], term: str) -> np.ndarray:
    """The postings of the term's bigrams intersected, rarest first, then verified, since
    bigrams can meet without being adjacent."""
    wanted = sorted(set(grams(term)) if len(term) > 1 else {term}, key=lambda g: len(postings.get(g, ())))
    wanted = [g for g in wanted if len(g) == 2] or wanted
    found = postings.get(wanted[0], EMPTY)
    for gram in wanted[1:]:
        if not len(found):
            break
        found = _intersect(found, postings.get(gram, EMPTY))
    if len(term) > 2 and len(found):
        texts_of = map(texts.__getitem__, found.tolist())
        found = found[np.fromiter(map(operator.contains, texts_of, repeat(term)), dtype=bool, count=len(found))]
    return found


def _member(found: np.ndarray, ids: np.ndarray, size: int) -> np.ndarray:
    """Which of ``found`` are in ``ids``, through a mask over every slot (no sorting)."""
    mask = np.zeros(size, dtype=bool)
    mask[ids] = True
    member: np.ndarray = mask[found]
    return member


def _scores(index: SearchIndex, found: np.ndarray, terms: dict[str, np.ndarray]) -> np.ndarray:
    """Exact name first, then a name that starts with the query, a code, a name that
    contains it, a match in the descriptive text, and last a match by pinyin only (below
    every Chinese match: its part is 0, a text match's 10, and kind and shortness add at
    most 7); plus a weight by kind (a department outranks one of its thousands of fields
    of the same name) and shortness. ``terms`` holds each term's text matches.
    Membership is read from masks over every slot, not ``np.isin`` (which sorts)."""
    size = len(index.docs)
    scores: np.ndarray = index.static[found].copy()
    for term, texts in terms.items():
        part = np.zeros(len(found))
        part[_member(found, texts, size)] = 10.0
        part[_member(found, candidates(index, term, names_only=True), size)] = 30.0
        part[_member(found, index.name_prefixed(term), size)] = 60.0
        part[_member(found, np.array(index.codes.get(term, []), dtype=np.uint32), size)] = 50.0
        part[_member(found, np.array(index.exact.get(term, []), dtype=np.uint32), size)] = 100.0
        scores += part
    return scores


def _top(index: SearchIndex, found: np.ndarray, scores: np.ndarray, wanted: int) -> list[int]:
    """Positions in ``found`` of the ``wanted`` best, by score then name order: a partition
    first, so only the page's worth (and no crowd of equal scores) is sorted."""
    pool = np.arange(len(found))
    if wanted < len(found):
        kth = np.partition(scores, len(found) - wanted)[len(found) - wanted]
        above = np.nonzero(scores > kth)[0]
        ties = np.nonzero(scores == kth)[0]
        need = wanted - len(above)
        if len(ties) > need:
            ties = ties[np.argpartition(index.name_rank[found[ties]], need - 1)[:need]]
        pool = np.concatenate([above, ties])
    ranked = pool[np.lexsort((index.name_rank[found[pool]], -scores[pool]))]
    return [int(i) for i in ranked[:wanted]]


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
    return service.visibility.read_hidden(
        caller.clearance,
        lambda hidden: _search(_INDEXES.get(service), hidden, caller, terms, kinds, filters, first, offset),
    )


def _search(
    index: SearchIndex,
    hidden: frozenset[NodeRef],
    caller: Caller,
    terms: list[str],
    kinds: Collection[str] | None,
    filters: dict[str, str] | None,
    first: int,
    offset: int,
) -> SearchResult:
    """``search`` over ``index``, brought up to the store's version after ``hidden`` was
    read (``read_hidden`` then checks that no write came since): an index newer than the
    hidden set would hold entries the set does not cut, one older the names and texts of
    entries since declassified."""
    found: np.ndarray | None = None
    texts: dict[str, np.ndarray] = {}
    for term in sorted(terms, key=len, reverse=True):
        texts[term] = candidates(index, term)
        spoken = spoken_candidates(index, term)
        matched = np.union1d(texts[term], spoken) if len(spoken) else texts[term]
        found = matched if found is None else _intersect(found, matched)
        if not len(found):
            break
    assert found is not None
    found = found[~index.hidden_mask(hidden)[found]]
    narrowing = [("kind", list(kinds or ())), *((name, [value]) for name, value in (filters or {}).items())]
    for name, values in narrowing:
        if values:
            allowed = np.zeros(len(index.facet_values[name]) + 1, dtype=bool)  # the last: no value (-1)
            allowed[[index.facet_codes[name][v] for v in values if v in index.facet_codes[name]]] = True
            found = found[allowed[index.facet_ids[name][found]]]
    facets = _facets(index, found, caller)
    hits = [
        _hit(index, int(found[i]), float(scores[i]), terms)
        for scores in [_scores(index, found, texts)]
        for i in _top(index, found, scores, min(len(found), offset + first))[offset:]
    ]
    names = {code: index.department_names.get(code, code) for code in facets.get("department", {})}
    more = offset + first < len(found)
    return SearchResult(len(found), hits, facets, str(offset + first) if more else None, names)


def _facets(index: SearchIndex, found: np.ndarray, caller: Caller) -> dict[str, dict[str, int]]:
    """Counts by facet value over every hit, from the precomputed value codes."""
    facets: dict[str, dict[str, int]] = {}
    for name in FACETS:
        if name in CLEARED_FACETS and caller.clearance <= 0:
            continue
        ids = index.facet_ids[name][found]
        counts = np.bincount(ids[ids >= 0], minlength=len(index.facet_values[name]))
        values = index.facet_values[name]
        nonzero = {values[i]: int(counts[i]) for i in np.nonzero(counts)[0].tolist()}
        if nonzero:
            facets[name] = dict(sorted(nonzero.items(), key=lambda item: (-item[1], item[0])))
    return facets


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
    return service.visibility.read_hidden(
        caller.clearance, lambda hidden: _suggest(service, _INDEXES.get(service), hidden, caller, prefix, terms, limit)
    )


def _suggest(
    service: RegistryService,
    index: SearchIndex,
    hidden: frozenset[NodeRef],
    caller: Caller,
    prefix: str,
    terms: list[str],
    limit: int,
) -> list[Hit]:
    """``suggest`` over an index brought up to date after ``hidden`` was read (``_search``)."""
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
        if all(t in index.blobs[doc_id] for t in terms)
        else "pinyin"
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
