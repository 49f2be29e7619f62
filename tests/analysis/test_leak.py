"""Analyses for a public caller run on the public projection: nothing hidden can appear in
any finding or its evidence."""

import json

from registry.analysis.duplicates import find_duplicates
from registry.analysis.gaps import sharing_gaps, sharing_matrix
from registry.analysis.placement import placement_findings
from registry.service import Caller, RegistryService


def test_no_hidden_node_in_any_public_finding(planted: RegistryService) -> None:
    public = Caller.public()
    hidden = planted.hidden(public)
    assert any(ref.label == "System" for ref in hidden) and any(ref.label == "Dataset" for ref in hidden)
    graph = planted.graph(public)
    findings = [
        *find_duplicates(planted.rows(public), kind="System"),
        *find_duplicates(planted.rows(public), kind="Dataset"),
        *sharing_gaps(graph),
        *placement_findings(graph),
    ]
    text = json.dumps([f.to_dict() for f in findings] + [sharing_matrix(graph).to_dict()], ensure_ascii=False)
    leaked = [ref for ref in hidden if ref.label != "Field" and f'"{ref.key}"' in text]
    assert leaked == []
    assert findings, "the public view still has findings to check"


def test_public_caller_sees_no_classified_placement_finding(planted: RegistryService) -> None:
    rules = {f.rule for f in placement_findings(planted.graph(Caller.public()))}
    assert rules.isdisjoint({"NET-1", "NET-2", "NET-5"})
    assert {f.rule for f in placement_findings(planted.graph(Caller.system()))} >= {"NET-1", "NET-2", "NET-5"}
