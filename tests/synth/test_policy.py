"""Generated registries with the policy layer: every planted PRJ/REQ/SRC case is found and
nothing else, and a clean registry (with its hard negatives) gives no finding."""

from pathlib import Path

import pytest

from registry.analysis.policy import policy_findings
from registry.analysis.projects import project_findings
from registry.analysis.requests import request_findings
from registry.analysis.sources import source_findings
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.synth import generate, to_declaration
from registry.synth.policy import AS_OF, policy_layer


def _found(tmp_path: Path, *, plant: bool, seed: int) -> tuple[dict[str, set[tuple[str, str]]], dict[str, list]]:
    synth = generate(datasets=300, seed=seed, plant=plant)
    layer = policy_layer(synth, plant=plant, seed=seed)
    store = SQLiteStore(tmp_path / "registry.db")
    try:
        service = RegistryService(store)
        service.load(to_declaration(synth), Caller.system())
        service.load(layer.declaration(), Caller.system())
        graph = service.graph(Caller.system())
        found = {
            "projects": project_findings(graph, as_of=AS_OF),
            "requests": request_findings(graph, as_of=AS_OF),
            "sources": source_findings(graph),
        }
        together = policy_findings(graph, as_of=AS_OF)
        assert (together.projects, together.requests, together.sources) == tuple(found.values())
    finally:
        store.close()
    return {k: {(f.rule, f.subject) for f in v} for k, v in found.items()}, layer.truth


def test_every_planted_case_is_found_and_nothing_else(tmp_path: Path) -> None:
    found, truth = _found(tmp_path, plant=True, seed=3)
    for section in ("projects", "requests", "sources"):
        planted = {(case["rule"], case["subject"]) for case in truth[section]}
        assert planted, section
        assert found[section] == planted, section
    rules = {rule for section in found.values() for rule, _ in section}
    assert rules == {f"PRJ-{n}" for n in range(1, 5)} | {f"REQ-{n}" for n in range(1, 5)} | {"SRC-1", "SRC-2", "SRC-3"}


@pytest.mark.parametrize("seed", [4])
def test_a_clean_registry_gives_none(tmp_path: Path, seed: int) -> None:
    found, truth = _found(tmp_path, plant=False, seed=seed)
    assert all(not cases for cases in truth.values())
    assert found == {"projects": set(), "requests": set(), "sources": set()}
