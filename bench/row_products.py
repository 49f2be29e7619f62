"""Duplicate scoring's row products on matrices with sorted columns, beside the same
matrices with each row's columns out of order, in one process.

Run: ``python -m bench.row_products [--datasets 100000] [--rounds 2] [--seed 1]``.

``ngrams.row_dots`` multiplies row ``left[k]`` of one matrix by row ``right[k]`` of another
for every candidate pair (scipy's ``multiply``, then row sums): the holdings bound
(holdings against the weighted holdings) and the name and description cosines. scipy's
matrix products leave each row's columns unsorted, and ``multiply`` of rows not in
canonical order takes its general path; ``Scoring.of`` and ``NgramSpace`` now sort them
once. The baseline is the same matrices with each row's entries reversed (scipy then
finds them unsorted, as the products left them), alternating with the sorted ones. The
products agree to float32 rounding (the sums add a row's products in another order),
which the run asserts.
"""

import time

import numpy as np
from scipy import sparse

from bench.common import Report, rounds_main
from registry.analysis.duplicates import Scoring, candidate_pairs
from registry.analysis.ngrams import row_dots
from registry.synth import generate

COLUMNS = ["product", "columns", "pairs", "seconds", "cpu_s", "vs_unsorted"]


def unsorted(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """``matrix`` with each row's entries in reverse column order."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    positions = np.arange(matrix.nnz)
    reverse = matrix.indptr[rows + 1] - 1 - (positions - matrix.indptr[rows])
    return sparse.csr_matrix((matrix.data[reverse], matrix.indices[reverse], matrix.indptr.copy()), shape=matrix.shape)


def run(datasets: int, rounds: int, seed: int) -> Report:
    report = Report("row_products", COLUMNS)
    matrix = generate(datasets=datasets, seed=seed).matrix()
    scoring = Scoring.of(matrix)
    pairs = candidate_pairs(matrix, spaces=scoring.spaces)
    left, right = pairs[:, 0], pairs[:, 1]
    products = {
        "holdings bound (holdings x weighted)": (matrix.holdings, scoring.weighted),
        "name cosine": (scoring.spaces["name"].matrix,) * 2,
        "description cosine": (scoring.spaces["description"].matrix,) * 2,
    }
    for product, (a, b) in products.items():
        ways = {"unsorted (baseline)": (unsorted(a), unsorted(b)), "sorted": (a, b)}
        totals = {way: [0.0, 0.0] for way in ways}
        answers = {}
        for turn in range(rounds):
            for way in list(ways) if turn % 2 == 0 else list(reversed(ways)):
                started, cpu = time.perf_counter(), time.process_time()
                answers[way] = row_dots(*ways[way], left, right)
                totals[way][0] += time.perf_counter() - started
                totals[way][1] += time.process_time() - cpu
        if not np.allclose(answers["sorted"], answers["unsorted (baseline)"], rtol=0, atol=1e-5):
            raise SystemExit(f"{product}: the sorted rows give other products")
        for way, (seconds, cpu) in totals.items():
            report.add(
                product=f"{product}: {way}",
                columns="sorted" if way == "sorted" else "reversed",
                pairs=len(pairs),
                seconds=seconds / rounds,
                cpu_s=cpu / rounds,
                vs_unsorted=round(cpu / totals["unsorted (baseline)"][1], 2),
            )
    report.note(f"{len(matrix):,} generated datasets, {matrix.holdings.nnz:,} fields; mean of {rounds} rounds")
    report.note("vs_unsorted: CPU seconds against the same products on rows out of column order")
    return report


def main() -> None:
    rounds_main(__doc__, run)


if __name__ == "__main__":
    main()
