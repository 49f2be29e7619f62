"""No N+1: a page of departments with their systems and datasets costs the same number
of store calls whatever the page size, because DataLoaders batch each level."""

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from registry.graphql import RegistryContext, build_schema
from registry.schema.codes import make_credit_code
from registry.schema.model import Dataset, Department, System
from registry.schema.records import NodeRef
from registry.service import Caller, Declaration, EdgeDecl, RegistryService

QUERY = """query($first: Int!) { departments(first: $first) { totalCount edges { node { name
  systems { name network datasets { name shareType } } datasets { name provider { name } } } } } }"""

STORE_METHODS = ("get_nodes", "find_nodes", "count_nodes", "edges", "history", "projection", "label_counts")


def _registry(service: RegistryService, departments: int) -> None:
    nodes: list[Any] = []
    edges: list[EdgeDecl] = []
    for i in range(departments):
        code = make_credit_code("11", "330000", f"{10000000 + i:08d}")
        dept = NodeRef("Department", code)
        nodes.append(Department(code=code, name=f"浙江省第{i}厅"))
        for j in range(2):
            system = System(code=f"SYS-{i}-{j}", name=f"业务系统{i}-{j}", network="extranet")
            dataset = Dataset(resource_code=f"30{i:04d}/{j:03d}", name=f"业务数据{i}-{j}", share_type="unconditional")
            nodes += [system, dataset]
            edges += [
                EdgeDecl("OPERATES", dept, NodeRef("System", system.code)),
                EdgeDecl("PROVIDES", dept, NodeRef("Dataset", dataset.resource_code)),
                EdgeDecl("HOLDS", NodeRef("System", system.code), NodeRef("Dataset", dataset.resource_code)),
            ]
    service.load(Declaration(source="synthetic", format="api", nodes=nodes, edges=edges), Caller.system())


def _counting(store: Any) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in STORE_METHODS:
        original: Callable[..., Any] = getattr(store, name)

        def wrapper(*args: Any, _name: str = name, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        setattr(store, name, wrapper)
    return calls


@pytest.mark.parametrize("caller", [Caller.public(), Caller.system()], ids=["public", "cleared"])
def test_store_calls_do_not_grow_with_the_page(service: RegistryService, caller: Caller) -> None:
    _registry(service, 100)
    schema = build_schema()
    calls = _counting(service.store)
    per_page: dict[int, Counter[str]] = {}
    for first in (5, 100):
        service.hidden(caller)  # warm the visibility cache: it is per store version, not per request
        calls.clear()
        outcome = asyncio.run(
            schema.execute(QUERY, variable_values={"first": first}, context_value=RegistryContext(service, caller))
        )
        assert outcome.errors is None, outcome.errors
        page = outcome.data["departments"]["edges"]
        assert len(page) == first
        assert all(len(e["node"]["systems"]) == 2 and len(e["node"]["datasets"]) == 2 for e in page)
        assert all(len(s["datasets"]) == 1 for e in page for s in e["node"]["systems"])
        per_page[first] = Counter(calls)
    # the count is kept for the store's version: the second page's totalCount is not recounted
    assert (per_page[5].pop("count_nodes"), per_page[100].pop("count_nodes", 0)) == (1, 0)
    assert per_page[5] == per_page[100]
    # one find for the page; per level one edges call per edge type and one get_nodes per
    # label: OPERATES, PROVIDES (level 2), HOLDS (level 3), PROVIDES back (level 3)
    assert per_page[100]["find_nodes"] == 1
    assert per_page[100]["edges"] <= 4 and per_page[100]["get_nodes"] <= 4
