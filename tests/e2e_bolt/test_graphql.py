"""The GraphQL API end to end on a real Bolt server: the leak test, list pages, counts and
a mutation run on the Neo4j store, and whole answers compared with the embedded store's."""

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from registry.service import RegistryService
from registry.store.neo4j import Neo4jStore
from registry.store.sqlite import SQLiteStore
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.conftest import BoltDatabase
from tests.graphql import test_leak, test_mutations, test_queries
from tests.graphql.conftest import Api, build_registry, make_tokens, serve

_BATCH = re.compile(r"batch-\d{8}T\d{6}-[0-9a-f]{8}")


def _empty_bolt(url: str) -> Neo4jStore:
    store = Neo4jStore.from_url(url)
    store.wipe()
    return store


@pytest.fixture(scope="module")
def apis(bolt_database: BoltDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Api]]:
    """The leak test's registry on both stores, served by the app; only read from."""
    folder = tmp_path_factory.mktemp("graphql")
    stores: dict[str, Neo4jStore | SQLiteStore] = {
        "bolt": _empty_bolt(bolt_database("graphql")),
        "sqlite": SQLiteStore(folder / "registry.db"),
    }
    with serve_both(stores, folder) as served:
        yield served
    for store in stores.values():
        store.close()


@contextmanager
def serve_both(stores: dict[str, Neo4jStore | SQLiteStore], folder: Path) -> Iterator[dict[str, Api]]:
    """The registry built on each store, each served by its own app with the same callers."""
    with ExitStack() as stack:
        apis: dict[str, Api] = {}
        for name, store in stores.items():
            service = RegistryService(store)
            build_registry(service)
            token_store = TokenStore(folder / f"{name}-tokens.json")
            tokens = make_tokens(token_store)
            client = stack.enter_context(serve(create_app(service, token_store, WebSettings(public_view=True))))
            apis[name] = Api(client, service, tokens)
        yield apis


@pytest.fixture
def api(apis: dict[str, Api]) -> Api:
    """What the imported GraphQL tests below run on: the Bolt server."""
    return apis["bolt"]


# The leak test and the list/page/count tests of tests/graphql, run here on Bolt.
test_nothing_classified_reaches_a_caller_without_clearance = (
    test_leak.test_nothing_classified_reaches_a_caller_without_clearance
)
test_hidden_and_missing_answer_alike = test_leak.test_hidden_and_missing_answer_alike
test_lookup_and_field_by_key_hide_classified = test_leak.test_lookup_and_field_by_key_hide_classified
test_pagination_walks_every_page_once = test_queries.test_pagination_walks_every_page_once
test_lists_filter_by_department_network_secrecy_share_type_status_and_search = (
    test_queries.test_lists_filter_by_department_network_secrecy_share_type_status_and_search
)


def _answer(api: Api, viewer: str | None) -> str:
    body = api.post(test_leak.EVERYTHING, as_=viewer)
    assert not body.get("errors"), body["errors"]
    return _BATCH.sub("<batch>", json.dumps(body, ensure_ascii=False, sort_keys=True))


@pytest.mark.parametrize("viewer", ["admin", "reviewer", "public", None])
def test_every_list_count_and_relation_answers_as_on_sqlite(apis: dict[str, Api], viewer: str | None) -> None:
    bolt = _answer(apis["bolt"], viewer)
    assert bolt == _answer(apis["sqlite"], viewer)
    assert '"totalCount": 3' in bolt  # departments: the answer is not empty


def test_a_mutation_writes_and_answers_as_on_sqlite(bolt_database: BoltDatabase, tmp_path: Path) -> None:
    stores: dict[str, Neo4jStore | SQLiteStore] = {
        "bolt": _empty_bolt(bolt_database("graphql_write")),
        "sqlite": SQLiteStore(tmp_path / "write.db"),
    }
    query = "{ systems(first: 10) { totalCount edges { node { key name network department { name } } } } }"
    answers = {}
    try:
        with serve_both(stores, tmp_path) as served:
            for name, api in served.items():
                test_mutations.test_upsert_department_and_system_recorded_with_the_token_identity(api)
                answers[name] = api.data(query, as_="admin")
    finally:
        for store in stores.values():
            store.close()
    assert answers["bolt"] == answers["sqlite"]
    assert "养老服务管理系统" in json.dumps(answers["bolt"], ensure_ascii=False)
