"""Detection judged against a reviewer's labels on hand-written catalogue pairs
(``tests/data/duplicate_pairs.json``), not on data the detector's own generator made.
Thresholds and weights were chosen on the ``calibrate`` half; the ``report`` half is held
out and is what this test asserts."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs.json"


def _pairs(split: str) -> list[LabelledPair]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"] if p["split"] == split]


def test_the_labelled_set_is_large_enough_and_mostly_hard() -> None:
    pairs = _pairs("calibrate") + _pairs("report")
    assert len(pairs) >= 60
    assert sum(p.duplicate for p in pairs) >= 20
    assert sum(not p.duplicate for p in pairs) >= 40
