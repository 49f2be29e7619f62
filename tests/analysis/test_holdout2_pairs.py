"""Detection judged on the second blind set, which is now calibration data
(``tests/data/duplicate_pairs_holdout2.json``: 104 pairs, 42 duplicates and 62 hard
negatives, written pair by pair by another helper session that opened no detector
source, tests, benchmarks or earlier labelled set; its ``about`` says how).

History: the set was evaluated once blind, after the matcher of the second round of
issue 9 was finished (the matcher of d31f6b9 on main): precision 0.971, recall 0.786.
Having been reported, it then became calibration data for the third round: every
missed pair and the false alarm were studied, and the matcher was improved by general
rules and dictionary entries (a name offering alternatives read as its first, an
element matched to the broader one it is a kind of, domain words departments write for
one another: see ``registry.analysis.fieldnames`` and ``dictionary.json``), not by
listing its names. On it the matcher now reaches precision 0.974, recall 0.905 at the
default threshold; the floors below hold that. These figures are calibration figures
and say nothing about catalogues the matcher was not shaped on: the blind figure of the
third round is in ``test_holdout3_pairs.py``."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs_holdout2.json"
PRECISION_FLOOR = 0.97
RECALL_FLOOR = 0.9
"""Measured on the finished matcher of the third round (see the module docstring)."""


def _pairs() -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"]]


def test_the_former_blind_set_is_large_enough_and_now_calibration() -> None:
    pairs = _pairs()
    assert len(pairs) >= 100
    assert sum(p.duplicate for p in pairs) >= 40
    assert sum(not p.duplicate for p in pairs) >= 60
    assert {p.split for p in pairs} == {"calibrate"}


def test_precision_and_recall_on_the_former_blind_set() -> None:
    result = evaluate(_pairs())
    assert result.precision >= PRECISION_FLOOR - 1e-9, result.false_alarms
    assert result.recall >= RECALL_FLOOR - 1e-9, result.missed
