"""The demo's analysis findings, against tests/golden/analysis/demo_findings.json: a change
in what duplicates, gaps, placement or lineage report on the bundled demo is a reviewed diff."""

import json
from pathlib import Path
from typing import Any

import pytest

from registry import demo, importers
from registry.analysis.duplicates import find_duplicates
from registry.analysis.gaps import sharing_gaps, sharing_matrix
from registry.analysis.lineage import impact, lineage
from registry.analysis.placement import placement_findings
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from tests.golden import GOLDEN_DIR, REGENERATE, check


def _demo(tmp_path: Path) -> RegistryService:
    service = RegistryService(SQLiteStore(tmp_path / "demo.db"))
    for path in demo.files():
        service.load(importers.read(path), Caller.system("golden"))
    return service


def _findings(service: RegistryService, caller: Caller) -> dict[str, Any]:
    graph = service.graph(caller)
    derived = sorted(src for src, _dst, kind in graph.edges(keys=True) if kind == "DERIVED_FROM")
    return {
        "duplicate_systems": [c.to_dict() for c in find_duplicates(service.rows(caller), kind="System")],
        "duplicate_datasets": [c.to_dict() for c in find_duplicates(service.rows(caller), kind="Dataset")],
        "sharing_gaps": [g.to_dict() for g in sharing_gaps(graph)],
        "placement": [f.to_dict() for f in placement_findings(graph)],
        "sharing_matrix": sharing_matrix(graph).to_dict(),
        "lineage_of_first_derived_field": lineage(graph, derived[0]).to_dict() if derived else None,
        "impact_of_first_system": impact(graph, min(r for r in graph if r.label == "System")).to_dict(),
    }


def test_demo_findings_match_their_golden_file(tmp_path: Path) -> None:
    service = _demo(tmp_path)
    try:
        check("analysis/demo_findings", _findings(service, Caller.system()))
        check("analysis/demo_findings_public", _findings(service, Caller.public()))
    finally:
        service.close()


@pytest.mark.skipif(REGENERATE, reason="regenerating the golden files")
def test_a_changed_finding_is_reported_as_a_difference() -> None:
    """The check can fail: the golden findings with one placement finding dropped differ."""
    found = json.loads((GOLDEN_DIR / "analysis" / "demo_findings.json").read_text(encoding="utf-8"))
    assert found["placement"], "the demo plants placement findings"
    found["placement"] = found["placement"][1:]
    with pytest.raises(AssertionError, match="differs"):
        check("analysis/demo_findings", found)
