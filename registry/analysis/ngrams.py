"""Character n-gram vectors for Chinese names and descriptions.

Chinese has no spaces; a word segmenter would add a dependency and a dictionary that
misses domain terms. Character bigrams (plus the unigram of a one-character text) capture
"养老保险参保登记" vs "参保登记信息(养老)" well, and IDF weighting makes boilerplate
bigrams such as 信息, 数据, 系统 count little.
"""

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from registry.analysis.threads import in_parallel

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def clean(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def bigrams(text: str) -> list[str]:
    chars = clean(text)
    if len(chars) < 2:
        return [chars] if chars else []
    return [chars[i : i + 2] for i in range(len(chars) - 1)]


class NgramSpace:
    """An IDF-weighted, L2-normalised bigram space fitted on a corpus; new texts (a
    proposal) are projected into it with the corpus's vocabulary and weights."""

    def __init__(self, texts: Sequence[str]) -> None:
        ids, bounds, vocabulary = _gram_ids(texts)
        # each text's distinct ids in the order a set of them gives, which decides the
        # order a row's squares are added in for its norm
        listed = ids.tolist()
        indptr = [0]
        indices: list[int] = []
        for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            indices.extend(set(listed[start:end]))
            indptr.append(len(indices))
        self.vocabulary = vocabulary
        counts = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(texts), len(vocabulary)),
        )
        df = np.bincount(counts.indices, minlength=len(vocabulary)).astype(np.float32)
        self.idf = np.log((len(texts) + 1) / (df + 1)).astype(np.float32) + 1.0
        self.matrix = _l2(sparse.csr_matrix(counts @ sparse.diags(self.idf)))
        # columns sorted within each row, so that ``row_dots`` multiplies two rows by
        # scipy's merge of sorted rows, not its general path (the description's row
        # products at 100k datasets: 2.25 -> 1.6 CPU s); a pair's products are then
        # added in column order
        self.matrix.sort_indices()

    def project(self, text: str) -> sparse.csr_matrix:
        grams = sorted({self.vocabulary[g] for g in bigrams(text) if g in self.vocabulary})
        row = sparse.csr_matrix(
            (self.idf[grams], (np.zeros(len(grams), dtype=np.int64), grams)), shape=(1, len(self.vocabulary))
        )
        return _l2(row)


def _l2(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    rows = sparse.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ rows, dtype=np.float32)


ROW_DOTS_CHUNK = 65_536
"""Pairs per step of ``row_dots``: the rows it gathers for 2.8M candidate pairs took
1.3 GB per side at once, and faulting fresh pages in cost more than the products
(a chunk's arrays are reused: 12.2 -> 7.9 CPU s for the bound at 100k datasets)."""
ROW_DOTS_PARALLEL = 1_000_000
"""From this many pairs ``row_dots`` runs its chunks in two threads: scipy's row
gathering, element-wise product and row sums run in C without the GIL, so the two halves
take both cores (at national size the bound alone is two row products over tens of
millions of candidate pairs); below it a thread costs more than it saves."""


def row_dots(a: sparse.csr_matrix, b: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dot products of row ``left[k]`` of ``a`` with row ``right[k]`` of ``b``, for all k,
    a chunk of pairs at a time (each pair's sum is the same whatever the chunk or the
    thread that computes it: its own row's entries, added in their order)."""
    out = np.zeros(len(left), dtype=np.float32)
    starts = range(0, len(left), ROW_DOTS_CHUNK)

    def run(chunks: range) -> None:
        for chunk in chunks:
            rows = slice(starts[chunk], starts[chunk] + ROW_DOTS_CHUNK)
            out[rows] = np.asarray(a[left[rows]].multiply(b[right[rows]]).sum(axis=1), dtype=np.float32).ravel()

    in_parallel(run, len(starts), parallel=len(left) >= ROW_DOTS_PARALLEL)
    return out


_ALONE = np.int64((1 << 21) - 1)
"""The second half of a one-character text's code (no code point is that large)."""


def _gram_ids(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The ``bigrams`` of every text as ids, in text order (text ``i``'s from
    ``bounds[i]`` to ``bounds[i + 1]``), ids numbered by first appearance, and the
    vocabulary (bigram -> id). Each bigram is one integer (its two code points), so
    the ids come from a sort rather than a Python string and dict step per bigram
    (4.5M bigrams at 100k datasets)."""
    cleaned = [clean(text) for text in texts]
    lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
    points = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ends = np.cumsum(lengths)
    last = np.zeros(len(points), dtype=bool)
    last[ends[lengths > 0] - 1] = True
    following = np.empty_like(points)
    following[:-1] = points[1:]
    codes = (points << 21) | np.where(last, _ALONE, following)
    kept = ~last
    kept[ends[lengths == 1] - 1] = True
    codes = codes[kept]
    per_text = np.where(lengths >= 2, lengths - 1, lengths)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    first = order[new]
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int64)
    ids = np.empty(len(codes), dtype=np.int64)
    ids[order] = rank[np.cumsum(new) - 1]
    distinct = codes[np.sort(first)]
    vocabulary = {
        chr(c >> 21) + ("" if (c & _ALONE) == _ALONE else chr(c & _ALONE)): i for i, c in enumerate(distinct.tolist())
    }
    return ids, np.concatenate([[0], np.cumsum(per_text)]), vocabulary
