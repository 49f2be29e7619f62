"""Answers kept for repeated read-only queries (``registry.graphql.answers``): served again
to the same caller only, until the registry changes; never for mutations, nor for roots
that read outside the registry."""

import pytest

from registry.graphql.answers import keepable
from registry.schema.model import System
from registry.service import Caller
from tests.graphql.conftest import SECRET_SYS, Api

SYSTEMS = "{ systems(first: 50) { totalCount edges { node { code name } } } }"


def _codes(data: dict[str, object]) -> set[str]:
    systems = data["systems"]
    assert isinstance(systems, dict)
    return {edge["node"]["code"] for edge in systems["edges"]}


def test_a_repeated_query_is_answered_without_reading_the_registry_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.data(SYSTEMS, as_="public_reviewer")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the kept answer was not used")

    monkeypatch.setattr(api.service, "find", refuse)
    assert api.data(SYSTEMS, as_="public_reviewer") == first
    monkeypatch.undo()
    # a caller cleared further asks the same text: its own answer, with what it may see
    assert SECRET_SYS in _codes(api.data(SYSTEMS, as_="admin"))
    assert SECRET_SYS not in _codes(api.data(SYSTEMS, as_="public_reviewer"))


def test_a_write_drops_the_kept_answers(api: Api) -> None:
    before = api.data(SYSTEMS, as_="public_reviewer")
    api.service.upsert(Caller.system(), [System(code="ZJGA-CR-01", name="出入境管理系统")])
    after = api.data(SYSTEMS, as_="public_reviewer")
    assert _codes(after) == _codes(before) | {"ZJGA-CR-01"}


def test_only_queries_reading_the_registry_alone_are_kept() -> None:
    assert keepable(SYSTEMS, None)
    assert keepable("query A { stats { nodes { name } } } mutation B { __typename }", "A")
    assert not keepable("query A { stats { nodes { name } } } mutation B { __typename }", "B")
    assert not keepable('mutation { retire(refs: ["System:ZJGA-HZ-01"]) { retired } }', None)
    assert not keepable("{ mySubscriptions { id } }", None)
    assert not keepable("{ stats { nodes { name } } changes { batches { id } } }", None)
    assert not keepable("{ ...Root } fragment Root on Query { stats { nodes { name } } }", None)
    assert not keepable("{ stats {", None)
