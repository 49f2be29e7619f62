"""Detection judged on the first held-out set, which is now calibration data
(``tests/data/duplicate_pairs_holdout.json``: 83 pairs, 30 duplicates and 53 hard
negatives, written pair by pair by another helper session that opened no detector
source, tests, benchmarks or calibration pairs; its ``about`` says how).

History: the set was evaluated once blind, after the matcher was finished on
``duplicate_pairs.json``: precision 0.90, recall 0.30. Having been reported, it then
became calibration data for the next round of issue 9: every missed pair and false alarm
was studied, and the matcher was improved by general rules and dictionary entries (see
``registry.analysis.fieldmatch`` and ``fieldnames``), not by listing its names; the third
round, calibrated on the second blind set too, raised its recall further. On it the
matcher now reaches precision 1.00, recall 0.867 at the default threshold; the floors
below hold that. These figures are calibration figures and say nothing about catalogues
the matcher was not shaped on: the blind figure of the third round is in
``test_holdout3_pairs.py``."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs_holdout.json"
PRECISION_FLOOR = 1.0
RECALL_FLOOR = 0.86
"""Measured on the finished matcher of the third round (see the module docstring)."""


def _pairs() -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"]]


def test_the_former_held_out_set_is_large_enough_and_now_calibration() -> None:
    pairs = _pairs()
    assert len(pairs) >= 60
    assert sum(p.duplicate for p in pairs) >= 20
    assert sum(not p.duplicate for p in pairs) >= 40
    assert {p.split for p in pairs} == {"calibrate"}


def test_precision_and_recall_on_the_former_held_out_set() -> None:
    result = evaluate(_pairs())
    assert result.precision >= PRECISION_FLOOR - 1e-9, result.false_alarms
    assert result.recall >= RECALL_FLOOR - 1e-9, result.missed
