"""Detection judged on labelled pairs written blind to the detector's code
(``tests/data/duplicate_pairs_holdout.json``: written pair by pair by another helper
session that opened no detector source, tests, benchmarks or calibration pairs; copied
here unchanged, its ``about`` says how).

The matcher was finished on the calibration pairs first; this set was then evaluated
once, looking only at its precision and recall, never at which pairs were missed, so it
stays held out. Result: precision 0.90, recall 0.30 (30 duplicates, 53 negatives). The
target of 0.9 for recall is **not** met: on catalogues it was not written against, the
detector still misses most renamed copies. The test holds the floor measured, so a change
that loses held-out copies or precision fails; raising it needs a new blind set, since
looking at this one's misses would spend it."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs_holdout.json"
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.3
"""Measured once when the set arrived (see the module docstring); the target is 0.9."""


def _pairs() -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"] if p["split"] == "report"]


def test_the_held_out_set_is_large_enough_and_mostly_hard() -> None:
    pairs = _pairs()
    assert len(pairs) >= 60
    assert sum(p.duplicate for p in pairs) >= 20
    assert sum(not p.duplicate for p in pairs) >= 40


def test_precision_and_recall_on_the_held_out_set() -> None:
    result = evaluate(_pairs())
    assert result.precision >= PRECISION_FLOOR - 1e-9
    assert result.recall >= RECALL_FLOOR - 1e-9
