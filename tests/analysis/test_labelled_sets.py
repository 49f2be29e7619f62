"""Detection judged against hand-labelled catalogue pairs, not data the detector's own
generator made: nine sets under ``tests/data/``, each held to the precision and recall
measured on it (a change that loses copies or precision fails).

Each set after the first was written pair by pair by another helper session from its
own understanding of how departments catalogue 政务信息资源 and name 信息项, without
opening the detector's source, tests, benchmarks or any earlier labelled set (each
file's ``about`` says how, in Chinese). A set is **blind** until it has been evaluated
once, looking only at its precision and recall; after that it was studied and became
**calibration** data for the next round of issue 9, and its figures say nothing about
catalogues the matcher was not shaped on.

- ``duplicate_pairs.json`` (80 pairs): calibration from the start; thresholds, weights
  and rules were chosen looking at it.
- ``duplicate_pairs_holdout.json`` (83 pairs): blind in round 1, precision 0.90, recall
  0.30; calibration since, now P 1.00, R 0.867.
- ``duplicate_pairs_holdout2.json`` (104 pairs): blind in round 2 (the matcher of
  d31f6b9), P 0.971, R 0.786; calibration in round 3, now P 0.974, R 0.905.
- ``duplicate_pairs_holdout3.json`` (104 pairs, copied byte for byte, sha256
  46a78ae9…5c528fb, its pairs' ``split`` since changed from ``report`` to
  ``calibrate``): blind in round 3, evaluated once after the matcher of 98feb14 was
  committed: **precision 0.75, recall 0.071** (3 of 42 copies found, one false alarm).
  Its copies are rebuilt by another department or another level of government
  (prefixes, units and suffixes added, a code for a name, everyday synonyms).
  Calibration in round 4 (studied, and cross-checked by calibrating on its odd ids and
  reading its even ids). Round 4's name rule lifted it to P 0.929, R 0.310 but was
  withdrawn (below); with the round's field-name folding alone it is P 0.80, R 0.095.
- ``duplicate_pairs_holdout4.json`` (100 pairs, 40 copies, copied byte for byte,
  sha256 820eae7a…27ec42a, its pairs' ``split`` since changed from ``report`` to
  ``calibrate``): blind, written in round 4 by another helper under the same rules
  before the round's matcher changes began, then evaluated three times looking only at
  precision and recall (its pairs never read): with the matcher of f93a5fa, before round 4, P 0.846, R 0.275;
  with the matcher of 7625d93, after round 4, **P 0.882, R 0.375**. That gain came
  wholly from round 4's dataset-name rule (a name's core inside the other's adds to the
  field evidence), which cut the generator's precision at 50k datasets to 0.554 (exact
  style; 0.880 without it): withdrawn. With the round's field-name folding alone (the
  third evaluation, e419aed) the set scores P 0.846, R 0.275, its floors here. Three
  looks at its figures, one of them used to withdraw a rule, make it a weaker blind set
  than a fresh one; the 0.9 targets are far. Calibration in round 5: a general
  thesaurus (同义词词林) was tried on it and holdout3 and not adopted (docs/rules.md).
- ``duplicate_pairs_holdout5.json`` (100 pairs, 40 copies, copied byte for byte,
  sha256 4829277b…c4260aa): **blind**, written in round 5 by another helper under the
  same rules, evaluated once, looking only at precision and recall, with the matcher of
  ca6f7c2 (round 5 changed the styled generator's truth and the detector's speed, not
  its scores): **precision 0.706, recall 0.300** (12 of 40 copies found, 5 false
  alarms). Calibration in round 6 (studied pair by pair); its file is kept byte for
  byte, so its pairs still say ``report`` (``file_split``) while the set is calibration
  here.
- ``duplicate_pairs_holdout6.json`` (100 pairs, 40 copies, copied byte for byte,
  sha256 61e62ecf…3f1e8a1): **blind**, written in round 6 by another helper under the
  same rules while the round's matcher changes were made by a helper who never saw it,
  then evaluated once, looking only at precision and recall, with the matcher of
  82e7567 (round 6's rules below): **precision 0.850, recall 0.425** (17 of 40 copies
  found, 3 false alarms). For comparison, the matcher before the round (5304651)
  scored it P 0.680, R 0.425 (17 found, 8 false alarms): the round's rules removed
  false alarms on a catalogue nobody studied but found no more copies. Its writer made
  the negatives share more identical field names than the copies do (on average); the
  0.9 targets are far. Calibration in round 7 (its misses read; its pairs still say
  ``report``, ``file_split``).

- ``duplicate_pairs_holdout7.json`` (100 pairs, 40 copies, copied byte for byte,
  sha256 36aa41e0…7a47): written in round 7 by another helper under the same rules
  while the round's matcher helper, who never saw it, worked; evaluated by precision and
  recall with the matcher before the round (98ca0a3) and after it (6e3d6aa): **precision
  0.286, recall 0.050** both times (2 of 40 copies found, 5 false alarms). The scores of
  its copies and of its negatives barely differ (the chance that a copy outscores a
  negative is 0.53): its negatives keep the field list and change the business
  (医疗 / 养老保险参保登记, 非正常户认定 / 解除, 护照 / 往来港澳通行证签发), its copies
  rename by meaning and abbreviate (安全生产许可证 / 安许证底册). The lead read seven of
  its pairs to see why: calibration from then on, its file kept byte for byte.
- ``duplicate_pairs_holdout8.json`` (100 pairs, 40 copies, copied byte for byte, sha256
  1e95cc67…d9ec): **blind**, written in round 7 by a third helper under the same rules
  (other domains asked for: 科技, 通信管理, 民航, 邮政, 殡葬, 网格化, 12345热线 …),
  evaluated by precision and recall only: before the round (98ca0a3) P 0.700, R 0.175
  (7 found, 3 false alarms); after it (6e3d6aa) **P 0.727, R 0.200** (8 found, 3 false
  alarms), its floors. The 0.9 targets on catalogues the matcher was not shaped on are
  far, and this round did not bring them nearer.

Round 6 (head-concept families in the dictionary, a certificate's number qualified by
its certificate, names of the same business and another subject lowering a pair) moved the sets, in sample, to:
P 1.00 R 1.00; P 1.00 R 0.833 (one copy, 就业失业 / 就业创业, lost to the name rule);
P 1.00 R 0.905; P 1.00 R 0.167; P 1.00 R 0.425; P 1.00 R 0.475, the floors below.
Round 7 (the seven sets before holdout7 calibration; holdout6 studied, its file kept byte for byte, so its
pairs still say ``report``): a semantic model of Chinese text (a sentence encoder shipped
inside a PyPI package) was measured and not adopted (docs/rules.md, bench/README.md); a
county, township or village column (所属区县, 乡镇（街道）) now weighs as an
administrative column: holdout3 R 0.167 → 0.190 (two copies found, one lost), holdout6
P 0.850 → 0.857, R 0.425 → 0.450, the same out of sample (both sets support it).
Out of sample (``python -m bench.duplicates_loso``: the changes chosen on the other
five sets only) the figures are lower; bench/README.md, "Duplicate detection", gives
both.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "data"


@dataclass(frozen=True)
class LabelledSet:
    file: str
    split: str
    """``calibrate`` once a set has been studied; ``report`` while it is blind."""
    pairs: int
    duplicates: int
    negatives: int
    precision: float
    recall: float
    """The floors: what was measured on the set (module docstring)."""
    file_split: str = ""
    """What the file's pairs say, where it differs from ``split``: a set studied after
    its file was frozen (its sha256 names it) keeps ``report`` in the file."""


SETS = [
    LabelledSet("duplicate_pairs.json", "calibrate", 60, 20, 40, 1.0, 1.0),
    LabelledSet("duplicate_pairs_holdout.json", "calibrate", 60, 20, 40, 1.0, 0.83),
    LabelledSet("duplicate_pairs_holdout2.json", "calibrate", 100, 40, 60, 1.0, 0.9),
    LabelledSet("duplicate_pairs_holdout3.json", "calibrate", 100, 40, 60, 1.0, 0.19),
    LabelledSet("duplicate_pairs_holdout4.json", "calibrate", 100, 40, 60, 1.0, 0.425),
    LabelledSet("duplicate_pairs_holdout5.json", "calibrate", 100, 40, 60, 1.0, 0.475, file_split="report"),
    LabelledSet("duplicate_pairs_holdout6.json", "calibrate", 100, 40, 60, 0.857, 0.45, file_split="report"),
    LabelledSet("duplicate_pairs_holdout7.json", "calibrate", 100, 40, 60, 0.285, 0.05, file_split="report"),
    LabelledSet("duplicate_pairs_holdout8.json", "report", 100, 40, 60, 0.727, 0.2),
]


def _pairs(labelled: LabelledSet) -> list[LabelledPair]:
    document = json.loads((DATA / labelled.file).read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"]]


@pytest.mark.parametrize("labelled", SETS, ids=lambda s: s.file)
def test_the_set_is_large_enough_mostly_hard_and_labelled_for_its_use(labelled: LabelledSet) -> None:
    pairs = _pairs(labelled)
    assert len(pairs) >= labelled.pairs
    assert sum(p.duplicate for p in pairs) >= labelled.duplicates
    assert sum(not p.duplicate for p in pairs) >= labelled.negatives
    assert {p.split for p in pairs} == {labelled.file_split or labelled.split}


@pytest.mark.parametrize("labelled", SETS, ids=lambda s: s.file)
def test_precision_and_recall_hold_what_was_measured(labelled: LabelledSet) -> None:
    result = evaluate(_pairs(labelled))
    assert result.precision >= labelled.precision - 1e-9
    assert result.recall >= labelled.recall - 1e-9
