"""Detection judged against a reviewer's labels on hand-written catalogue pairs
(``tests/data/duplicate_pairs.json``), not on data the detector's own generator made.

Thresholds, weights and the dictionary's word lists were chosen looking at the
``calibrate`` half only; the ``report`` half is held out. On the calibrate half precision
and recall reach 0.9. On the held-out half precision does, recall does not (0.75 when
this was written: renamings the dictionary does not know, see bench/README.md); the test
holds that floor so a change that loses more held-out copies fails."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs.json"
HELD_OUT_RECALL_FLOOR = 0.75


def _pairs(split: str) -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"] if p["split"] == split]


def test_the_labelled_set_is_large_enough_and_mostly_hard() -> None:
    pairs = _pairs("calibrate") + _pairs("report")
    assert len(pairs) >= 60
    assert sum(p.duplicate for p in pairs) >= 20
    assert sum(not p.duplicate for p in pairs) >= 40


def test_precision_and_recall_on_the_calibration_half() -> None:
    result = evaluate(_pairs("calibrate"))
    assert result.precision >= 0.9, result.false_alarms
    assert result.recall >= 0.9, result.missed


def test_precision_and_recall_on_the_held_out_half() -> None:
    result = evaluate(_pairs("report"))
    assert result.precision >= 0.9, result.false_alarms
    assert result.recall >= HELD_OUT_RECALL_FLOOR, result.missed
