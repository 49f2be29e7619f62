"""The short path for plain leaf fields (``registry.graphql.execution``): the same answers
and the same errors as graphql-core's own execution, with graphql-core executing fields
in proportion to the query, not to the length of its lists."""

import asyncio
import enum
from datetime import date
from typing import Any

import pytest
import strawberry
from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from registry.graphql import RegistryContext, build_schema
from registry.graphql.execution import LeafExecutor
from registry.service import Caller, RegistryService
from tests.graphql.conftest import GA, HUJI_DS

QUERIES = [
    """{ departments(first: 10) { totalCount edges { cursor node { __typename name code level
        systems { name network status mlpsLevel publicService } datasets { name shareType shareCondition } } } } }""",
    """{ datasets(first: 10) { edges { node { key label resourceCode name publishedOn updateCycle
        created { at by source } fields { name dataType element { name } derivedFrom { processingMethod
        field { key } } } } } } }""",
    """{ systems(first: 10) { edges { node { n: name name net: network ...S datasets { ...D } } } } }
       fragment S on System { code status } fragment D on Dataset { name ... on Node { key } }""",
    """query($on: Boolean!) { datasets(first: 10) { edges { node { name shareType @include(if: $on)
        resourceCode @skip(if: $on) neededBy { purpose targets { __typename key label } } } } } }""",
    f"""{{ department(code: "{GA}") {{ name receives {{ agreement since }} projects {{ name stage
        systems {{ name }} }} datasets {{ name sharedWith {{ recipient {{ key label }} agreement since }} }} }} }}""",
    f"""{{ dataset(resourceCode: "{HUJI_DS}") {{ name fields {{ name
        derivedInto {{ field {{ name dataset {{ name }} }} }} }} heldBy {{ name }} interfaces {{ code kind }} }} }}""",
]


def _run(schema: strawberry.Schema, query: str, context: Any) -> tuple[Any, list[tuple[str, Any]]]:
    result = asyncio.run(strawberry.Schema.execute(schema, query, variable_values={"on": True}, context_value=context))
    return result.data, [(e.message, e.path) for e in result.errors or ()]


@pytest.mark.parametrize("caller", [Caller.public(), Caller.system()], ids=["public", "cleared"])
def test_the_registry_answers_as_graphql_core_answers(loaded: RegistryService, caller: Caller) -> None:
    fast = build_schema()
    plain = build_schema()
    plain.execution_context_class = StrawberryGraphQLCoreExecutionContext
    for query in QUERIES:
        answer = _run(fast, query, RegistryContext(loaded, caller))
        assert answer == _run(plain, query, RegistryContext(loaded, caller)), query
        assert answer[0] and not answer[1], answer


class Network(enum.Enum):
    INTRANET = "intranet"
    EXTRANET = "extranet"


class _Broken:
    @property
    def name(self) -> str:
        raise ValueError("属性读取失败")


@strawberry.type
class Item:
    name: str
    code: str | None
    network: Network
    level: int
    published: date | None = None


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int = 3) -> list[Item]:
        return [Item(name=f"业务系统{i}", code=None, network=Network.EXTRANET, level=i) for i in range(count)]

    @strawberry.field
    def flawed(self) -> list[Item | None]:
        good = Item(name="户政业务办理系统", code="ZJGA-HZ-01", network=Network.INTRANET, level=3)
        missing = Item(name=None, code="ZJGA-QB-01", network=Network.INTRANET, level=1)  # type: ignore[arg-type]
        too_big = Item(name="社会救助信息系统", code=None, network=Network.EXTRANET, level=2**40)
        return [good, missing, too_big, _Broken()]  # type: ignore[list-item]

    @strawberry.field
    def unnamed(self) -> list[Item | None]:
        named = Item(name="户政业务办理系统", code="ZJGA-HZ-01", network=Network.INTRANET, level=3)
        return [named, Item(name=None, code="ZJGA-QB-01", network=Network.INTRANET, level=1)]  # type: ignore[arg-type]

    @strawberry.field
    def one(self) -> Item:
        return Item(name=None, code="ZJGA-QB-01", network=Network.INTRANET, level=1)  # type: ignore[arg-type]


def test_errors_are_those_graphql_core_gives() -> None:
    fast = strawberry.Schema(query=Query, execution_context_class=LeafExecutor)
    plain = strawberry.Schema(query=Query)
    for query in (
        "{ flawed { name code network level published __typename } }",
        "{ flawed { code } }",
        "{ unnamed { code name } }",
        "{ one { code name } }",
        "{ items { name network level } one { level } }",
    ):
        answer = _run(fast, query, None)
        assert answer == _run(plain, query, None), query
    data, errors = _run(fast, "{ flawed { name level } }", None)
    assert data == {"flawed": [{"name": "户政业务办理系统", "level": 3}, None, None, None]}
    assert [path for _, path in errors] == [["flawed", 1, "name"], ["flawed", 2, "level"], ["flawed", 3, "name"]]


def test_graphql_core_executes_fields_per_query_not_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    executed = 0
    original = Executor.execute_field

    def counting(self: Executor[Any], *args: Any, **kwargs: Any) -> Any:
        nonlocal executed
        executed += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Executor, "execute_field", counting)
    counts: dict[tuple[bool, int], int] = {}
    for schema in (
        strawberry.Schema(query=Query, execution_context_class=LeafExecutor),
        strawberry.Schema(query=Query),
    ):
        for count in (2, 200):
            executed = 0
            data, errors = _run(schema, f"{{ items(count: {count}) {{ name code network level }} }}", None)
            assert not errors and len(data["items"]) == count
            counts[schema.execution_context_class is LeafExecutor, count] = executed
    assert counts[True, 2] == counts[True, 200] == 1
    assert counts[False, 200] > 100 * counts[False, 2] / 2
