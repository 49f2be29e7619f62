"""The policy rules (PRJ-*, REQ-*, SRC-*) on generated registries: time and accuracy.

Run: ``flock /tmp/bigrun.lock python -m bench.policy [--sizes 1000,10000,100000]``.

Each size runs in a fresh interpreter: a registry is generated (``registry.synth``, seed 1)
with its policy layer (``registry.synth.policy``: project files, sharing requests,
authoritative sources, planted cases and their truth), and the projection the rules run
on is built from the declarations with the store's own builder (``build_from_rows``), so
the figures are the rules' and not the embedded store's loading. In the same process
and on the same projection, the placement check (NET-1..NET-5, one pass over the
systems) runs first as the baseline the rules are compared with (``ratio``). Accuracy is
against the planted truth: ``found`` is every finding, ``recall`` the planted cases
found / planted, ``precision`` the planted among those found.
"""

from typing import Any

from bench.common import Report, isolated, measured, sized_main
from registry.analysis.placement import placement_findings
from registry.analysis.policy import policy_findings
from registry.analysis.projects import project_findings
from registry.analysis.requests import request_findings
from registry.analysis.sources import source_findings
from registry.analysis.workdays import official
from registry.service.declaration import Declaration
from registry.store.projection import build_from_rows
from registry.synth import generate, to_declaration
from registry.synth.policy import AS_OF, policy_layer

COLUMNS = ["datasets", "step", "seconds", "ratio", "peak_rss_mib", "found", "precision", "recall"]
TARGET_SECONDS = 10.0


def _rows(declarations: list[Declaration]) -> tuple[list[Any], list[Any]]:
    """Node and edge rows as the store hands them to the projection builder; a node declared
    twice (a project completed by the policy layer) has its properties merged, as an upsert does."""
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    edges: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for declaration in declarations:
        for node in declaration.nodes:
            nodes.setdefault((node.LABEL, node.key()), {}).update(node.props())
        for edge in declaration.edges:
            edges.setdefault((edge.src.label, edge.src.key, edge.type, edge.dst.label, edge.dst.key), {}).update(
                edge.props
            )
    return [(label, key, props) for (label, key), props in nodes.items()], [(*k, p) for k, p in edges.items()]


def measure(datasets: int, seed: int) -> list[dict[str, Any]]:
    synth = generate(datasets=datasets, seed=seed)
    layer = policy_layer(synth, seed=seed)
    node_rows, edge_rows = _rows([to_declaration(synth), layer.declaration()])
    del synth
    graph = build_from_rows(node_rows, edge_rows)
    del node_rows, edge_rows
    official()  # the calendar is built once per process; timed below as its own step
    rows: list[dict[str, Any]] = []
    with measured() as m:
        baseline = placement_findings(graph)
    base_seconds = m.seconds
    rows.append(
        {
            "step": "baseline: placement (NET)",
            "seconds": m.seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "found": len(baseline),
        }
    )
    total = 0.0
    for step, section, run in (
        ("projects (PRJ)", "projects", lambda: project_findings(graph, as_of=AS_OF)),
        ("requests (REQ)", "requests", lambda: request_findings(graph, as_of=AS_OF)),
        ("sources (SRC)", "sources", lambda: source_findings(graph)),
    ):
        with measured() as m:
            found = run()
        total += m.seconds
        planted = {(c["rule"], c["subject"]) for c in layer.truth[section]}
        hits = {(f.rule, f.subject) for f in found}
        rows.append(
            {
                "step": step,
                "seconds": m.seconds,
                "ratio": m.seconds / base_seconds,
                "peak_rss_mib": m.peak_rss_mib,
                "found": len(found),
                "precision": len(planted & hits) / len(hits) if hits else 1.0,
                "recall": len(planted & hits) / len(planted) if planted else 1.0,
            }
        )
    rows.append({"step": "the three, each on its own", "seconds": total, "ratio": total / base_seconds})
    with measured() as m:
        together = policy_findings(graph, as_of=AS_OF)
    count = len(together.projects) + len(together.requests) + len(together.sources)
    rows.append(
        {
            "step": "all policy rules (one scan, as registry check)",
            "seconds": m.seconds,
            "ratio": m.seconds / base_seconds,
            "peak_rss_mib": m.peak_rss_mib,
            "found": count,
        }
    )
    with measured() as m:
        official.cache_clear()
        official()
    rows.append({"step": "calendar build (once per process)", "seconds": m.seconds})
    return rows


def run(sizes: list[int], _baseline_max: int, seed: int) -> Report:
    report = Report("policy", COLUMNS)
    for n in sizes:
        for row in isolated(measure, n, seed):
            report.add(datasets=n, **row)
    report.note(f"target: all policy rules <= {TARGET_SECONDS:.0f} s at 100,000 datasets")
    report.note("ratio: seconds / the placement check's seconds on the same projection, same process")
    report.note(
        "inputs: registry.synth.generate(datasets, seed) + registry.synth.policy.policy_layer; as of 2026-11-30"
    )
    return report


def main() -> None:
    sized_main(__doc__, run, baseline_max=0)


if __name__ == "__main__":
    main()
