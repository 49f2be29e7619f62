"""Duplicate construction (重复建设): systems or datasets built by different departments or
projects that hold largely the same data for the same purpose.

The core works on an ``ItemMatrix`` (see ``registry.analysis.matrix``) in three steps:

1. ``candidate_pairs`` — prefix filtering instead of an all-pairs loop: each item probes
   with its rarest tokens only (its "prefix"), so two items become candidates when their
   prefixes share a token. Rare tokens have short posting lists, so the sparse product
   ``P @ P.T`` costs about ``n x prefix x posting``: linear in the number of items. A
   token whose prefix posting list is longer than ``posting_cap`` is skipped (it is not
   rare, and would make the cost quadratic).
2. ``score_pairs`` — for the candidates only, vectorised: IDF-weighted Jaccard of the
   holdings (ubiquitous ID number, name, address weigh ~0), IDF-weighted character-bigram
   cosine of names, of descriptions and of declared functions, combined by weights.
3. clustering — accepted pairs become a graph whose connected components are clusters.

``find_duplicates(graph)`` and ``check_proposal(graph, proposal)`` wrap the core for a
caller's projection. At national scale feed ``ItemMatrix.from_fields`` and call
``detect(matrix)`` directly.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from registry.analysis.findings import Serialisable
from registry.analysis.matrix import ItemMatrix, normaliser_for
from registry.analysis.ngrams import NgramSpace, row_dots

DEFAULT_THRESHOLD = 0.55
SYSTEM_THRESHOLD = 0.45
"""Systems hold hundreds of items: sharing half of them is already strong evidence, and a
rebuilt system is usually renamed (管理系统 → 综合服务平台), so systems need less score."""
MIN_HOLDINGS_SIMILARITY = 0.4
"""Two items must share data, not only a name: below this holdings similarity a pair is
never a duplicate, whatever its names say."""

WEIGHTS: dict[str, dict[str, float]] = {
    "Dataset": {"holdings": 0.7, "name": 0.2, "description": 0.1},
    "System": {"holdings": 0.55, "name": 0.15, "description": 0.1, "functions": 0.2},
}
"""Holdings dominate: same-topic datasets of one catalogue share name stems and templated
descriptions, while a department copying another's data rewords both. Calibrated on the
synthetic mix (``python -m bench.duplicates``), where these values give precision and
recall above 0.95."""
PARTS = ("holdings", "name", "description", "functions")


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
class DuplicateMatch(Serialisable):
    """One scored pair: ``a`` and ``b`` with the score, its parts and the shared data."""

    kind: str
    a: Member
    b: Member
    score: float
    parts: dict[str, float]
    shared: list[SharedElement]
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
    """Scores of candidate pairs as parallel arrays (index k describes pair ``left[k], right[k]``)."""

    left: np.ndarray
    right: np.ndarray
    total: np.ndarray
    parts: dict[str, np.ndarray]


def _prefix(matrix: ItemMatrix, idf: np.ndarray, fraction: float, minimum: int) -> sparse.csr_matrix:
    """Each row's rarest tokens: ``max(minimum, ceil(fraction * row length))`` of them."""
    holdings = matrix.holdings
    lengths = np.diff(holdings.indptr)
    rows = np.repeat(np.arange(len(matrix), dtype=np.int64), lengths)
    order = np.lexsort((-idf[holdings.indices], rows))
    rank = np.arange(len(order)) - holdings.indptr[rows[order]]
    keep_n = np.maximum(minimum, np.ceil(fraction * lengths)).astype(np.int64)
    kept = order[rank < keep_n[rows[order]]]
    return sparse.csr_matrix(
        (idf[holdings.indices[kept]], (rows[kept], holdings.indices[kept])), shape=holdings.shape, dtype=np.float32
    )


