"""Pruning candidates before they are scored in full must not change a finding: the pairs
whose holdings bound cannot be accepted are dropped before their texts are compared
(``deciding_only``), and keys only one token has are left out of the bound. Every
accepted pair, score, part, label and piece of evidence must be what scoring every
candidate gives, on generated registries of a few sizes and naming styles, through the
service for both callers, and on the small Chinese catalogues."""

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from registry.analysis.duplicates import Scoring, candidate_pairs, clusters, detect
from registry.analysis.evaluation import Entry, LabelledPair, catalogue
from registry.analysis.fieldnames import FieldName
from registry.analysis.holdings import item_matrix
from registry.analysis.matrix import ItemMatrix
from registry.service import Caller, RegistryService
from registry.synth import generate
from registry.synth.styles import styled
from tests.analysis.test_duplicate_examples import FOUR_DEPARTMENTS
from tests.analysis.test_duplicate_examples import catalogue as department_catalogue

LABELLED = Path(__file__).parents[1] / "data" / "duplicate_pairs.json"


def _labelled_catalogue() -> ItemMatrix:
    pairs = [LabelledPair.from_dict(p) for p in json.loads(LABELLED.read_text(encoding="utf-8"))["pairs"]]
    entries: dict[Entry, int] = {}
    for pair in pairs:
        entries.setdefault(pair.a, len(entries))
        entries.setdefault(pair.b, len(entries))
    return catalogue(list(entries))


MATRICES: dict[str, Callable[[], ItemMatrix]] = {
    "generated 400": lambda: generate(datasets=400, seed=5).matrix(),
    "generated 2000": lambda: generate(datasets=2000, seed=6).matrix(),
    "renamed 600": lambda: styled(600, "renamed", seed=4).matrix(),
    "synonyms 600": lambda: styled(600, "synonyms", seed=4).matrix(),
    "dropped_added 600": lambda: styled(600, "dropped_added", seed=4).matrix(),
    "labelled pairs": _labelled_catalogue,
    "four departments": lambda: department_catalogue(FOUR_DEPARTMENTS),
}


def _assert_same(matrix: ItemMatrix) -> None:
    full, full_mask, full_labels = detect(matrix)
    pruned, pruned_mask, pruned_labels = detect(matrix, deciding_only=True)
    assert full_mask.any()
    assert len(pruned.left) < len(full.left)
    np.testing.assert_array_equal(pruned_labels, full_labels)
    for name in ("left", "right", "total"):
        np.testing.assert_array_equal(getattr(pruned, name)[pruned_mask], getattr(full, name)[full_mask])
    assert set(pruned.parts) == set(full.parts)
    for part, values in full.parts.items():
        np.testing.assert_array_equal(pruned.parts[part][pruned_mask], values[full_mask])
    kept = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(pruned.left, pruned.right, strict=True))}
    for k in np.flatnonzero(full.refined):
        assert full.matched[int(k)] == pruned.matched[kept[(int(full.left[k]), int(full.right[k]))]]
    found = [c.to_dict() for c in clusters(matrix)]
    assert found and found == [c.to_dict() for c in clusters(matrix, deciding_only=False)]


@pytest.mark.parametrize("name", sorted(MATRICES))
def test_pruned_detection_finds_what_full_scoring_finds(name: str) -> None:
    _assert_same(MATRICES[name]())


@pytest.mark.parametrize("caller", [Caller.system(), Caller.public()], ids=["admin", "public"])
@pytest.mark.parametrize("kind", ["Dataset", "System"])
def test_pruned_detection_through_the_service(planted: RegistryService, caller: Caller, kind: str) -> None:
    _assert_same(item_matrix(planted.rows(caller), kind))


def _could_match_by_definition(matrix: ItemMatrix, i: int, j: int) -> int:
    """``Scoring``'s bound of the fields beyond the shared tokens that could match,
    spelled out with every key, those only one token has among them."""
    index = {token: t for t, token in enumerate(matrix.token_keys)}
    first: dict[int, FieldName] = {}
    for f in matrix.field_names:
        first.setdefault(index[f.token], f)
    wholes = {k for f in first.values() for k in f.whole_keys}
    indptr, indices = matrix.holdings.indptr, matrix.holdings.indices
    held = [set(indices[indptr[r] : indptr[r + 1]].tolist()) for r in (i, j)]

    def counted(row: set[int], keys_of: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for t in row:
            if keys_of == "part":
                found.update(k for k in first[t].part_key_list() if k in wholes)
            else:
                found.update(getattr(first[t], keys_of))
        return found

    def fewer(a: Counter[str], b: Counter[str]) -> int:
        return sum(min(n, b[k]) for k, n in a.items())

    def bases(row: set[int]) -> set[int]:
        return {index[f.base.token] for t in row if (f := first[t]).base is not None and f.base.token in index}

    left, right = held
    total = fewer(counted(left, "keys"), counted(right, "keys"))
    total += fewer(counted(left, "whole_keys"), counted(right, "part"))
    total += fewer(counted(left, "part"), counted(right, "whole_keys"))
    total += len(bases(left) & right) + len(left & bases(right))
    total -= sum(len(first[t].keys) for t in left & right)
    return max(total, 0)


def test_the_bound_without_single_token_keys_is_the_bound_with_them() -> None:
    matrix = generate(datasets=300, seed=7).matrix()
    scoring = Scoring.of(matrix)
    pairs = candidate_pairs(matrix, spaces=scoring.spaces)[::7]
    found = scoring.could_match(pairs[:, 0], pairs[:, 1])
    expected = [_could_match_by_definition(matrix, int(i), int(j)) for i, j in pairs]
    assert len(pairs) > 50 and max(expected) > 0
    np.testing.assert_array_equal(found, np.asarray(expected, dtype=np.float32))
