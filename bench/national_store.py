"""National size end to end: provinces loaded into the embedded store, then duplicates and
sharing gaps from the loaded store, for a caller cleared for everything and for a public
caller.

Run: ``python -m bench.national_store [--datasets 1000000] [--provinces 10] [--store PATH]``;
``--analyses-only`` analyses the store an earlier run left, in a fresh interpreter;
``--load-only`` loads and stops (how two versions of the code are compared side by side).

Each province is a registry from the synthetic generator (seed + province), its keys made
unique by province (department credit codes, resource codes, system, project and need
codes), loaded through ``RegistryService.load_stream`` in parts (nodes first, then
edges), each province one batch. The service keeps clearance levels up to date in the
store as the provinces are written (``registry.service.levels``), so the public caller's
hidden set is read from the store's levels table, never from a projection of the whole
registry (which does not fit at this size). ``--analyses-only`` on a file without stored
levels (made before the table) first recomputes them chunk by chunk and reports that
step. The analyses then stream the compact projection out of the store
(``compact_registry`` over ``service.rows(caller)``) and run duplicate detection and the
array-based gap kinds on it. Every figure is measured; a step that did not finish is
absent from the table, and the log written while it runs (one line per province) says
how far it came.

Baseline in the same run: the raw load of the same fields (one keyed row per field into
a bare SQLite table, one transaction per province), beside the store's load.
"""

import argparse
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Report, measured
from bench.registries import remove_store
from registry.analysis.compact import compact_gaps, compact_registry
from registry.analysis.duplicates import clusters
from registry.schema.codes import make_credit_code
from registry.schema.enums import Clearance
from registry.service import Caller, Declaration, RegistryService
from registry.service.declaration import DeclarationStream
from registry.store.sqlite import SQLiteStore
from registry.synth import Synth, generate, to_declaration
from registry.synth.scoring import precision_recall

COLUMNS = ["step", "datasets", "fields", "seconds", "cpu_s", "child_cpu_s", "peak_rss_mib", "family_peak_mib", "result"]
PART = 100_000
GAP_KINDS = ("unmet_need", "blocked_need", "unused_dataset", "conditional_without_condition")


def provincial(synth: Synth, province: int) -> dict[str, str]:
    """Rewrite ``synth``'s keys so that provinces do not collide; old dataset key or need
    id -> new, for the ground truth."""
    tag = f"P{province:02d}"
    for d, dept in enumerate(synth.departments):
        dept["code"] = make_credit_code("11", dept["region"], f"{province:02d}{d + 1:06d}")
    renamed = {key: key.replace("301A", f"301{tag}", 1) for key in synth.dataset_keys}
    synth.dataset_keys[:] = [renamed[k] for k in synth.dataset_keys]
    codes: dict[str, str] = {}
    for system, project in zip(synth.systems, synth.projects, strict=True):
        codes[system["code"]] = system["code"] = f"{tag}-{system['code']}"
        project["code"] = system["project"] = f"{tag}-{project['code']}"
    for need in synth.needs:
        renamed[need["id"]] = need["id"] = f"{tag}-{need['id']}"
        label, key = need["target"]
        need["target"] = (label, renamed.get(key, codes.get(key, key)))
    return renamed


def parts(declaration: Declaration) -> list[Declaration]:
    """Nodes first, then edges, in parts: an edge's ends are always written before it. A
    list, since a load reads its parts twice (checked, then written)."""
    return [*_parts(declaration)]


def _parts(declaration: Declaration) -> Iterator[Declaration]:
    for start in range(0, len(declaration.nodes), PART):
        yield Declaration(declaration.source, declaration.format, nodes=declaration.nodes[start : start + PART])
    for start in range(0, len(declaration.edges), PART):
        yield Declaration(declaration.source, declaration.format, edges=declaration.edges[start : start + PART])


def raw_load(db: sqlite3.Connection, declaration: Declaration) -> None:
    db.execute("BEGIN")
    db.executemany(
        "INSERT OR IGNORE INTO item VALUES (?, ?)",
        ((n.dataset, n.name) for n in declaration.nodes if n.LABEL == "Field"),  # type: ignore[attr-defined]
    )
    db.execute("COMMIT")


