"""Which pairs of items are worth scoring, without an all-pairs loop.

Two signals, united:

- ``prefix_pairs``: items that share a rare token (a field that means the same item, or a
  data element). Each item probes with every token some other item holds too, weighted
  by rarity; rare tokens have short posting lists, so the sparse product ``P @ P.T``
  costs about ``n x tokens x posting``. A token whose posting list is longer than
  ``posting_cap`` is skipped (it is not rare, and would make the cost quadratic).
- ``minhash_pairs``: items whose features look alike by MinHash with banded LSH. The
  features are the attribute of each field with the end of its stem, and the bigrams of
  the item's own name, so a copy whose every rare field was renamed (城镇公积金处罚编号
  → 公积金处罚代码) still shares most of them with its original. ``bands`` of ``rows``
  hashes each: two items with feature Jaccard J meet in some band with probability
  ``1 - (1 - J^rows)^bands``. Buckets larger than ``bucket_cap`` are skipped.

Both are linear in the number of items for a fixed vocabulary mix; the bench measures it.
"""

from typing import Any

import numpy as np
from scipy import sparse

from registry.analysis.fieldnames import FieldName
from registry.analysis.matrix import ItemMatrix
from registry.analysis.ngrams import NgramSpace
from registry.analysis.threads import in_parallel

STEM_TAIL = 3
_PRIME = np.int64(2_147_483_647)
_SEED = 20_170_601
MINHASH_PARALLEL = 1_000_000
"""From this many feature entries the MinHash signature is computed in two threads, half
the hash functions each; below it a thread costs more than it saves."""


