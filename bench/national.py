"""National scale: duplicates and sharing gaps at 1M datasets / 20M fields, from arrays.

Run: ``python -m bench.national [--datasets 1000000] [--provinces 10] [--stream-size 100000]``.

A networkx projection costs well over 1 KB per field (see ``bench.projection``), so 20M
fields do not fit in this machine's 24 GB; the analyses run on the compact projection
instead (``registry.analysis.compact``: a scipy.sparse dataset x token matrix, one int32
per field, and an element -> providers index). Loading 20M fields into SQLite and
streaming them back would take longer than a benchmark should (the import rate in
``bench.import_throughput`` puts it at many minutes), so the national registry is
generated straight into arrays: ``--provinces`` registries from the synthetic generator
(planted duplicates and gaps with their ground truth), each key prefixed by its province,
appended into one set of arrays. Provinces share the generator's vocabulary, so the same
topics recur in every province: ten times the same-topic hard negatives of one registry,
as a real national catalogue would have. (One 1M-dataset ``generate`` call does not
finish: the vocabulary has 20,000 topic stems and it looks for 40,000.)

The store-streaming path (``compact_registry`` over a loaded SQLite registry) is measured
at ``--stream-size`` and extrapolated linearly; the table says which rows are measured
and which extrapolated.

Target: duplicates and gaps at 1M datasets in <= 5 min and <= 12 GB peak RSS.
"""

import argparse
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.common import Report, isolated, measured
from bench.registries import prepare
from registry.analysis.compact import CompactRegistry, NeedRow, compact_gaps, compact_registry
from registry.analysis.duplicates import clusters
from registry.analysis.fieldnames import FieldNormaliser
from registry.analysis.matrix import ItemMatrix
from registry.schema.records import NodeRef
from registry.store.sqlite import SQLiteStore
from registry.synth import Synth, generate, words
from registry.synth.scoring import precision_recall

COLUMNS = ["step", "datasets", "fields", "seconds", "peak_rss_mib", "result", "how"]
GAP_KINDS = ("unmet_need", "blocked_need", "unused_dataset", "conditional_without_condition")


@dataclass
class National:
    """Provinces appended as arrays: what ``Synth`` holds, every key prefixed by its
    province so that none collide, field names shared through one id table."""

    keys: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    abstracts: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    department_names: dict[str, str] = field(default_factory=dict)
    projects: list[str | None] = field(default_factory=list)
    field_ids: dict[str, int] = field(default_factory=dict)
    lengths: list[np.ndarray] = field(default_factory=list)
    ids: list[np.ndarray] = field(default_factory=list)
    share_types: list[str | None] = field(default_factory=list)
    conditions: list[str | None] = field(default_factory=list)
    secrecy: list[str] = field(default_factory=list)
    shared: list[int] = field(default_factory=list)
    needs: list[NeedRow] = field(default_factory=list)
    duplicates: list[list[str]] = field(default_factory=list)
    gaps: set[tuple[str, str]] = field(default_factory=set)

    def append(self, synth: Synth, province: int) -> None:
        prefix = f"P{province:02d}-"
        offset = len(self.keys)
        remap = np.fromiter(
            (self.field_ids.setdefault(name, len(self.field_ids)) for name in synth.field_names),
            dtype=np.int32,
            count=len(synth.field_names),
        )
        self.keys += [prefix + k for k in synth.dataset_keys]
        self.names += synth.dataset_names
        self.abstracts += synth.dataset_abstracts
        codes = [prefix + d["code"] for d in synth.departments]
        self.department_names.update(zip(codes, (d["name"] for d in synth.departments), strict=True))
        self.departments += [codes[synth.department_of(i)] for i in range(len(synth.dataset_keys))]
        self.projects += [prefix + synth.systems[s]["project"] for s in synth.dataset_system]
        self.lengths.append(np.fromiter((len(f) for f in synth.field_lists), dtype=np.int64))
        self.ids.append(remap[np.fromiter((i for f in synth.field_lists for i in f), dtype=np.int64)])
        for props in synth.dataset_props:
            self.share_types.append(props.get("share_type"))
            self.conditions.append(props.get("share_condition"))
            self.secrecy.append(props.get("secrecy_level") or "none")
        self.shared += [offset + d for d, _dept in synth.shares]
        for need in synth.needs:
            label, key = need["target"]
            target = NodeRef(label, prefix + key if label == "Dataset" else key)
            requester = f"System:{prefix}{synth.systems[need['requester']]['code']}"
            self.needs.append(NeedRow(prefix + need["id"], requester, target))
        self.duplicates += [[prefix + k for k in group] for group in synth.truth["duplicates"]["Dataset"]]
        self.gaps |= {(g["kind"], prefix + g["subject"]) for g in synth.truth["gaps"] if g["kind"] in GAP_KINDS}

    def compact(self) -> CompactRegistry:
        """The compact registry of the arrays, as ``compact_registry`` streams it from a store."""
        normaliser = FieldNormaliser.standard()
        for code, name, synonyms in words.ELEMENTS:
            normaliser.add_element(code, name, synonyms)
        lengths = np.concatenate(self.lengths)
        matrix = ItemMatrix.from_fields(
            "Dataset",
            keys=self.keys,
            names=self.names,
            texts=self.abstracts,
            departments=self.departments,
            department_names=self.department_names,
            projects=self.projects,
            field_names=list(self.field_ids),
            field_indptr=np.concatenate([[0], np.cumsum(lengths)]),
            field_ids=np.concatenate(self.ids),
            normaliser=normaliser,
        )
        shared = np.zeros(len(self.keys), dtype=bool)
        shared[self.shared] = True
        return CompactRegistry(matrix, self.share_types, self.conditions, self.secrecy, shared, self.needs)