def log(path: Path, **row: Any) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"at": time.strftime("%H:%M:%S"), **row}, ensure_ascii=False) + "\n")


def run(datasets: int, provinces: int, store_path: Path, seed: int, *, analyses: bool = True) -> Report:
    """The load, then (unless ``analyses`` is false) the analyses in the same process.
    The load alone is how two versions of the code are compared side by side (one
    worktree each, one process per core): two loads fit in memory together, two
    analyses do not."""
    report = Report("national_store", COLUMNS)
    progress = RESULTS / "national_store-progress.jsonl"
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.unlink(missing_ok=True)
    service, truth, planted = load(report, progress, datasets, provinces, store_path, seed)
    if analyses:
        analyse(report, progress, service, truth, planted)
    return report


def run_analyses(store_path: Path) -> Report:
    """The analyses alone, in a fresh interpreter, on a store an earlier run loaded: what
    they cost without the load's memory still held. The generator's truth is not kept
    with the store, so precision, recall and planted gaps are not scored."""
    if not store_path.exists():
        raise SystemExit(f"{store_path}: no store; run the whole bench first")
    report = Report("national_store", COLUMNS)
    progress = RESULTS / "national_store-analyses.jsonl"
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.unlink(missing_ok=True)
    service = RegistryService(SQLiteStore(store_path))
    with measured() as m:
        recomputed = service.visibility.make_exact()
    if recomputed:
        needing = hidden_count(service, Clearance.PUBLIC)
        report.add(
            step="levels recomputed into the store (replay, chunked)",
            seconds=m.seconds,
            cpu_s=m.cpu_seconds,
            peak_rss_mib=m.peak_rss_mib,
            result=f"{needing:,} nodes need a clearance (a file without stored levels)",
        )
        log(progress, step="levels recomputed", seconds=round(m.seconds, 1), peak_rss_mib=m.peak_rss_mib)
    analyse(report, progress, service, None, None)
    return report


def hidden_count(service: RegistryService, clearance: Clearance) -> int:
    """How many nodes ``clearance`` may not see, counted from the stored levels by label:
    ``service.hidden`` would make a NodeRef of each (millions at national size)."""
    return sum(map(len, service.visibility.hidden_by_label(clearance).values()))


def load(
    report: Report, progress: Path, datasets: int, provinces: int, store_path: Path, seed: int
) -> tuple[RegistryService, list[list[str]], set[tuple[str, str]]]:
    """Load ``provinces`` generated provinces into a new store, beside the raw baseline;
    the service, the duplicate groups and the planted gaps the generator made."""
    remove_store(store_path)
    raw_path = store_path.with_name(store_path.stem + "-raw.db")
    remove_store(raw_path)
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("CREATE TABLE item (resource TEXT, name TEXT, PRIMARY KEY (resource, name)) WITHOUT ROWID")
    service = RegistryService(SQLiteStore(store_path))
    per_province = datasets // provinces
    truth: list[list[str]] = []
    planted: set[tuple[str, str]] = set()
    load_s = load_cpu = raw_s = 0.0
    fields = 0
    with measured() as whole:
        for province in range(provinces):
            synth = generate(datasets=per_province, seed=seed + province)
            renamed = provincial(synth, province)
            truth += [[renamed.get(k, k) for k in group] for group in synth.truth["duplicates"]["Dataset"]]
            planted |= {
                (g["kind"], renamed.get(g["subject"], g["subject"]))
                for g in synth.truth["gaps"]
                if g["kind"] in GAP_KINDS
            }
            declaration = to_declaration(synth, source=f"province-{province:02d}")
            del synth
            with measured() as m:
                result = service.load_stream(
                    DeclarationStream(declaration.source, "synth", parts(declaration)), Caller.system()
                ).result
            with measured() as r:
                raw_load(raw, declaration)
            del declaration
            load_s, load_cpu, raw_s = load_s + m.seconds, load_cpu + m.cpu_seconds, raw_s + r.seconds
            fields += result.counts["Field"]["created"]
            log(
                progress,
                province=province,
                fields=fields,
                load_s=round(m.seconds, 1),
                cpu_s=round(m.cpu_seconds, 1),
                raw_s=round(r.seconds, 1),
                peak_rss_mib=m.peak_rss_mib,
            )
    raw.close()
    report.add(
        step="load (service.load_stream, levels kept)",
        datasets=per_province * provinces,
        fields=fields,
        seconds=load_s,
        cpu_s=load_cpu,
        peak_rss_mib=whole.peak_rss_mib,
        result=f"{provinces} provinces, {fields / load_s:,.0f} fields/s; raw baseline {raw_s:.1f} s "
        f"({load_s / raw_s:.1f}x)",
    )
    return service, truth, planted


