from registry.analysis.placement import placement_findings
from registry.service import Caller, RegistryService
from registry.synth import Synth


def test_every_planted_violation_is_found(planted: RegistryService, planted_synth: Synth) -> None:
    found = {(f.rule, f.system) for f in placement_findings(planted.graph(Caller.system()))}
    assert found == {(p["rule"], p["system"]) for p in planted_synth.truth["placement"]}


def test_findings_say_what_should_happen(planted: RegistryService) -> None:
    by_rule = {f.rule: f for f in placement_findings(planted.graph(Caller.system()))}
    assert "intranet" in by_rule["NET-1"].action and by_rule["NET-1"].secrecy_level == "confidential"
    assert "extranet" in by_rule["NET-3"].action
    assert by_rule["NET-4"].evidence["project_approved_on"] > "2013-02-16"
    assert by_rule["NET-5"].severity == "advisory"
    assert all(f.department_name for f in by_rule.values())


def test_no_violation_on_a_clean_registry(clean: RegistryService) -> None:
    assert placement_findings(clean.graph(Caller.system())) == []
