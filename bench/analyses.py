"""The analyses on a loaded registry, through the service path: time and accuracy.

Run: ``python -m bench.analyses [--sizes 1000,10000,100000] [--baseline-max 10000]``.

Each size runs in a fresh interpreter on the cached generated registry (``bench/registries``,
planted duplicates, gaps and placement violations with their ground truth): the caller's
visible graph (``service.graph``, timed as its own step), duplicate detection on datasets
and on systems over the caller's rows as the service's callers run it (``find_duplicates``
over ``service.rows``, no graph), then sharing gaps and the placement check, each
timed and scored against what was planted. The baseline, in the same run, scores every
pair of datasets with the same scoring function (``bench.duplicates.all_pairs``, no
candidate generation): the exact answer the candidate filter approximates, on the sizes
up to ``--baseline-max`` where the quadratic loop finishes. The growth exponent between
consecutive sizes is log(t2/t1)/log(n2/n1) of the dataset duplicate detection.
"""

import json
import math
from typing import Any

from bench.common import Report, isolated, measured, sized_main
from bench.duplicates import all_pairs
from bench.registries import prepare
from registry.analysis.duplicates import find_duplicates
from registry.analysis.gaps import sharing_gaps
from registry.analysis.holdings import item_matrix
from registry.analysis.placement import placement_findings
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.synth.scoring import precision_recall

COLUMNS = ["datasets", "step", "seconds", "peak_rss_mib", "found", "precision", "recall", "exponent"]


def analyse(store_path: str, truth_path: str, baseline: bool) -> list[dict[str, Any]]:
    with open(truth_path, encoding="utf-8") as handle:
        truth = json.load(handle)
    service = RegistryService(SQLiteStore(store_path))
    rows: list[dict[str, Any]] = []
    with measured() as m:
        graph = service.graph(Caller.system())
    rows.append({"step": "service.graph(system)", "seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib})
    for kind in ("Dataset", "System"):
        with measured() as m:
            found = find_duplicates(service.rows(Caller.system()), kind=kind)
        precision, recall = precision_recall([c.keys for c in found], truth["duplicates"][kind])
        rows.append(
            {
                "step": f"duplicates ({kind})",
                "seconds": m.seconds,
                "peak_rss_mib": m.peak_rss_mib,
                "found": len(found),
                "precision": precision,
                "recall": recall,
            }
        )
    if baseline:
        matrix = item_matrix(service.rows(Caller.system()), "Dataset")
        with measured() as m:
            exact = all_pairs(matrix)
        precision, recall = precision_recall(exact, truth["duplicates"]["Dataset"])
        rows.append(
            {
                "step": "baseline: all pairs (Dataset)",
                "seconds": m.seconds,
                "peak_rss_mib": m.peak_rss_mib,
                "found": len(exact),
                "precision": precision,
                "recall": recall,
            }
        )
    with measured() as m:
        gaps = sharing_gaps(graph)
    planted = {(g["kind"], g["subject"]) for g in truth["gaps"]}
    rows.append(
        {
            "step": "sharing gaps",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "found": len(gaps),
            "recall": len(planted & {(g.kind, g.subject) for g in gaps}) / len(planted),
        }
    )
    with measured() as m:
        findings = placement_findings(graph)
    planted = {(p["rule"], p["system"]) for p in truth["placement"]}
    rows.append(
        {
            "step": "placement check",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "found": len(findings),
            "recall": len(planted & {(f.rule, f.system) for f in findings}) / len(planted),
        }
    )
    return rows


def run(sizes: list[int], baseline_max: int, seed: int) -> Report:
    report = Report("analyses", COLUMNS)
    timed: list[tuple[int, float]] = []
    for n in sizes:
        prepared = prepare(n, seed)
        for row in isolated(analyse, str(prepared.store), str(prepared.truth), n <= baseline_max):
            if row["step"] == "duplicates (Dataset)":
                if timed:
                    previous_n, previous_s = timed[-1]
                    row["exponent"] = math.log(row["seconds"] / previous_s) / math.log(prepared.datasets / previous_n)
                timed.append((prepared.datasets, row["seconds"]))
            report.add(datasets=prepared.datasets, **row)
    report.note(f"baseline all-pairs run on sizes <= {baseline_max:,} datasets only (quadratic)")
    report.note("gaps and placement: recall = planted problems found / planted; found = all findings")
    report.note("exponent: growth of dataset duplicate detection time between consecutive sizes")
    if len(timed) > 1:
        first, last = timed[0], timed[-1]
        report.note(f"exponent over the whole range: {math.log(last[1] / first[1]) / math.log(last[0] / first[0]):.2f}")
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=10_000)


if __name__ == "__main__":
    main()