def analyse(
    report: Report,
    progress: Path,
    service: RegistryService,
    truth: list[list[str]] | None,
    planted: set[tuple[str, str]] | None,
) -> None:
    """Duplicates and the array gap kinds from the loaded store, for a caller cleared for
    everything and for a public one; scored when the generator's truth is at hand."""
    for name, caller in (("system", Caller.system()), ("public", Caller.public())):
        with measured(family=True) as m:
            hidden = hidden_count(service, caller.clearance)
            registry = compact_registry(service.rows(caller))
        log(progress, step=f"compact {name}", seconds=round(m.seconds, 1))
        with measured() as d:
            found = clusters(registry.matrix)
        with measured() as g:
            gaps = compact_gaps(registry)
        duplicates = f"{len(found):,} clusters"
        if truth is not None:
            precision, recall = precision_recall([c.keys for c in found], truth)
            duplicates += f", P={precision:.3f} R={recall:.3f}"
        found_gaps = f"{len(gaps):,} gaps"
        if planted is not None:
            got = {(gap.kind, gap.subject) for gap in gaps}
            found_gaps += f", planted found {len(planted & got)}/{len(planted)}"
        total = m.seconds + d.seconds + g.seconds
        size = {"datasets": len(registry.matrix), "fields": int(registry.matrix.holdings.nnz)}
        passes = (
            ("compact projection from the store", m, f"{hidden:,} hidden"),
            ("duplicates", d, duplicates),
            ("sharing gaps (4 kinds)", g, found_gaps),
        )
        for step, measure, result in passes:
            report.add(
                step=f"{name}: {step}",
                seconds=measure.seconds,
                cpu_s=measure.cpu_seconds,
                child_cpu_s=measure.child_cpu_seconds,
                peak_rss_mib=measure.peak_rss_mib,
                family_peak_mib=measure.family_peak_mib,
                result=result,
                **size,
            )
        report.add(step=f"{name}: analyses from the loaded store", seconds=total, **size)
        log(progress, step=f"analyses {name}", seconds=round(total, 1))
    report.note("cpu_s: this process's CPU time; the machine is shared, so wall seconds include waiting for a core")
    report.note("peak_rss_mib: the interpreter's peak during the step, everything held before it included")
    report.note(
        "child_cpu_s, family_peak_mib: the store's reader process; "
        "family_peak_mib is the peak of this process's and its children's PSS added up, sampled every 2 s "
        "(a sample reads the page tables: every 0.5 s it took 15-25% of a core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1_000_000)
    parser.add_argument("--provinces", type=int, default=10)
    parser.add_argument("--store", type=Path, default=RESULTS / "data" / "national.db")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--analyses-only",
        action="store_true",
        help="analyse the store an earlier run loaded, in this fresh process (no load, no truth)",
    )
    parser.add_argument("--load-only", action="store_true", help="load the provinces and stop (no analyses)")
    args = parser.parse_args()
    args.store.parent.mkdir(parents=True, exist_ok=True)
    if args.analyses_only:
        report = run_analyses(args.store)
    else:
        report = run(args.datasets, args.provinces, args.store, args.seed, analyses=not args.load_only)
    report.print()
    report.save()


if __name__ == "__main__":
    main()
