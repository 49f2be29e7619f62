"""Findings in one shape: identity by rule and subjects, fingerprints that ignore scores but
not facts, and one computation per projection."""

from pathlib import Path

import networkx as nx

from registry.analysis import catalog
from registry.store.sqlite import SQLiteStore


def _finding(**changes: object) -> catalog.Finding:
    values: dict[str, object] = {
        "rule": "DUP-1",
        "family": "duplicate",
        "kind": "system",
        "severity": None,
        "message": "两个系统重复建设",
        "subjects": ["System:440000-ZR-XT001", "System:440000-ZJ-XT001"],
        "departments": ["11440000006541289Y", None],
        "evidence": {"score": 0.81, "shared": ["不动产单元号", "权利人名称"], "parts": {"fields": 0.7}},
    }
    values.update(changes)
    return catalog.make(**values)  # type: ignore[arg-type]


def test_identity_is_rule_and_subjects_whatever_the_evidence() -> None:
    base = _finding()
    assert base.id.startswith("DUP-1-")
    assert _finding(evidence={"shared": ["坐落"]}, message="另一说法").id == base.id
    assert _finding(subjects=list(reversed(base.subjects))).id == base.id
    assert _finding(subjects=["System:440000-ZR-XT001"]).id != base.id
    assert _finding(rule="NET-3").id != base.id
    assert base.departments == ["11440000006541289Y"]


def test_fingerprint_ignores_scores_but_not_what_the_finding_names() -> None:
    base = _finding()
    rescored = _finding(evidence={"score": 0.77, "shared": ["不动产单元号", "权利人名称"], "parts": {"fields": 0.6}})
    assert rescored.fingerprint == base.fingerprint
    more = _finding(evidence={"score": 0.81, "shared": ["不动产单元号", "权利人名称", "坐落"], "parts": {}})
    assert more.fingerprint != base.fingerprint


def test_findings_are_computed_once_per_projection(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def finder(graph: nx.MultiDiGraph) -> list[catalog.Finding]:
        calls.append(1)
        return [_finding()]

    monkeypatch.setattr(catalog, "FINDERS", [finder])
    monkeypatch.setattr(catalog, "_duplicates", lambda rows: [])
    graph, other, rows = nx.MultiDiGraph(), nx.MultiDiGraph(), SQLiteStore(tmp_path / "r.db")
    assert catalog.all_findings(graph, rows) == catalog.all_findings(graph, rows) == [_finding()]
    assert len(calls) == 1
    catalog.all_findings(other, rows)
    assert len(calls) == 2
