"""Detection judged on the blind set of the second round of issue 9
(``tests/data/duplicate_pairs_holdout2.json``: 104 pairs, 42 duplicates and 62 hard
negatives, every pair split ``report``).

How the set was made: written by hand, pair by pair, on 30 Nov 2026 by another helper
session from its own knowledge of how Chinese provincial and municipal departments
compile 信息资源目录 and name 信息项, without opening the detector's source, tests,
benchmarks or any earlier labelled set (its ``about`` says so, in Chinese). It was copied
here byte for byte (sha256 90a866c3…f09c7).

How it was evaluated: the matcher was finished first, on the calibration sets
(``duplicate_pairs.json`` and the former held-out ``duplicate_pairs_holdout.json``) and
the synthetic styles; only then was this file opened, and ``evaluate`` was run on it once
at the default threshold (the matcher of d31f6b9 on main), looking only at its
precision and recall, never at which pairs were missed or falsely accepted. Result:
**precision 0.971, recall 0.786** (33 of 42 duplicates found, one false alarm). The
recall target of 0.9 is not met. The floors below hold what was measured, so a change
that loses blind copies or precision fails; raising them needs a new blind set, since
looking at this one's misses would spend it."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs_holdout2.json"
PRECISION_FLOOR = 0.97
RECALL_FLOOR = 0.78
"""Measured once when the set arrived (see the module docstring); the target is 0.9."""


def _pairs() -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"] if p["split"] == "report"]


def test_the_blind_set_is_large_enough_and_mostly_hard() -> None:
    pairs = _pairs()
    assert len(pairs) >= 100
    assert sum(p.duplicate for p in pairs) >= 40
    assert sum(not p.duplicate for p in pairs) >= 60


def test_precision_and_recall_on_the_blind_set() -> None:
    result = evaluate(_pairs())
    assert result.precision >= PRECISION_FLOOR
    assert result.recall >= RECALL_FLOOR
