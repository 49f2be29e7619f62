"""Duplicate construction (重复建设): systems or datasets built by different departments or
projects that hold largely the same data for the same purpose.

The core works on an ``ItemMatrix`` (see ``registry.analysis.matrix``) in three steps:

1. ``candidate_pairs`` — no all-pairs loop: pairs that share a rare token, united with
   pairs whose tokens, field stems and names look alike by MinHash/LSH
   (``registry.analysis.candidates``), so a copy with every rare field renamed is still
   proposed.
2. ``score_pairs`` — the holdings part is a soft weighted Jaccard of the two field lists:
   each field matched one-to-one to its most similar counterpart (same data element, same
   attribute with a near stem: ``registry.analysis.fieldmatch``), weighted by a prior
   that does not depend on the registry's size (ubiquitous person identifiers and
   administrative columns weigh little). It is computed exactly, in Python, only for the
   pairs whose vectorised upper bound (shared tokens plus the most fields that could
   still match by attribute class) reaches the threshold; names, descriptions and
   functions are IDF-weighted character-bigram cosines; the parts are combined by weights.
3. clustering — accepted pairs become a graph whose connected components are clusters.

``find_duplicates(rows)`` and ``check_proposal(rows, proposal)`` wrap the core for a
caller's rows (``service.rows(caller)``), read into the matrix without a graph
(``registry.analysis.holdings``). At national scale feed ``ItemMatrix.from_fields`` and
call ``detect(matrix)`` directly.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from registry.analysis import fieldmatch, subjects
from registry.analysis.candidates import features, minhash_pairs, prefix_pairs, row_type
from registry.analysis.fieldnames import FieldName, FieldNormaliser
from registry.analysis.findings import Serialisable
from registry.analysis.holdings import item_matrix, normaliser_of
from registry.analysis.matrix import ItemMatrix
from registry.analysis.ngrams import NgramSpace, row_dots
from registry.collector import gc_paused
from registry.i18n import t
from registry.schema.rows import GraphRows

DEFAULT_THRESHOLD = 0.5
SYSTEM_THRESHOLD = 0.45
"""Systems hold hundreds of items: sharing half of them is already strong evidence, and a
rebuilt system is usually renamed (管理系统 → 综合服务平台), so systems need less score."""
MIN_HOLDINGS_SIMILARITY = 0.5
"""Two items must share data, not only a name: below this holdings similarity a pair is
never a duplicate, whatever its names say."""
BOUND_SLACK = 1e-5
"""How far below a threshold a pair's bound may fall and the pair still be refined. The
bound is a sum of float32 products whose rounding depends on the order they are added
in, and may come out below the exact value it bounds: at 1M generated datasets a pair
whose fields overlap at exactly 0.5 had a bound of 0.49999997 and was never matched.
Refining a few more pairs changes no score; only whether a pair is looked at."""

WEIGHTS: dict[str, dict[str, float]] = {
    "Dataset": {"holdings": 0.7, "name": 0.2, "description": 0.1},
    "System": {"holdings": 0.55, "name": 0.15, "description": 0.1, "functions": 0.2},
}
"""Holdings dominate: same-topic datasets of one catalogue share name stems and templated
descriptions, while a department copying another's data rewords both. Calibrated on the
calibration half of the labelled pairs (``tests/data/duplicate_pairs.json``) and the
synthetic styles (``python -m bench.duplicates``)."""
PARTS = ("holdings", "name", "description", "functions")
DISAGREEING_NAMES = 0.6
"""The factor on the score of two datasets whose names name the same business of
different subjects (兽药经营许可证 / 农药经营许可证, 离婚登记 / 结婚登记:
``registry.analysis.subjects``), shown as the ``subject`` part (1 where the names do
not disagree). Registers of one template hold near-identical fields whatever their
subject; a copy whose name swaps its subject for a synonym (企业登记 / 市场主体登记)
keeps its strong fields and is still found. Chosen on the labelled sets (bench/README.md,
"Duplicate detection"): across all six, 55 negatives and 2 copies have disagreeing names."""


@dataclass(frozen=True)
class Proposal(Serialisable):
    """A planned system as a reviewer sees it before approval."""

    name: str
    description: str = ""
    functions: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    department: str | None = None


@dataclass(frozen=True)
class Member(Serialisable):
    key: str
    name: str
    department: str | None
    department_name: str | None
    project: str | None


@dataclass(frozen=True)
class SharedElement(Serialisable):
    name: str
    weight: float


@dataclass(frozen=True)
class FieldPair(Serialisable):
    """A field of ``a`` matched to one of ``b``, as both departments wrote them."""

    a: str
    b: str
    similarity: float


@dataclass(frozen=True)
class DuplicateMatch(Serialisable):
    """One scored pair: ``a`` and ``b`` with the score, its parts, the data both hold
    under the same name or element (``shared``) and every matched field pair
    (``matched``: 出生日期 ≈ 出生年月 0.95), the evidence a reviewer checks."""

    kind: str
    a: Member
    b: Member
    score: float
    parts: dict[str, float]
    shared: list[SharedElement]
    matched: list[FieldPair]
    message: str


@dataclass(frozen=True)
class DuplicateCluster(Serialisable):
    kind: str
    rule: str
    message: str
    members: list[Member]
    score: float
    pairs: list[DuplicateMatch]
    shared: list[SharedElement]
    evidence: dict[str, Any]

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.members]


@dataclass(frozen=True)
class PairScores:
    """Scores of candidate pairs as parallel arrays (index k describes pair ``left[k], right[k]``).
    ``refined[k]`` says the holdings part was computed by field matching (``matched[k]``);
    the other pairs' upper bound already fell short of the threshold."""

    left: np.ndarray
    right: np.ndarray
    total: np.ndarray
    parts: dict[str, np.ndarray]
    refined: np.ndarray
    matched: dict[int, list[fieldmatch.Pair]]


