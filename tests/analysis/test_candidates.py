import numpy as np
import pytest
from scipy import sparse

from registry.analysis import candidates, ngrams
from registry.analysis.candidates import minhash_pairs
from registry.analysis.ngrams import row_dots


def _features(rows: int, columns: int, seed: int) -> sparse.csr_matrix:
    """0/1 features where some rows repeat others with a feature changed: near copies
    MinHash must pair, among random rows (a row left empty too)."""
    rng = np.random.default_rng(seed)
    dense = (rng.random((rows, columns)) < 0.04).astype(np.float32)
    dense[1::7] = dense[0::7][: len(dense[1::7])]
    dense[1::7, 0] = 1.0
    dense[5] = 0.0
    return sparse.csr_matrix(dense)


def test_minhash_in_two_threads_pairs_what_one_thread_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    features = _features(600, 400, seed=1)
    monkeypatch.setattr(candidates, "MINHASH_PARALLEL", 10**12)
    alone = minhash_pairs(features)
    monkeypatch.setattr(candidates, "MINHASH_PARALLEL", 0)
    split = minhash_pairs(features)
    assert len(alone) > 0
    np.testing.assert_array_equal(alone, split)
    copies = {(i, i + 1) for i in range(0, 600 - 1, 7)}
    assert len(copies & set(map(tuple, alone.tolist()))) >= 0.8 * len(copies)


def test_row_products_in_two_threads_are_those_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    features = _features(300, 200, seed=2)
    rng = np.random.default_rng(3)
    left, right = rng.integers(0, 300, 5000), rng.integers(0, 300, 5000)
    monkeypatch.setattr(ngrams, "ROW_DOTS_CHUNK", 512)
    monkeypatch.setattr(ngrams, "ROW_DOTS_PARALLEL", 10**12)
    alone = row_dots(features, features, left, right)
    monkeypatch.setattr(ngrams, "ROW_DOTS_PARALLEL", 0)
    split = row_dots(features, features, left, right)
    np.testing.assert_array_equal(alone, split)
    expected = np.asarray(features[left].multiply(features[right]).sum(axis=1)).ravel()
    np.testing.assert_allclose(alone, expected)