def prefix_pairs(
    matrix: ItemMatrix,
    idf: np.ndarray,
    *,
    posting_cap: int = 500,
    min_overlap: float = 0.3,
    block: int = 20_000,
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, whose shared rare tokens weigh at least ``min_overlap``
    of the lighter item's probing tokens (by idf)."""
    prefix = _probing(matrix, idf)
    posting = np.bincount(prefix.indices, minlength=prefix.shape[1])
    prefix = sparse.csr_matrix(prefix @ sparse.diags((posting <= posting_cap).astype(np.float32)))
    prefix.eliminate_zeros()
    weight = np.asarray(prefix.sum(axis=1)).ravel()
    present = prefix.copy()
    present.data[:] = 1.0
    transposed = present.T.tocsr()
    rows = row_type(len(matrix))
    found: list[np.ndarray] = [np.zeros((0, 2), dtype=rows)]
    for start in range(0, len(matrix), block):
        product = sparse.coo_matrix(prefix[start : start + block] @ transposed)
        left = product.row.astype(np.int64) + start
        right = product.col.astype(np.int64)
        keep = (right > left) & (product.data >= min_overlap * np.minimum(weight[left], weight[right]))
        found.append(np.stack([left[keep], right[keep]], axis=1).astype(rows))
    return np.concatenate(found)


def _probing(matrix: ItemMatrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Each row's tokens that some other item holds too, valued by their idf. A token only
    one item holds cannot pair it with anything, and a renamed copy's own tokens would
    otherwise outweigh what it shares with its original. (Probing with only the rarest
    part of each row lost copies whose few shared tokens were the common ones.)"""
    holdings = matrix.holdings
    df = np.bincount(holdings.indices, minlength=holdings.shape[1])
    shared = sparse.csr_matrix(holdings @ sparse.diags((df >= 2).astype(np.float32)))
    shared.eliminate_zeros()
    return sparse.csr_matrix(
        (idf[shared.indices].astype(np.float32), shared.indices, shared.indptr), shape=shared.shape
    )


def features(matrix: ItemMatrix, names: NgramSpace) -> sparse.csr_matrix:
    """Items x features (0/1): per field, its attribute group with the last ``STEM_TAIL``
    characters of its stem (a copy that drops or swaps the qualifier at the front of
    every field, 城镇职工养老保险登记编号 → 养老保险登记编码, keeps them), a data element as
    itself; and the bigrams of the item's name."""
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for t, f in _token_fields(matrix).items():
        key = f.token if f.is_element else f"{f.stem[-STEM_TAIL:]}#{f.group}"
        rows.append(t)
        cols.append(vocabulary.setdefault(key, len(vocabulary)))
    token_features = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(matrix.holdings.shape[1], len(vocabulary))
    )
    parts = [matrix.holdings @ token_features, names.matrix]
    combined = sparse.csr_matrix(sparse.hstack([sparse.csr_matrix(p) for p in parts]), dtype=np.float32)
    combined.data[:] = 1.0
    combined.eliminate_zeros()
    return combined


def _token_fields(matrix: ItemMatrix) -> dict[int, FieldName]:
    """One field name per token (the first seen); their stems are the token's stem."""
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    out: dict[int, FieldName] = {}
    for f in matrix.field_names:
        out.setdefault(index[f.token], f)
    return out


def minhash_pairs(
    feature_matrix: sparse.csr_matrix,
    *,
    bands: int = 20,
    rows: int = 4,
    bucket_cap: int = 200,
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, that share all ``rows`` MinHash values of some band."""
    n, vocabulary = feature_matrix.shape
    if n < 2 or vocabulary == 0:
        return np.zeros((0, 2), dtype=row_type(n))
    rng = np.random.default_rng(_SEED)
    hashes = bands * rows
    a = rng.integers(1, _PRIME, size=hashes, dtype=np.int64)
    b = rng.integers(0, _PRIME, size=hashes, dtype=np.int64)
    ids = np.arange(vocabulary, dtype=np.int64)
    indptr = feature_matrix.indptr
    # the gather's index array made once: with scipy's int32 indices numpy converted
    # them again for each of the 80 gathers, which doubled their cost
    indices = feature_matrix.indices.astype(np.intp)
    empty = np.diff(indptr) == 0
    starts = np.minimum(indptr[:-1], max(len(indices) - 1, 0))
    signature = np.empty((hashes, n), dtype=np.int64)

    def sign(hash_rows: range) -> None:
        for h in hash_rows:
            # below the prime, so 32 bits hold it: half the bytes gathered and reduced
            permuted = ((a[h] * ids + b[h]) % _PRIME).astype(np.int32)
            signature[h] = np.minimum.reduceat(permuted[indices], starts) if len(indices) else 0

    in_parallel(sign, hashes, parallel=len(indices) >= MINHASH_PARALLEL)
    signature[:, empty] = -1 - np.arange(int(empty.sum()))
    found: list[np.ndarray] = [np.zeros((0, 2), dtype=row_type(n))]
    for band in range(bands):
        key = np.zeros(n, dtype=np.uint64)
        for r in range(rows):
            key = key * np.uint64(1_000_003) ^ signature[band * rows + r].astype(np.uint64)
        found.append(_bucket_pairs(key, bucket_cap))
    return np.concatenate(found)


def _bucket_pairs(key: np.ndarray, cap: int) -> np.ndarray:
    """Every pair of items with the same key, for buckets of 2..cap items."""
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate([[0], boundaries])
    sizes = np.diff(np.concatenate([starts, [len(key)]]))
    keep = (sizes >= 2) & (sizes <= cap)
    starts, sizes = starts[keep], sizes[keep]
    if not len(starts):
        return np.zeros((0, 2), dtype=row_type(len(key)))
    position = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    members = order[np.repeat(starts, sizes) + position]
    later = np.repeat(sizes, sizes) - position - 1
    left = np.repeat(members, later)
    offset = np.arange(int(later.sum())) - np.repeat(np.cumsum(later) - later, later)
    base = np.repeat(np.repeat(starts, sizes) + position, later)
    right = order[base + offset + 1]
    return np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1).astype(row_type(len(key)))


def row_type(items: int) -> type[np.signedinteger[Any]]:
    """The integer type pairs of row numbers are held in: 32 bits while they fit. Pairs
    are counted in tens of millions at national size (21.6M candidates at 400k generated
    datasets, growing faster than the datasets), and every copy of them is half the
    size of 64-bit ones."""
    return np.int32 if items <= np.iinfo(np.int32).max else np.int64