def candidate_pairs(
    matrix: ItemMatrix, *, idf: np.ndarray | None = None, spaces: dict[str, NgramSpace] | None = None
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, worth scoring, as an (m, 2) int array: shared rare
    tokens or alike by MinHash, from different departments or different projects (one
    department's own project is not duplicate construction)."""
    idf = matrix.idf() if idf is None else idf
    spaces = spaces or text_spaces(matrix)
    n = np.int64(len(matrix))
    # one code per pair, each source's pairs dropped as soon as they are coded: at
    # national size the pairs are counted in tens of millions
    codes = _distinct(
        np.concatenate(
            [
                _codes(prefix_pairs(matrix, idf), n),
                _codes(minhash_pairs(features(matrix, spaces["name"])), n),
            ]
        )
    )
    left, right = codes // n, codes % n
    del codes
    keep = (left != right) & ~(
        (matrix.departments[left] == matrix.departments[right]) & (matrix.projects[left] == matrix.projects[right])
    )
    pairs = np.empty((int(keep.sum()), 2), dtype=row_type(len(matrix)))
    pairs[:, 0], pairs[:, 1] = left[keep], right[keep]
    return pairs


def _codes(pairs: np.ndarray, n: np.int64) -> np.ndarray:
    """``i * n + j`` for each pair ``(i, j)``: one integer, sorted as the pair is."""
    codes: np.ndarray = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
    return codes


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by a sort: numpy 2's ``unique`` took 4.9 s for 3M pair codes
    (100k datasets), a sort 0.05 s."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    kept: np.ndarray = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]
    return kept


def _occurrences(matrix: ItemMatrix, token_keys: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(item, key, n-th occurrence of the key in the item) for the keys each token has."""
    per_token = np.fromiter(map(len, token_keys), dtype=np.int64, count=len(token_keys))
    key_ids = np.fromiter((k for ks in token_keys for k in ks), dtype=np.int64, count=int(per_token.sum()))
    token_start = np.concatenate([[0], np.cumsum(per_token)])
    holdings = matrix.holdings
    item_rows = np.repeat(np.arange(len(matrix), dtype=np.int64), np.diff(holdings.indptr))
    counts = per_token[holdings.indices]
    rows = np.repeat(item_rows, counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    keys = key_ids[np.repeat(token_start[holdings.indices], counts) + offsets]
    # sorted by (item, key) as one integer code: entries equal in both are interchangeable,
    # so a plain sort of the codes gives what an indirect lexicographic sort gave, faster
    width = np.int64(max(int(keys.max(initial=0)) + 1, 1))
    code = np.sort(rows * width + keys)
    rows, keys = code // width, code % width
    if not len(rows):
        return rows, keys, np.zeros(0, dtype=np.int64)
    start = np.concatenate([[True], (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])])
    return rows, keys, np.arange(len(rows)) - np.maximum.accumulate(np.where(start, np.arange(len(rows)), 0))


def _occurrence_matrices(matrix: ItemMatrix, *token_keys: list[list[int]], vocabulary: int) -> list[sparse.csr_matrix]:
    """Items x (key, n-th occurrence), one matrix per key kind, with aligned columns: the
    dot product of two rows counts, per key, the fewer fields the two items have with it."""
    found = [_occurrences(matrix, keys) for keys in token_keys]
    width = 1 + max((int(o.max(initial=0)) for _, _, o in found), default=0)
    shape = (len(matrix), max(1, vocabulary) * width)
    return [
        sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, keys * width + occurrence)), shape=shape)
        for rows, keys, occurrence in found
    ]


@dataclass(frozen=True)
class Scoring:
    """What scoring a matrix's pairs needs, computed once per matrix however many batches
    of pairs are scored (the all-pairs baseline scores millions, in blocks).

    The holdings bound counts the fields that could still match: per match key
    (``FieldName.keys``; ``whole_keys`` of one item against ``part_keys`` of the other,
    only those that are some field's whole key;
    a field's base against the other's tokens), the fewer fields the two items have
    with it. A matched pair shares a key, so the sum bounds the matching. A field both
    items hold adds to each of its ``keys`` on both sides, and ``min(x + s, y + s) =
    min(x, y) + s`` lets ``keyed`` subtract exactly that; the other kinds are left as
    they are, which only loosens the bound. A key only one token has is left out of
    ``keys`` and of what ``keyed`` subtracts alike: it matches only that token, held by
    both, so it added one and took one away, and every bound is the same integer."""

    spaces: dict[str, NgramSpace]
    probe: sparse.csr_matrix
    target: sparse.csr_matrix
    """``could_match`` is the row dot product of ``probe`` and ``target``: side by side,
    keys against keys, whole keys against part keys and back, bases against tokens and
    back, and each token against minus its number of keys (``keyed``)."""
    weighted: sparse.csr_matrix
    mass: np.ndarray

    @classmethod
    def of(cls, matrix: ItemMatrix, spaces: dict[str, NgramSpace] | None = None) -> "Scoring":
        weighted = sparse.csr_matrix(matrix.holdings @ sparse.diags(matrix.weights))
        # the product's columns come out of scipy unsorted, and ``multiply`` of rows that
        # are not in canonical order takes scipy's general path: the bound's row products
        # cost 1.72 CPU s for 2.7M pairs at 100k datasets, 1.11 s sorted (the sums then
        # add a pair's products in column order)
        weighted.sort_indices()
        same_matrix, whole_matrix, part_matrix, bare, keyed = _key_matrices(matrix)
        holdings = matrix.holdings
        probe, target = _across_items(
            [
                (same_matrix, same_matrix),
                (whole_matrix, part_matrix),
                (part_matrix, whole_matrix),
                (bare, holdings),
                (holdings, bare),
                (holdings, keyed),
            ]
        )
        # each pair's dot product then takes scipy's merge of two sorted rows, not the
        # general path through a scratch array as wide as the matrix (could_match 3.8 ->
        # 2.5 CPU s for 2.7M pairs at 100k); every entry is a count, so the sums are
        # integers, exact in whatever order they are added
        probe.sort_indices()
        target.sort_indices()
        return cls(
            spaces or text_spaces(matrix),
            probe,
            target,
            weighted,
            np.asarray(weighted.sum(axis=1)).ravel(),
        )

    def could_match(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """For each pair, the most fields beyond the shared tokens that could still match."""
        found: np.ndarray = np.maximum(row_dots(self.probe, self.target, left, right), 0)
        return found

    def could_match_block(self, rows: slice) -> np.ndarray:
        """``could_match`` of rows ``rows`` against every item, as a dense block (an item
        against itself is not a pair: its entry lacks the keys only that item has)."""
        found: np.ndarray = np.maximum((self.probe[rows] @ self.target.T).toarray(), 0)
        return found


def _key_matrices(
    matrix: ItemMatrix,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    """The blocks ``Scoring`` puts side by side: items x (key, n-th occurrence) for the
    keys, whole keys and part keys of their tokens, the bases of their tokens (``bare``),
    and each token valued at minus its number of keys (``keyed``). The per-token key
    lists are gone when this returns, before the blocks are cut and the text spaces
    built: Python lists of a few ints per token, 250 MB at 200k datasets, were held to
    the end of scoring's setup."""
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    first: dict[int, FieldName] = {}
    bases: list[set[int]] = [set() for _ in matrix.token_keys]
    for f in matrix.field_names:
        t = index[f.token]
        first.setdefault(t, f)
        if f.base is not None and f.base.token in index:
            bases[t].add(index[f.base.token])
    same_ids: dict[str, int] = {}
    cross_ids: dict[str, int] = {}
    tokens = range(len(matrix.token_keys))
    # a key only one token has pairs two items only where both hold that token, and
    # ``keyed`` takes each such match back: it adds nothing to any bound, yet was most of
    # the keys (62% of the key entries at 20k generated datasets)
    holders = Counter(k for f in first.values() for k in f.keys)
    same = [
        [same_ids.setdefault(k, len(same_ids)) for k in first[t].keys if holders[k] > 1] if t in first else []
        for t in tokens
    ]
    del holders
    whole = [
        [cross_ids.setdefault(k, len(cross_ids)) for k in first[t].whole_keys] if t in first else [] for t in tokens
    ]
    stems = {f.stem for f in first.values() if f.stem}
    part = [
        [cross_ids[k] for k in first[t].part_key_list(stems) if k in cross_ids] if t in first else [] for t in tokens
    ]
    del stems
    counts = np.fromiter(map(len, same), dtype=np.float32, count=len(same))
    (same_matrix,) = _occurrence_matrices(matrix, same, vocabulary=len(same_ids))
    whole_matrix, part_matrix = _occurrence_matrices(matrix, whole, part, vocabulary=len(cross_ids))
    base_of = _rows_of(bases)
    bare = sparse.csr_matrix(matrix.holdings @ base_of)
    bare.data[:] = 1.0
    keyed = sparse.csr_matrix(matrix.holdings @ sparse.diags(-counts))
    return same_matrix, whole_matrix, part_matrix, bare, keyed


def _across_items(
    blocks: list[tuple[sparse.csr_matrix, sparse.csr_matrix]],
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """``probe`` and ``target``, the blocks' probe sides and target sides side by side,
    without the columns no two different items meet in (a key only one item has, on
    either side): they add nothing to any pair's dot product, yet were most of each row
    (at 10k datasets, 94% of the columns and half the entries), and every pair scored
    copied and merged them. The dot products of two different items are unchanged.
    Each block is cut before the blocks are put side by side: stacking them whole, then
    a column-major copy of each side to find the columns, was the peak of scoring (at
    200k datasets 1.26 GB at its height, 0.78 GB held)."""
    probes, targets = [], []
    for probe, target in blocks:
        keep = _met(probe, target)
        probes.append(probe[:, keep])
        targets.append(target[:, keep])
    return _side_by_side(probes), _side_by_side(targets)


def _met(probe: sparse.csr_matrix, target: sparse.csr_matrix) -> np.ndarray:
    """The columns some item has on the probe side and another item on the target side."""
    columns = probe.shape[1]
    in_probe = np.bincount(probe.indices, minlength=columns)
    in_target = np.bincount(target.indices, minlength=columns)
    keep = (in_probe > 0) & (in_target > 0)
    alone = keep & (in_probe == 1) & (in_target == 1)
    keep[alone & (_single_rows(probe, in_probe) == _single_rows(target, in_target))] = False
    return keep


def _single_rows(matrix: sparse.csr_matrix, entries: np.ndarray) -> np.ndarray:
    """Per column, the row of its entry where it has exactly one (-1 elsewhere)."""
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))
    single = entries[matrix.indices] == 1
    found = np.full(matrix.shape[1], -1, dtype=np.int32)
    found[matrix.indices[single]] = rows[single]
    return found


def _side_by_side(blocks: list[sparse.csr_matrix]) -> sparse.csr_matrix:
    return sparse.csr_matrix(sparse.hstack(blocks, format="csr"), dtype=np.float32)


def _rows_of(sets: list[set[int]]) -> sparse.csr_matrix:
    """A square 0/1 matrix with row ``t`` set at the columns in ``sets[t]``."""
    lengths = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    columns = np.fromiter((c for s in sets for c in s), dtype=np.int64, count=int(lengths.sum()))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return sparse.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, indptr), shape=(len(sets), len(sets)))