def national(datasets: int, provinces: int, seed: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    total = 0.0
    generated = National()
    with measured() as m:
        for province in range(provinces):
            generated.append(generate(datasets=datasets // provinces, seed=seed + province), province)
    rows.append(
        {
            "step": "generate (arrays)",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "result": f"{provinces} provinces x {datasets // provinces:,} datasets",
        }
    )
    with measured() as m:
        registry = generated.compact()
    total += m.seconds
    rows.append({"step": "compact projection", "seconds": m.seconds, "peak_rss_mib": m.peak_rss_mib})
    with measured() as m:
        found = clusters(registry.matrix)
    total += m.seconds
    precision, recall = precision_recall([c.keys for c in found], generated.duplicates)
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
    got = {(g.kind, g.subject) for g in gaps}
    rows.append(
        {
            "step": "sharing gaps (4 kinds)",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "result": f"{len(gaps):,} gaps, planted found {len(generated.gaps & got)}/{len(generated.gaps)}",
        }
    )
    rows.append({"step": "analyses (projection + duplicates + gaps)", "seconds": total})
    size = {"datasets": len(registry.matrix), "fields": int(registry.matrix.holdings.nnz), "how": "measured"}
    return [{**row, **size} for row in rows]


def stream(path: str) -> dict[str, Any]:
    with measured() as m:
        registry = compact_registry(SQLiteStore(path))
    return {
        "seconds": m.seconds,
        "peak_rss_mib": m.peak_rss_mib,
        "datasets": len(registry.matrix),
        "fields": int(registry.matrix.holdings.nnz),
    }


def run(datasets: int, provinces: int, stream_size: int, seed: int) -> Report:
    report = Report("national", COLUMNS)
    for row in isolated(national, datasets, provinces, seed):
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
        how=f"extrapolated x{factor:.1f} (linear)",
    )
    report.note("generate: the synthetic generator's arrays, not part of the analysis time")
    report.note("peak_rss_mib: the interpreter's peak during the step, everything held before it included")
    report.note(
        "sharing gaps here: unmet, blocked, unused, conditional without condition; boundary needs (clearance levels "
        "along lineage) and SHR-1 (field attributes) run on the networkx path only"
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1_000_000)
    parser.add_argument("--provinces", type=int, default=10)
    parser.add_argument("--stream-size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = run(args.datasets, args.provinces, args.stream_size, args.seed)
    report.print()
    report.save()


if __name__ == "__main__":
    main()
