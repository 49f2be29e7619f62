"""National scale: duplicates and sharing gaps at 1M datasets / 20M fields, from arrays.

Run: ``python -m bench.national [--datasets 1000000] [--stream-size 100000]``.

A networkx projection costs well over 1 KB per field (see ``bench.projection``), so 20M
fields do not fit in this machine's 24 GB; the analyses run on the compact projection
instead (``registry.analysis.compact``: a scipy.sparse dataset x token matrix, one int32
per field, and an element -> providers index). Loading 20M fields into SQLite and
streaming them back would take longer than a benchmark should (the import rate in
``bench.import_throughput`` puts it at many minutes), so the national registry is
generated straight into compact form by the synthetic generator (arrays, planted
duplicates and gaps with their ground truth); the store-streaming path is measured at
``--stream-size`` on the cached generated registry and extrapolated linearly, and the
table says which rows are measured and which extrapolated.

Target: duplicates and gaps at 1M datasets in <= 5 min and <= 12 GB peak RSS.
"""

import argparse
import importlib
import math
from typing import Any

import numpy as np

from bench.common import Report, isolated, measured
from bench.registries import prepare
from registry.analysis.compact import CompactRegistry, NeedRow, compact_gaps, compact_registry
from registry.analysis.duplicates import clusters
from registry.store.records import NodeRef
from registry.store.sqlite import SQLiteStore
from registry.synth import Synth, generate, words
from registry.synth.scoring import precision_recall

synth_generate = importlib.import_module("registry.synth.generate")
"""The generator module (the package exports its ``generate`` function under the same name)."""

COLUMNS = ["step", "datasets", "fields", "seconds", "peak_rss_mib", "result", "how"]
GAP_KINDS = ("unmet_need", "blocked_need", "unused_dataset", "conditional_without_condition")


def from_synth(synth: Synth) -> CompactRegistry:
    """The compact registry of generated arrays, as ``compact_registry`` streams it from a store."""
    shared = np.zeros(len(synth.dataset_keys), dtype=bool)
    for dataset, _dept in synth.shares:
        shared[dataset] = True
    props = synth.dataset_props
    return CompactRegistry(
        synth.matrix(),
        share_types=[p.get("share_type") for p in props],
        conditions=[p.get("share_condition") for p in props],
        secrecy=[p.get("secrecy_level") or "none" for p in props],
        shared=shared,
        needs=[
            NeedRow(n["id"], f"System:{synth.systems[n['requester']]['code']}", NodeRef(*n["target"]))
            for n in synth.needs
        ],
    )


def topic_size(datasets: int) -> int:
    """Datasets per topic such that the generator's vocabulary has enough distinct topic
    stems: it has ``QUALIFIERS x SUBJECTS x OBJECTS`` (20,000) of them and, with 25 per
    topic, would look for 40,000 at 1M datasets and never finish. Larger topics mean more
    same-topic hard negatives per topic, which only makes the duplicate task harder."""
    stems = len(words.QUALIFIERS) * len(words.SUBJECTS) * len(words.OBJECTS)
    return max(synth_generate.TOPIC_SIZE, math.ceil(datasets / (0.9 * stems)))


def national(datasets: int, seed: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    total = 0.0
    synth_generate.TOPIC_SIZE = topic_size(datasets)
    with measured() as m:
        synth = generate(datasets=datasets, seed=seed)
    fields = synth.truth["config"]["fields"]
    n = synth.truth["config"]["datasets"]
    rows.append(
        {
            "step": "generate (arrays)",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "result": f"{synth_generate.TOPIC_SIZE} datasets per topic",
        }
    )
    with measured() as m:
        registry = from_synth(synth)
    total += m.seconds
    rows.append({"step": "compact projection", "seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib})
    with measured() as m:
        found = clusters(registry.matrix)
    total += m.seconds
    precision, recall = precision_recall([c.keys for c in found], synth.truth["duplicates"]["Dataset"])
    rows.append(
        {
            "step": "duplicates",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "result": f"{len(found):,} clusters, P={precision:.3f} R={recall:.3f}",
        }
    )
    with measured() as m:
        gaps = compact_gaps(registry)
    total += m.seconds
    planted = {(g["kind"], g["subject"]) for g in synth.truth["gaps"] if g["kind"] in GAP_KINDS}
    got = {(g.kind, g.subject) for g in gaps}
    rows.append(
        {
            "step": "sharing gaps (4 kinds)",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "result": f"{len(gaps):,} gaps, planted found {len(planted & got)}/{len(planted)}",
        }
    )
    rows.append({"step": "analyses total (projection + duplicates + gaps)", "seconds": total, "peak_rss_mib": None})
    for row in rows:
        row.update(datasets=n, fields=fields, how="measured")
    return rows


def stream(path: str) -> dict[str, Any]:
    with measured() as m:
        registry = compact_registry(SQLiteStore(path))
    return {
        "seconds": m.seconds,
        "peak_rss_mib": m.peak_rss_mib,
        "datasets": len(registry.matrix),
        "fields": int(registry.matrix.holdings.nnz),
    }


def run(datasets: int, stream_size: int, seed: int) -> Report:
    report = Report("national", COLUMNS)
    for row in isolated(national, datasets, seed):
        report.add(**row)
    prepared = prepare(stream_size, seed)
    streamed = isolated(stream, str(prepared.store))
    report.add(step="compact projection streamed from the store", how="measured", **streamed)
    factor = datasets / streamed["datasets"]
    report.add(
        step="compact projection streamed from the store",
        datasets=datasets,
        fields=round(streamed["fields"] * factor),
        seconds=streamed["seconds"] * factor,
        peak_rss_mib=None,
        how=f"extrapolated x{factor:.0f} (linear)",
    )
    report.note("generate: the synthetic generator's arrays; not part of the analysis time")
    report.note(
        "sharing gaps here: unmet, blocked, unused, conditional without condition; boundary needs (clearance levels "
        "along lineage) and SHR-1 (field attributes) run on the networkx path only"
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1_000_000)
    parser.add_argument("--stream-size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run(args.datasets, args.stream_size, args.seed)
    report.print()
    report.save()


if __name__ == "__main__":
    main()
