"""Leave-one-set-out: how the round-6 matcher changes do on a labelled set they were not
chosen on.

Six hand-labelled sets (``tests/data/duplicate_pairs*.json``, each written blind by
another helper) are all calibration now, so their in-sample figures flatter the
matcher. Here each change of round 6 (a family of the bundled dictionary, a matching
rule, the name-disagreement factor) is a candidate; for each held-out set, the changes
are chosen on the other five alone (backward elimination: from all changes, drop any whose
absence does not add to their missed copies and false alarms, until each one left is
needed), and the held-out set is scored with what was
chosen. A change that only helps the set it was read from is not chosen when that set
is held out.

Run: ``python -m bench.duplicates_loso [--hold duplicate_pairs_holdout4.json,...]``.
Prints, per held-out set, the chosen changes and precision / recall / F1 with them,
beside the figures of the matcher before the round (no change) and with every change
(in-sample).
"""

import argparse
import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from registry.analysis import duplicates, fieldmatch, fieldnames, subjects
from registry.analysis.evaluation import LabelledPair, evaluate

DATA = Path(__file__).parent.parent / "tests" / "data"
SETS = (
    "duplicate_pairs.json",
    "duplicate_pairs_holdout.json",
    "duplicate_pairs_holdout2.json",
    "duplicate_pairs_holdout3.json",
    "duplicate_pairs_holdout4.json",
    "duplicate_pairs_holdout5.json",
)


@dataclass(frozen=True)
class Family:
    """Dictionary entries added in round 6: ``variants`` of an existing entry (by
    ``name``, or a suffix ``klass``), or a whole new element (``variants`` empty)."""

    name: str
    variants: tuple[str, ...] = ()
    klass: str = ""
    qualified: bool = False
    """The entry's ``qualified`` heads came with the family."""


FAMILIES = {
    "证照编号+": Family(
        "证照编号",
        ("证号", "证号码", "证编号", "许可证号", "许可证编号", "许可编号", "执照号", "执照编号", "证字号"),
        qualified=True,
    ),
    "发证机关": Family("发证机关"),
    "发证日期": Family("发证日期"),
    "有效期至": Family("有效期至"),
    "单位名称+": Family(
        "单位名称",
        ("经营者名称", "经营户名称", "商户名称", "零售户名称", "医院名称", "学校名称", "社名称", "门店名称", "厂名称"),
    ),
    "法定代表人+": Family("法定代表人", ("主要负责人", "单位负责人")),
    "注册地址+": Family("注册地址", ("单位地址", "企业地址", "公司地址", "机构地址")),
    "起始+": Family("", ("始", "期始"), klass="起始"),
    "代码+": Family("", ("字号",), klass="代码"),
}
RULES = ("names-disagree",)
FACTOR = 0.6


def _without(data: dict[str, Any], left_out: set[str]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for key in left_out:
        family = FAMILIES[key]
        if family.klass:
            for entry in data["suffixes"]:
                if entry["class"] == family.klass:
                    entry["variants"] = [v for v in entry["variants"] if v not in family.variants]
        elif not family.variants:
            data["elements"] = [e for e in data["elements"] if e["name"] != family.name]
        else:
            for entry in data["elements"]:
                if entry["name"] == family.name:
                    entry["variants"] = [v for v in entry["variants"] if v not in family.variants]
                    if family.qualified:
                        entry.pop("qualified", None)
    return data


@cache
def _bundled() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (resources.files("registry.analysis") / "dictionary.json").read_text(encoding="utf-8")
    )
    return loaded


@contextmanager
def chosen(changes: frozenset[str]) -> Iterator[None]:
    """The matcher with only ``changes`` of round 6 (the others left out)."""
    built = fieldnames.read_dictionary(_without(_bundled(), set(FAMILIES) - changes))
    saved: list[tuple[Any, str, Any]] = []

    def patch(module: Any, name: str, value: Any) -> None:
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)

    def lookup() -> fieldnames.Dictionary:
        return built

    for module in (fieldnames, fieldmatch, subjects):
        patch(module, "dictionary", lookup)
    patch(duplicates, "DISAGREEING_NAMES", FACTOR if "names-disagree" in changes else 1.0)
    _clear_caches()
    try:
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)
        _clear_caches()


def _clear_caches() -> None:
    subjects.core.cache_clear()
    fieldnames._part_keys.cache_clear()


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    errors: int
    """Copies missed plus false alarms."""

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _pairs(name: str) -> list[LabelledPair]:
    document = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [LabelledPair.from_dict(p) for p in document["pairs"]]


def score(changes: frozenset[str], names: tuple[str, ...]) -> dict[str, Score]:
    with chosen(changes):
        found = {}
        for name in names:
            result = evaluate(_pairs(name))
            found[name] = Score(result.precision, result.recall, len(result.missed) + len(result.false_alarms))
        return found


def select(train: tuple[str, ...], objective: Callable[[dict[str, Score]], float]) -> frozenset[str]:
    """Backward elimination of changes on ``train``: from all of them, drop the change
    whose absence scores best as long as that is no worse than keeping it (a change the
    five sets give no evidence for is dropped), until every change left is needed."""
    picked = frozenset(FAMILIES) | frozenset(RULES)
    best = objective(score(picked, train))
    while picked:
        trials = {c: objective(score(picked - {c}, train)) for c in sorted(picked)}
        change, value = max(trials.items(), key=lambda t: (t[1], t[0]))
        if value < best - 1e-9:
            break
        picked, best = picked - {change}, value
    return picked


def fewest_errors(scores: dict[str, Score]) -> float:
    """Every labelled pair counts alike, whichever set it is in (a mean F1 would let a
    set whose recall is low ignore its false alarms)."""
    return -float(sum(s.errors for s in scores.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hold", default=",".join(SETS), help="Sets to hold out, one at a time.")
    arguments = parser.parse_args()
    everything = frozenset(FAMILIES) | frozenset(RULES)
    before = score(frozenset(), SETS)
    after = score(everything, SETS)
    print(
        "set | before P / R | all changes (in-sample) P / R | held out: chosen on the other five P / R | changes chosen"
    )
    for held in arguments.hold.split(","):
        train = tuple(s for s in SETS if s != held)
        picked = select(train, fewest_errors)
        out = score(picked, (held,))[held]
        b, a = before[held], after[held]
        left = ", ".join(sorted(everything - picked)) or "none"
        print(
            f"{held} | {b.precision:.3f} / {b.recall:.3f} | {a.precision:.3f} / {a.recall:.3f} | "
            f"{out.precision:.3f} / {out.recall:.3f} | {len(picked)} of {len(everything)} (left out: {left})",
            flush=True,
        )


if __name__ == "__main__":
    main()
