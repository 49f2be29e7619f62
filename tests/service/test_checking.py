"""The checking pass's edge check judges each shape once, yet refuses a part with the
error of its first bad edge, as checking every edge in order does."""

from collections.abc import Callable, Sequence

import pytest

from registry.schema.model import EDGE_SPECS, EdgeProps, EdgeSpec
from registry.schema.records import NodeRef
from registry.service.checking import _check_edges_in_order, check_edges
from registry.service.declaration import EdgeDecl
from registry.service.errors import InvalidInput

DATASET = NodeRef("Dataset", "330000/A/001")
FIELD = NodeRef("Field", "330000/A/001#姓名")
DEPARTMENT = NodeRef("Department", "11330000002487596U")
GOOD = [
    EdgeDecl("HAS_FIELD", DATASET, FIELD),
    EdgeDecl("PROVIDES", DEPARTMENT, DATASET),
    EdgeDecl("SHARED_WITH", DATASET, DEPARTMENT, {"since": "2026-01-02", "agreement": "A-1"}),
]
BAD = {
    "unknown type": EdgeDecl("OWNS", DATASET, FIELD),
    "wrong source": EdgeDecl("HAS_FIELD", FIELD, FIELD),
    "wrong target": EdgeDecl("PROVIDES", DEPARTMENT, FIELD),
    "bad property": EdgeDecl("SHARED_WITH", DATASET, DEPARTMENT, {"since": "not a date"}),
    "unknown property": EdgeDecl("SHARED_WITH", DATASET, DEPARTMENT, {"colour": "red"}),
    "property where none are": EdgeDecl("HAS_FIELD", DATASET, FIELD, {"weight": 1}),
}


def _error(check: Callable[[Sequence[EdgeDecl]], None], edges: list[EdgeDecl]) -> str | None:
    try:
        check(edges)
    except InvalidInput as exc:
        return str(exc)
    return None


def test_good_edges_pass() -> None:
    assert _error(check_edges, GOOD * 1000) is None


@pytest.mark.parametrize("first", list(BAD))
@pytest.mark.parametrize("second", list(BAD))
def test_the_first_bad_edge_is_the_one_reported(first: str, second: str) -> None:
    edges = GOOD * 3 + [BAD[first]] + GOOD + [BAD[second]] + GOOD
    expected = _error(_check_edges_in_order, edges)
    assert expected is not None
    assert _error(check_edges, edges) == expected
    assert _error(check_edges, [BAD[first]]) == _error(_check_edges_in_order, [BAD[first]])


class _Required(EdgeProps):
    weight: int


def test_a_type_that_requires_properties_refuses_an_edge_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """No relation of the graph model requires properties yet; one that did must still have
    each edge without them refused, first bad edge first (the check's ``strict`` types)."""
    monkeypatch.setitem(EDGE_SPECS, "WEIGHS", EdgeSpec(sources={"Dataset"}, targets={"Field"}, props=_Required))
    weighed = EdgeDecl("WEIGHS", DATASET, FIELD, {"weight": 1})
    assert _error(check_edges, [*GOOD, weighed] * 100) is None
    edges = [*GOOD, weighed, EdgeDecl("WEIGHS", DATASET, FIELD), *GOOD]
    expected = _error(_check_edges_in_order, edges)
    assert expected is not None and expected.startswith("WEIGHS from")
    assert _error(check_edges, edges) == expected
