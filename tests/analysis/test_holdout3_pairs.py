"""Detection judged on the blind set of the third round of issue 9
(``tests/data/duplicate_pairs_holdout3.json``: 104 pairs, 42 duplicates and 62 hard
negatives, every pair split ``report``).

How the set was made: written by hand, pair by pair, on 30 Nov 2026 by another helper
session from its own understanding of how provincial, municipal and county departments
catalogue 政务信息资源 and name 信息项, without opening the detector's source, tests,
benchmarks or any earlier labelled set (its ``about`` says so, in Chinese). Its copies
are rebuilt by another department or another level of government, with renamed
datasets, reordered fields, prefixes added or dropped, synonyms, units and suffixes
added, a code written for a name or the reverse, abbreviations, and a few fields added
or dropped. It was copied here byte for byte (sha256 46a78ae9…5c528fb).

How it was evaluated: the matcher of the third round was finished first, on the
calibration sets (``duplicate_pairs.json``, ``duplicate_pairs_holdout.json``,
``duplicate_pairs_holdout2.json``) and the synthetic styles, and committed; only then
was this file opened, and ``evaluate`` was run on it once at the default threshold
(the matcher of 98feb14 on main), looking only at its precision and recall, never
at which pairs were missed or falsely accepted. Result: **precision 0.75, recall 0.071**
(3 of 42 duplicates found, one false alarm). The recall target of 0.9 is far from met:
on this writer's catalogues the matcher, shaped on three other sets, finds almost no
copy. The floors below hold what was measured, so a change that loses blind copies or
precision fails; raising them needs a new blind set, since looking at this one's misses
would spend it."""

import json
from pathlib import Path

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data" / "duplicate_pairs_holdout3.json"
PRECISION_FLOOR = 0.75
RECALL_FLOOR = 0.07
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
