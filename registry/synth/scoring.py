"""Compare found duplicate groups with the planted ones, pair by pair.

Planted groups that share a member (a dataset copied twice, or copied as part of a
rebuilt system) are merged first: duplication is transitive, so every pair inside a
merged group is a true duplicate pair."""

from collections.abc import Iterable, Sequence
from itertools import combinations, pairwise

from scipy.cluster.hierarchy import DisjointSet


def merged(groups: Iterable[Sequence[str]]) -> list[set[str]]:
    sets = DisjointSet()
    for group in groups:
        for key in group:
            sets.add(key)
        for a, b in pairwise(group):
            sets.merge(a, b)
    return [set(s) for s in sets.subsets()]


def pairs(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for group in merged(groups):
        found.update(combinations(sorted(group), 2))
    return found


def precision_recall(found: Iterable[Sequence[str]], truth: Iterable[Sequence[str]]) -> tuple[float, float]:
    got, want = pairs(found), pairs(truth)
    hit = len(got & want)
    precision = hit / len(got) if got else 1.0
    recall = hit / len(want) if want else 1.0
    return precision, recall
