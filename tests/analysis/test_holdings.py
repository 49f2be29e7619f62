"""The matrix read from a caller's rows is the one the caller's projection gives, so the
service's duplicate detection (CLI, GraphQL, findings) reports exactly what it reported
on the graph, for every clearance: the same clusters, the same evidence, nothing hidden."""

import json

import numpy as np
import pytest

from registry.analysis.duplicates import Proposal, check_proposal, clusters, find_duplicates, proposal_matches
from registry.analysis.holdings import item_matrix
from registry.analysis.matrix import ItemMatrix, normaliser_for
from registry.service import Caller, RegistryService
from registry.synth import Synth

CALLERS = [Caller.system(), Caller.public()]
LISTS = ("keys", "names", "texts", "functions", "department_keys", "department_names", "project_keys")
TOKENS = ("vocabulary", "token_keys", "field_names")


def _same(a: ItemMatrix, b: ItemMatrix) -> None:
    for name in (*LISTS, *TOKENS):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("departments", "projects", "weights"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for name in ("holdings", "fields"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.shape == right.shape, name
        assert np.array_equal(left.indptr, right.indptr) and np.array_equal(left.indices, right.indices), name


@pytest.mark.parametrize("caller", CALLERS, ids=["admin", "public"])
@pytest.mark.parametrize("kind", ["Dataset", "System"])
def test_rows_give_the_projections_matrix_and_findings(planted: RegistryService, caller: Caller, kind: str) -> None:
    rows, graph = planted.rows(caller), planted.graph(caller)
    old = ItemMatrix.from_graph(graph, kind)
    _same(item_matrix(rows, kind), old)
    found = [c.to_dict() for c in find_duplicates(rows, kind=kind)]
    assert found and found == [c.to_dict() for c in clusters(old)]


def _hidden_keys(planted: RegistryService) -> set[str]:
    return {ref.key for ref in planted.hidden(Caller.public()) if ref.label in ("System", "Dataset", "Department")}


def test_the_public_callers_findings_leave_out_what_it_may_not_see(planted: RegistryService) -> None:
    """The fixture's classified systems and datasets are in the administrator's clusters
    and evidence; none of them is in the public caller's."""
    hidden = _hidden_keys(planted)

    def mentioned(caller: Caller) -> set[str]:
        rows = planted.rows(caller)
        text = json.dumps(
            [c.to_dict() for kind in ("Dataset", "System") for c in find_duplicates(rows, kind=kind)],
            ensure_ascii=False,
        )
        return {key for key in hidden if f'"{key}"' in text}

    assert mentioned(Caller.system()), "the administrator's findings name classified entries"
    assert mentioned(Caller.public()) == set()


@pytest.mark.parametrize("caller", CALLERS, ids=["admin", "public"])
def test_a_proposal_is_checked_as_on_the_projection(
    planted: RegistryService, planted_synth: Synth, caller: Caller
) -> None:
    """A plan copying a classified system matches it for the administrator only, with the
    same matches, scores and evidence on both paths."""
    hidden = _hidden_keys(planted)
    index, system = next((i, s) for i, s in enumerate(planted_synth.systems) if s["code"] in hidden)
    fields = [
        planted_synth.field_names[f]
        for d, s in enumerate(planted_synth.dataset_system)
        if s == index
        for f in planted_synth.field_lists[d]
    ]
    plan = Proposal(
        name=system["name"], description=system["description"], functions=system["functions"], fields=fields
    )
    graph = planted.graph(caller)
    found = check_proposal(planted.rows(caller), plan)
    assert [m.to_dict() for m in found] == [
        m.to_dict() for m in proposal_matches(ItemMatrix.from_graph(graph, "System"), normaliser_for(graph), plan)
    ]
    matched = {m.b.key for m in found}
    assert (system["code"] in matched) == (caller.clearance == Caller.system().clearance)
    assert caller == Caller.system() or not matched & hidden


class _RecordsOnly:
    """Rows without the raw streams (ends, names, fields joined with their names), as
    the Neo4j store offers them: ``item_matrix`` falls back to reading records."""

    RAW = ("iter_edge_ends", "iter_node_names", "iter_linked_groups")

    def __init__(self, rows: object) -> None:
        self._rows = rows

    def __getattr__(self, name: str) -> object:
        if name in self.RAW:
            raise AttributeError(name)
        return getattr(self._rows, name)


@pytest.mark.parametrize("caller", CALLERS, ids=["admin", "public"])
@pytest.mark.parametrize("kind", ["Dataset", "System"])
def test_the_joined_field_stream_gives_the_matrix_records_give(
    planted: RegistryService, caller: Caller, kind: str
) -> None:
    """The embedded store joins and groups each dataset's HAS_FIELD edges with its fields' names in SQL
    (``iter_linked_groups``); through the caller's rows that gives the matrix the plain
    records give, hidden fields and datasets left out alike."""
    rows = planted.rows(caller)
    _same(item_matrix(rows, kind), item_matrix(_RecordsOnly(rows), kind))  # type: ignore[arg-type]
