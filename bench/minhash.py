"""MinHash candidates in two threads, beside the same in one thread, in one process.

Run: ``python -m bench.minhash [--datasets 100000] [--copies 10] [--rounds 2]``.

``candidates.minhash_pairs`` computes its 80 hash functions' signatures in two threads
from ``MINHASH_PARALLEL`` feature entries (numpy's gathers and reductions release the
GIL). The baseline is the same function held to one thread (the threshold raised past
the matrix), alternating with it, each round in both orders. The matrix is national
size without a store: the MinHash features of a generated registry (``features`` over
its item matrix and name bigrams), stacked ``--copies`` times, each copy's columns
permuted so that the copies are not each other's duplicates. Both give the same pairs,
which the run asserts.
"""

import argparse
import time

import numpy as np
from scipy import sparse

from bench.common import Report
from registry.analysis import candidates
from registry.analysis.candidates import features, minhash_pairs
from registry.analysis.duplicates import text_spaces
from registry.synth import generate

COLUMNS = ["step", "items", "entries", "seconds", "cpu_s", "pairs"]


def national_features(datasets: int, copies: int, seed: int) -> sparse.csr_matrix:
    matrix = generate(datasets=datasets, seed=seed).matrix()
    one = features(matrix, text_spaces(matrix)["name"])
    rng = np.random.default_rng(seed)
    stacked = [
        sparse.csr_matrix((one.data, rng.permutation(one.shape[1])[one.indices], one.indptr), shape=one.shape)
        for _ in range(copies)
    ]
    combined = sparse.csr_matrix(sparse.vstack(stacked, format="csr"))
    combined.sort_indices()
    return combined


def _timed(feature_matrix: sparse.csr_matrix, threshold: int) -> tuple[np.ndarray, float, float]:
    kept = candidates.MINHASH_PARALLEL
    candidates.MINHASH_PARALLEL = threshold
    try:
        started, cpu = time.perf_counter(), time.process_time()
        pairs = minhash_pairs(feature_matrix)
        return pairs, time.perf_counter() - started, time.process_time() - cpu
    finally:
        candidates.MINHASH_PARALLEL = kept


def run(datasets: int, copies: int, rounds: int, seed: int) -> Report:
    report = Report("minhash", COLUMNS)
    matrix = national_features(datasets, copies, seed)
    ways = [("one thread (baseline)", matrix.nnz + 1), ("two threads", candidates.MINHASH_PARALLEL)]
    if matrix.nnz < candidates.MINHASH_PARALLEL:
        report.note(f"{matrix.nnz:,} entries: below MINHASH_PARALLEL, both ways run in one thread")
    totals = {name: 0.0 for name, _ in ways}
    reference: np.ndarray | None = None
    for r in range(rounds):
        for name, threshold in ways if r % 2 == 0 else ways[::-1]:
            pairs, seconds, cpu = _timed(matrix, threshold)
            if reference is None:
                reference = pairs
            elif not np.array_equal(reference, pairs):
                raise SystemExit(f"round {r + 1}, {name}: other pairs than the first run's")
            totals[name] += seconds
            report.add(
                step=f"round {r + 1}: {name}",
                items=matrix.shape[0],
                entries=matrix.nnz,
                seconds=round(seconds, 2),
                cpu_s=round(cpu, 2),
                pairs=len(pairs),
            )
    ratio = totals["two threads"] / totals["one thread (baseline)"]
    report.note(f"two threads take {ratio:.2f}x the baseline's wall time, with the same pairs")
    report.note("wall and CPU seconds of this process; the machine is shared, so compare the ratio")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    report = run(**vars(parser.parse_args()))
    report.print()
    report.save()


if __name__ == "__main__":
    main()