def candidate_pairs(
    matrix: ItemMatrix,
    *,
    idf: np.ndarray | None = None,
    prefix_fraction: float = 0.5,
    prefix_minimum: int = 3,
    posting_cap: int = 500,
    min_overlap: float = 0.3,
    block: int = 20_000,
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, worth scoring, as an (m, 2) int array.

    A pair qualifies when the rare tokens its prefixes share weigh at least
    ``min_overlap`` of the lighter prefix, and the two items come from different
    departments or different projects (one department's own project is not duplicate
    construction). Rows are processed in blocks so memory stays bounded."""
    idf = matrix.idf() if idf is None else idf
    prefix = _prefix(matrix, idf, prefix_fraction, prefix_minimum)
    posting = np.bincount(prefix.indices, minlength=prefix.shape[1])
    prefix = prefix @ sparse.diags((posting <= posting_cap).astype(np.float32))
    prefix = sparse.csr_matrix(prefix)
    prefix.eliminate_zeros()
    weight = np.asarray(prefix.sum(axis=1)).ravel()
    present = prefix.copy()
    present.data[:] = 1.0
    transposed = present.T.tocsr()
    found: list[np.ndarray] = []
    for start in range(0, len(matrix), block):
        product = sparse.coo_matrix(prefix[start : start + block] @ transposed)
        left = product.row.astype(np.int64) + start
        right = product.col.astype(np.int64)
        keep = (right > left) & (product.data >= min_overlap * np.minimum(weight[left], weight[right]))
        left, right = left[keep], right[keep]
        same = (matrix.departments[left] == matrix.departments[right]) & (
            matrix.projects[left] == matrix.projects[right]
        )
        found.append(np.stack([left[~same], right[~same]], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


def score_pairs(
    matrix: ItemMatrix,
    pairs: np.ndarray,
    *,
    idf: np.ndarray | None = None,
    spaces: dict[str, NgramSpace] | None = None,
) -> PairScores:
    """Score parts in [0, 1] for each pair and their weighted mean; a text part counts only
    when both items have that text (a missing description is no evidence either way)."""
    idf = matrix.idf() if idf is None else idf
    spaces = spaces or text_spaces(matrix)
    left, right = pairs[:, 0], pairs[:, 1]
    weighted = sparse.csr_matrix(matrix.holdings @ sparse.diags(idf))
    mass = np.asarray(weighted.sum(axis=1)).ravel()
    shared = row_dots(matrix.holdings, weighted, left, right)
    union = mass[left] + mass[right] - shared
    parts = {"holdings": np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)}
    for part, space in spaces.items():
        parts[part] = row_dots(space.matrix, space.matrix, left, right)
    weights = WEIGHTS[matrix.kind]
    total = np.zeros(len(left), dtype=np.float32)
    denominator = np.zeros(len(left), dtype=np.float32)
    for part, values in parts.items():
        present = np.ones(len(left), dtype=bool) if part in ("holdings", "name") else _present(matrix, part, pairs)
        total += weights[part] * values * present
        denominator += weights[part] * present
    return PairScores(left, right, total / denominator, parts)


def _present(matrix: ItemMatrix, part: str, pairs: np.ndarray) -> np.ndarray:
    has = _has(matrix, part)
    return has[pairs[:, 0]] & has[pairs[:, 1]]


def text_spaces(matrix: ItemMatrix) -> dict[str, NgramSpace]:
    spaces = {"name": NgramSpace(matrix.names), "description": NgramSpace(matrix.texts)}
    if "functions" in WEIGHTS[matrix.kind]:
        spaces["functions"] = NgramSpace(matrix.functions)
    return spaces


def default_threshold(kind: str) -> float:
    return SYSTEM_THRESHOLD if kind == "System" else DEFAULT_THRESHOLD


def accepted(scores: PairScores, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    return (scores.total >= threshold) & (scores.parts["holdings"] >= MIN_HOLDINGS_SIMILARITY)


def detect(matrix: ItemMatrix, *, threshold: float | None = None) -> tuple[PairScores, np.ndarray, np.ndarray]:
    """The whole core on a matrix: scored candidates, the accepted mask, and a cluster
    label per item (-1 for items in no accepted pair)."""
    threshold = default_threshold(matrix.kind) if threshold is None else threshold
    idf = matrix.idf()
    pairs = candidate_pairs(matrix, idf=idf)
    scores = score_pairs(matrix, pairs, idf=idf)
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


def _shared(matrix: ItemMatrix, idf: np.ndarray, i: int, j: int) -> list[SharedElement]:
    holdings = matrix.holdings
    a = holdings.indices[holdings.indptr[i] : holdings.indptr[i + 1]]
    b = holdings.indices[holdings.indptr[j] : holdings.indptr[j + 1]]
    common = np.intersect1d(a, b)
    common = common[np.argsort(-idf[common], kind="stable")]
    return [SharedElement(matrix.vocabulary[t], float(idf[t])) for t in common]


def _match(matrix: ItemMatrix, idf: np.ndarray, scores: PairScores, k: int) -> DuplicateMatch:
    i, j = int(scores.left[k]), int(scores.right[k])
    shared = _shared(matrix, idf, i, j)
    parts = {p: round(float(v[k]), 4) for p, v in scores.parts.items()}
    kind = matrix.kind.lower()
    return DuplicateMatch(
        kind=matrix.kind,
        a=_member(matrix, i),
        b=_member(matrix, j),
        score=round(float(scores.total[k]), 4),
        parts=parts,
        shared=shared,
        message=(
            f"{kind} {matrix.names[i]!r} and {matrix.names[j]!r} share {len(shared)} data items "
            f"(holdings {parts['holdings']:.2f}, name {parts['name']:.2f}); score {scores.total[k]:.2f}"
        ),
    )


def clusters(matrix: ItemMatrix, *, threshold: float | None = None) -> list[DuplicateCluster]:
    """Findings for a matrix: one cluster per group of items linked by accepted pairs,
    strongest first."""
    idf = matrix.idf()
    scores, mask, labels = detect(matrix, threshold=threshold)
    by_cluster: dict[int, list[int]] = {}
    for k in np.flatnonzero(mask):
        by_cluster.setdefault(int(labels[scores.left[k]]), []).append(int(k))
    found = []
    for pair_ids in by_cluster.values():
        matches = sorted((_match(matrix, idf, scores, k) for k in pair_ids), key=lambda m: -m.score)
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
                message=(
                    f"{len(members)} {matrix.kind.lower()}s of {', '.join(departments)} hold largely the same "
                    f"data (best score {top.score:.2f})"
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
                    "threshold": default_threshold(matrix.kind) if threshold is None else threshold,
                },
            )
        )
    return sorted(found, key=lambda c: (-c.score, c.keys))


def find_duplicates(
    graph: nx.MultiDiGraph, *, kind: str = "System", threshold: float | None = None
) -> list[DuplicateCluster]:
    return clusters(ItemMatrix.from_graph(graph, kind), threshold=threshold)


def check_proposal(
    graph: nx.MultiDiGraph, proposal: Proposal, *, threshold: float | None = None, limit: int = 10
) -> list[DuplicateMatch]:
    """Existing systems a planned one would duplicate, best first. The holdings part is
    the share of the proposal's data (by weight) an existing system already holds: a
    small plan fully covered by a large system is still a duplicate of it."""
    threshold = SYSTEM_THRESHOLD if threshold is None else threshold
    matrix = ItemMatrix.from_graph(graph, "System")
    if len(matrix) == 0:
        return []
    idf = matrix.idf()
    normaliser = normaliser_for(graph)
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    wanted = sorted({index[tok] for tok in (normaliser.token(f) for f in proposal.fields) if tok in index})
    unknown = len({normaliser.token(f) for f in proposal.fields}) - len(wanted)
    query = np.zeros(matrix.holdings.shape[1], dtype=np.float32)
    query[wanted] = idf[wanted]
    proposal_mass = float(query.sum()) + unknown * float(idf.max(initial=0.0))
    shared_mass = matrix.holdings @ query
    coverage = shared_mass / proposal_mass if proposal_mass > 0 else np.zeros(len(matrix), dtype=np.float32)
    spaces = text_spaces(matrix)
    texts = {"name": proposal.name, "description": proposal.description, "functions": " ".join(proposal.functions)}
    parts: dict[str, np.ndarray] = {"holdings": coverage.astype(np.float32)}
    weights = WEIGHTS["System"]
    total = weights["holdings"] * parts["holdings"]
    denominator = np.full(len(matrix), weights["holdings"], dtype=np.float32)
    for part, space in spaces.items():
        parts[part] = np.asarray((space.matrix @ space.project(texts[part]).T).todense()).ravel()
        present = np.ones(len(matrix), dtype=bool) if part == "name" else _has(matrix, part) & bool(texts[part])
        total += weights[part] * parts[part] * present
        denominator += weights[part] * present
    total = total / denominator
    hits = np.flatnonzero((total >= threshold) & (parts["holdings"] >= MIN_HOLDINGS_SIMILARITY))
    hits = hits[np.argsort(-total[hits], kind="stable")][:limit]
    planned = Member(
        key="(proposal)", name=proposal.name, department=proposal.department, department_name=None, project=None
    )
    results = []
    for i in hits:
        row = matrix.holdings.indices[matrix.holdings.indptr[i] : matrix.holdings.indptr[i + 1]]
        common = np.intersect1d(row, np.asarray(wanted, dtype=row.dtype))
        common = common[np.argsort(-idf[common], kind="stable")]
        part_values = {p: round(float(v[i]), 4) for p, v in parts.items()}
        results.append(
            DuplicateMatch(
                kind="System",
                a=planned,
                b=_member(matrix, int(i)),
                score=round(float(total[i]), 4),
                parts=part_values,
                shared=[SharedElement(matrix.vocabulary[t], float(idf[t])) for t in common],
                message=(
                    f"the proposal {proposal.name!r} would duplicate {matrix.names[i]!r} "
                    f"({_member(matrix, int(i)).department_name}): {len(common)} of its data items are held "
                    f"there already; score {total[i]:.2f}"
                ),
            )
        )
    return results


def _has(matrix: ItemMatrix, part: str) -> np.ndarray:
    texts: Sequence[str] = matrix.texts if part == "description" else matrix.functions
    return np.fromiter((bool(t) for t in texts), dtype=bool, count=len(texts))