def _bounds(matrix: ItemMatrix, scoring: Scoring, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """An upper bound of the soft holdings similarity for each pair: every shared token
    matched at full weight, and every further field that could match (``Scoring``)
    matched at similarity 1 and weight 1 (the most a match can weigh)."""
    exact = row_dots(matrix.holdings, scoring.weighted, left, right)
    matched = exact + scoring.could_match(left, right)
    union = scoring.mass[left] + scoring.mass[right] - matched
    share: np.ndarray = np.minimum(1.0, np.divide(matched, union, out=np.ones_like(matched), where=union > 0))
    return share


def score_pairs(
    matrix: ItemMatrix,
    pairs: np.ndarray,
    *,
    scoring: Scoring | None = None,
    threshold: float | None = None,
    deciding_only: bool = False,
) -> PairScores:
    """Score parts in [0, 1] for each pair and their weighted mean; a text part counts only
    when both items have that text (a missing description is no evidence either way).
    With a ``threshold``, field matching runs only where the upper bound reaches it
    (the others cannot be accepted, so the result is exact); without one, on every pair.
    ``deciding_only`` (with a threshold) keeps only the pairs whose holdings bound reaches
    ``MIN_HOLDINGS_SIMILARITY``, before their texts are compared: no other pair can be
    refined or accepted, and each kept pair's scores are those it has among all of them
    (at 20k generated datasets, 1,574 of 369,617 candidates are kept)."""
    scoring = scoring or Scoring.of(matrix)
    left, right = pairs[:, 0], pairs[:, 1]
    bound = _bounds(matrix, scoring, left, right).astype(np.float32)
    if deciding_only and threshold is not None:
        deciding = bound >= MIN_HOLDINGS_SIMILARITY - BOUND_SLACK
        pairs, bound = pairs[deciding], bound[deciding]
        left, right = pairs[:, 0], pairs[:, 1]
    parts = {"holdings": bound}
    for part, space in scoring.spaces.items():
        parts[part] = row_dots(space.matrix, space.matrix, left, right)
    total = _combine(matrix, parts, pairs)
    if threshold is None:
        refine = np.ones(len(left), dtype=bool)
    else:
        refine = (total >= threshold - BOUND_SLACK) & (parts["holdings"] >= MIN_HOLDINGS_SIMILARITY - BOUND_SLACK)
    matched: dict[int, list[fieldmatch.Pair]] = {}
    rows: dict[int, tuple[list[FieldName], float]] = {}
    memo: dict[tuple[int, int], float] = {}

    def fields(i: int) -> tuple[list[FieldName], float]:
        found = rows.get(i)
        if found is None:
            distinct = fieldmatch.distinct(matrix.row_fields(i))
            found = rows[i] = distinct, sum(f.weight for f in distinct)
        return found

    for k in np.flatnonzero(refine).tolist():
        i, j = int(left[k]), int(right[k])
        (a, mass_a), (b, mass_b) = fields(i), fields(j)
        matched[k] = fieldmatch.match(a, b, memo=memo, titles=(matrix.names[i], matrix.names[j]))
        parts["holdings"][k] = fieldmatch.overlap(matched[k], mass_a, mass_b)
    total = _combine(matrix, parts, pairs)
    if matrix.kind == "Dataset":
        subject = np.ones(len(left), dtype=np.float32)
        for k in np.flatnonzero(refine).tolist():
            if subjects.disagree(matrix.names[int(left[k])], matrix.names[int(right[k])]):
                subject[k] = DISAGREEING_NAMES
        parts["subject"] = subject
        total = total * subject
    return PairScores(left, right, total, parts, refine, matched)


def _combine(matrix: ItemMatrix, parts: dict[str, np.ndarray], pairs: np.ndarray) -> np.ndarray:
    weights = WEIGHTS[matrix.kind]
    total = np.zeros(len(pairs), dtype=np.float32)
    denominator = np.zeros(len(pairs), dtype=np.float32)
    for part, values in parts.items():
        present = np.ones(len(pairs), dtype=bool) if part in ("holdings", "name") else _present(matrix, part, pairs)
        total += weights[part] * values * present
        denominator += weights[part] * present
    combined: np.ndarray = np.maximum(total / denominator, parts["holdings"])
    return combined


def _present(matrix: ItemMatrix, part: str, pairs: np.ndarray) -> np.ndarray:
    has = _has(matrix, part)
    both: np.ndarray = has[pairs[:, 0]] & has[pairs[:, 1]]
    return both


def text_spaces(matrix: ItemMatrix) -> dict[str, NgramSpace]:
    spaces = {"name": NgramSpace(matrix.names), "description": NgramSpace(matrix.texts)}
    if "functions" in WEIGHTS[matrix.kind]:
        spaces["functions"] = NgramSpace(matrix.functions)
    return spaces


def default_threshold(kind: str) -> float:
    return SYSTEM_THRESHOLD if kind == "System" else DEFAULT_THRESHOLD


def accepted(scores: PairScores, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    return scores.refined & (scores.total >= threshold) & (scores.parts["holdings"] >= MIN_HOLDINGS_SIMILARITY)


def detect(
    matrix: ItemMatrix, *, threshold: float | None = None, deciding_only: bool = False
) -> tuple[PairScores, np.ndarray, np.ndarray]:
    """The whole core on a matrix: scored candidates, the accepted mask, and a cluster
    label per item (-1 for items in no accepted pair). With ``deciding_only`` the scores
    hold only the candidates whose holdings bound could be accepted (``score_pairs``):
    the same accepted pairs, scores and labels, without comparing the texts of pairs
    that cannot count (what ``clusters`` needs; the evaluation wants every candidate).
    The cyclic collector is paused, as for ``holdings.item_matrix``: scoring allocates
    keys and names by the hundred thousand, none of them in a cycle."""
    with gc_paused():
        return _detect(matrix, default_threshold(matrix.kind) if threshold is None else threshold, deciding_only)


def _detect(matrix: ItemMatrix, threshold: float, deciding_only: bool) -> tuple[PairScores, np.ndarray, np.ndarray]:
    scoring = Scoring.of(matrix)
    pairs = candidate_pairs(matrix, spaces=scoring.spaces)
    scores = score_pairs(matrix, pairs, scoring=scoring, threshold=threshold, deciding_only=deciding_only)
    mask = accepted(scores, threshold)
    n = len(matrix)
    graph = sparse.coo_matrix(
        (np.ones(int(mask.sum()), dtype=np.int8), (scores.left[mask], scores.right[mask])), shape=(n, n)
    )
    _, labels = csgraph.connected_components(graph, directed=False)
    in_pair = np.zeros(n, dtype=bool)
    in_pair[scores.left[mask]] = True
    in_pair[scores.right[mask]] = True
    return scores, mask, np.where(in_pair, labels, -1)


def _member(matrix: ItemMatrix, i: int) -> Member:
    dept = int(matrix.departments[i])
    project = int(matrix.projects[i])
    return Member(
        key=matrix.keys[i],
        name=matrix.names[i],
        department=matrix.department_keys[dept] if dept >= 0 else None,
        department_name=matrix.department_names[dept] if dept >= 0 else None,
        project=matrix.project_keys[project] if project >= 0 else None,
    )


def _evidence(pairs: list[fieldmatch.Pair]) -> tuple[list[SharedElement], list[FieldPair]]:
    """Shared data (the same element, or the same stem and attribute: what a reviewer
    needs no judgement for) by weight, and every matched pair."""
    shared = sorted(
        (SharedElement(p.a.raw, round(p.a.weight, 4)) for p in pairs if p.a.token == p.b.token),
        key=lambda e: (-e.weight, e.name),
    )
    return shared, [FieldPair(p.a.raw, p.b.raw, round(p.similarity, 2)) for p in pairs]


def _match(matrix: ItemMatrix, scores: PairScores, k: int) -> DuplicateMatch:
    i, j = int(scores.left[k]), int(scores.right[k])
    shared, matched = _evidence(scores.matched[k])
    parts = {p: round(float(v[k]), 4) for p, v in scores.parts.items()}
    near = [f"{p.a}≈{p.b}" for p in matched if p.similarity < 1][:3]
    apart = subjects.disagreement(matrix.names[i], matrix.names[j]) if parts.get("subject", 1.0) < 1 else None
    return DuplicateMatch(
        kind=matrix.kind,
        a=_member(matrix, i),
        b=_member(matrix, j),
        score=round(float(scores.total[k]), 4),
        parts=parts,
        shared=shared,
        matched=matched,
        message=t(
            "dup.pair",
            kind=t(f"dup.kind.{matrix.kind}"),
            a=matrix.names[i],
            b=matrix.names[j],
            n=len(matched),
            renamed=f"（{'、'.join(near)}）" if near else "",
            holdings=parts["holdings"],
            name=parts["name"],
            score=float(scores.total[k]),
        )
        + (t("dup.subjects", a=apart[0], b=apart[1], factor=parts["subject"]) if apart else ""),
    )


def clusters(
    matrix: ItemMatrix, *, threshold: float | None = None, deciding_only: bool = True
) -> list[DuplicateCluster]:
    """Findings for a matrix: one cluster per group of items linked by accepted pairs,
    strongest first. Only the candidates that could be accepted are scored in full
    (``detect``'s ``deciding_only``); ``deciding_only=False`` scores every candidate, the
    reference the pruning is tested to agree with."""
    with gc_paused():
        return _clusters(matrix, threshold, deciding_only)


def _clusters(matrix: ItemMatrix, threshold: float | None, deciding_only: bool) -> list[DuplicateCluster]:
    scores, mask, labels = detect(matrix, threshold=threshold, deciding_only=deciding_only)
    by_cluster: dict[int, list[int]] = {}
    for k in np.flatnonzero(mask):
        by_cluster.setdefault(int(labels[scores.left[k]]), []).append(int(k))
    found = []
    for pair_ids in by_cluster.values():
        matches = sorted((_match(matrix, scores, k) for k in pair_ids), key=lambda m: -m.score)
        member_ids = sorted({int(scores.left[k]) for k in pair_ids} | {int(scores.right[k]) for k in pair_ids})
        members = [_member(matrix, i) for i in member_ids]
        shared: dict[str, float] = {}
        for match in matches:
            for element in match.shared:
                shared[element.name] = element.weight
        top = matches[0]
        departments = sorted({m.department_name or m.department or "?" for m in members})
        found.append(
            DuplicateCluster(
                kind=matrix.kind,
                rule="DUP-1",
                message=t(
                    "dup.cluster",
                    n=len(members),
                    kind=t(f"dup.kind.{matrix.kind}"),
                    departments="、".join(departments),
                    score=top.score,
                ),
                members=members,
                score=top.score,
                pairs=matches,
                shared=[SharedElement(n, w) for n, w in sorted(shared.items(), key=lambda x: (-x[1], x[0]))],
                evidence={
                    "departments": departments,
                    "projects": sorted({m.project for m in members if m.project}),
                    "best_pair": [top.a.key, top.b.key],
                    "parts": top.parts,
                    "matched": [[p.a, p.b, p.similarity] for p in top.matched],
                    "threshold": default_threshold(matrix.kind) if threshold is None else threshold,
                },
            )
        )
    return sorted(found, key=lambda c: (-c.score, c.keys))


def find_duplicates(rows: GraphRows, *, kind: str = "System", threshold: float | None = None) -> list[DuplicateCluster]:
    """Findings over what these rows hold (a caller's ``service.rows``): the matrix is read
    straight from them (``holdings.item_matrix``), the same one the caller's projection gives."""
    return clusters(item_matrix(rows, kind), threshold=threshold)


def could_match_wanted(matrix: ItemMatrix, wanted: list[FieldName]) -> np.ndarray:
    """For each row, how many of ``wanted`` some field of it could match, by the necessary
    condition ``FieldName.keys`` states (a shared key, one field's whole key among the
    other's part keys, or one the other's base), checked once per distinct field name:
    the bound a proposal is pruned by, the same condition ``Scoring`` bounds pairs by."""
    by: dict[str, dict[str, set[int]]] = {kind: {} for kind in ("key", "whole", "part", "token", "base")}
    for w, f in enumerate(wanted):
        for kind, values in (("key", f.keys), ("whole", f.whole_keys), ("part", f.part_keys), ("token", [f.token])):
            for value in values:
                by[kind].setdefault(value, set()).add(w)
        if f.base is not None:
            by["base"].setdefault(f.base.token, set()).add(w)
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    reach: dict[int, set[int]] = {}
    for g in matrix.field_names:
        t = index[g.token]
        if t in reach:
            continue
        probes = [("key", g.keys), ("part", g.whole_keys), ("whole", g.part_keys), ("base", [g.token])]
        if g.base is not None:
            probes.append(("token", [g.base.token]))
        reach[t] = {w for kind, values in probes for value in values for w in by[kind].get(value, ())}
    rows = [t for t, found in reach.items() for _ in found]
    cols = [w for found in reach.values() for w in found]
    could = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(matrix.holdings.shape[1], max(len(wanted), 1))
    )
    return np.asarray(((matrix.holdings @ could) > 0).sum(axis=1), dtype=np.float32).ravel()


def check_proposal(
    rows: GraphRows, proposal: Proposal, *, threshold: float | None = None, limit: int = 10
) -> list[DuplicateMatch]:
    """Existing systems these rows hold (a caller's ``service.rows``) that a planned one
    would duplicate, best first (``proposal_matches``)."""
    normaliser = normaliser_of(rows)
    return proposal_matches(
        item_matrix(rows, "System", normaliser), normaliser, proposal, threshold=threshold, limit=limit
    )


def proposal_matches(
    matrix: ItemMatrix,
    normaliser: FieldNormaliser,
    proposal: Proposal,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> list[DuplicateMatch]:
    """Rows of a system matrix a planned system would duplicate, best first; ``normaliser``
    reads the plan's fields as the matrix's were read (with the registry's data elements).
    The holdings part is the share of the proposal's data (by weight) an existing system
    already holds, by the same field matching as ``find_duplicates``: a small plan fully
    covered by a large system is still a duplicate of it."""
    threshold = SYSTEM_THRESHOLD if threshold is None else threshold
    if len(matrix) == 0:
        return []
    wanted = fieldmatch.distinct([normaliser.read(f) for f in proposal.fields])
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    known = sorted({index[f.token] for f in wanted if f.token in index})
    query = np.zeros(matrix.holdings.shape[1], dtype=np.float32)
    query[known] = matrix.weights[known]
    proposal_mass = sum(f.weight for f in wanted)
    held = np.zeros(matrix.holdings.shape[1], dtype=np.float32)
    held[known] = 1.0
    exact_count = matrix.holdings @ held
    could = np.maximum(could_match_wanted(matrix, wanted) - exact_count, 0)
    bound = (matrix.holdings @ query + could) / proposal_mass if proposal_mass > 0 else np.zeros(len(matrix))
    spaces = text_spaces(matrix)
    texts = {"name": proposal.name, "description": proposal.description, "functions": " ".join(proposal.functions)}
    parts: dict[str, np.ndarray] = {"holdings": np.minimum(1.0, bound).astype(np.float32)}
    for part, space in spaces.items():
        parts[part] = np.asarray((space.matrix @ space.project(texts[part]).T).todense(), dtype=np.float32).ravel()

    def combined() -> np.ndarray:
        weights = WEIGHTS["System"]
        total = weights["holdings"] * parts["holdings"]
        denominator = np.full(len(matrix), weights["holdings"], dtype=np.float32)
        for part in spaces:
            present = np.ones(len(matrix), dtype=bool) if part == "name" else _has(matrix, part) & bool(texts[part])
            total = total + weights[part] * parts[part] * present
            denominator += weights[part] * present
        return np.asarray(total / denominator, dtype=np.float32)

    refine = np.flatnonzero((combined() >= threshold) & (parts["holdings"] >= MIN_HOLDINGS_SIMILARITY))
    matched = {}
    for i in refine.tolist():
        matched[i] = fieldmatch.match(wanted, matrix.row_fields(i), titles=(proposal.name, matrix.names[i]))
        parts["holdings"][i] = fieldmatch.coverage(wanted, matched[i])
    total = combined()
    hits = refine[(total[refine] >= threshold) & (parts["holdings"][refine] >= MIN_HOLDINGS_SIMILARITY)]
    hits = hits[np.argsort(-total[hits], kind="stable")][:limit]
    planned = Member(
        key="(proposal)", name=proposal.name, department=proposal.department, department_name=None, project=None
    )
    results = []
    for i in hits.tolist():
        shared, pairs = _evidence(matched[i])
        part_values = {p: round(float(v[i]), 4) for p, v in parts.items()}
        results.append(
            DuplicateMatch(
                kind="System",
                a=planned,
                b=_member(matrix, i),
                score=round(float(total[i]), 4),
                parts=part_values,
                shared=shared,
                matched=pairs,
                message=t(
                    "dup.proposal",
                    a=proposal.name,
                    b=matrix.names[i],
                    department=_member(matrix, i).department_name,
                    n=len(pairs),
                    score=float(total[i]),
                ),
            )
        )
    return results


def _has(matrix: ItemMatrix, part: str) -> np.ndarray:
    texts: Sequence[str] = matrix.texts if part == "description" else matrix.functions
    return np.fromiter((bool(t) for t in texts), dtype=bool, count=len(texts))
