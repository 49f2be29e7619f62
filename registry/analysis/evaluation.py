"""Precision and recall of duplicate detection on labelled pairs of catalogue entries.

A reviewer's judgement is the only measure that cannot flatter the detector: pairs of
real-looking entries, each labelled duplicate or not. All entries of the pairs form one
registry (an entry in several pairs is one item), detection runs on it as it would on
a registry (candidate generation included), and each labelled pair is predicted a
duplicate when the detector accepts it. Every entry is its own project, so two entries
of one department are compared too (a department's own project would otherwise exclude
them, which would make such negatives free).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from registry.analysis.duplicates import detect
from registry.analysis.findings import Serialisable
from registry.analysis.matrix import ItemMatrix


@dataclass(frozen=True)
class Entry:
    department: str
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class LabelledPair:
    id: str
    duplicate: bool
    a: Entry
    b: Entry
    split: str = ""
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LabelledPair":
        def entry(side: dict[str, Any]) -> Entry:
            return Entry(side["department"], side["name"], tuple(side["fields"]))

        return cls(
            data["id"],
            bool(data["duplicate"]),
            entry(data["a"]),
            entry(data["b"]),
            data.get("split", ""),
            data.get("note", ""),
        )


@dataclass(frozen=True)
class Evaluation(Serialisable):
    pairs: int
    duplicates: int
    precision: float
    recall: float
    missed: list[str]
    false_alarms: list[str]
    scores: dict[str, float]


def evaluate(pairs: Sequence[LabelledPair], *, threshold: float | None = None) -> Evaluation:
    """Detect on the registry the entries of ``pairs`` make; compare with the labels."""
    entries: dict[Entry, int] = {}
    for pair in pairs:
        entries.setdefault(pair.a, len(entries))
        entries.setdefault(pair.b, len(entries))
    matrix = catalogue(list(entries))
    scores, mask, _ = detect(matrix, threshold=threshold)
    found = {(int(a), int(b)) for a, b in zip(scores.left[mask], scores.right[mask], strict=True)}
    score_of = {(int(a), int(b)): float(t) for a, b, t in zip(scores.left, scores.right, scores.total, strict=True)}
    predicted: dict[str, bool] = {}
    score: dict[str, float] = {}
    for pair in pairs:
        low, high = sorted((entries[pair.a], entries[pair.b]))
        key = (low, high)
        predicted[pair.id] = key in found
        score[pair.id] = round(score_of.get(key, 0.0), 4)
    hits = sum(1 for p in pairs if p.duplicate and predicted[p.id])
    said = sum(predicted.values())
    wanted = sum(1 for p in pairs if p.duplicate)
    return Evaluation(
        pairs=len(pairs),
        duplicates=wanted,
        precision=hits / said if said else 1.0,
        recall=hits / wanted if wanted else 1.0,
        missed=[p.id for p in pairs if p.duplicate and not predicted[p.id]],
        false_alarms=[p.id for p in pairs if not p.duplicate and predicted[p.id]],
        scores=score,
    )


def catalogue(entries: Sequence[Entry]) -> ItemMatrix:
    """A dataset matrix of entries, each its own project."""
    names: dict[str, int] = {}
    ids = [names.setdefault(f, len(names)) for e in entries for f in e.fields]
    return ItemMatrix.from_fields(
        "Dataset",
        keys=[f"E{i:04d}" for i in range(len(entries))],
        names=[e.name for e in entries],
        texts=[""] * len(entries),
        departments=[e.department for e in entries],
        projects=[f"P{i:04d}" for i in range(len(entries))],
        field_names=list(names),
        field_indptr=np.cumsum([0] + [len(e.fields) for e in entries]),
        field_ids=np.asarray(ids, dtype=np.int64),
    )
