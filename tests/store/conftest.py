"""The contract suite runs on every Store implementation: one ``store`` fixture, one
parameter per implementation. Neo4j runs wherever a Bolt server is reachable
(``NEO4J_URI``) and is skipped with the reason shown otherwise."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from registry.store.base import Store
from registry.store.sqlite import SQLiteStore


def _sqlite(tmp_path: Path) -> Store:
    return SQLiteStore(tmp_path / "contract.db")


def _neo4j(tmp_path: Path) -> Store:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("Neo4j store not exercised: set NEO4J_URI (e.g. bolt://localhost:7687) to run it")
    from registry.store.neo4j import Neo4jStore

    store = Neo4jStore.from_url(uri)
    store.wipe()
    return store


FACTORIES: dict[str, Callable[[Path], Store]] = {"sqlite": _sqlite, "neo4j": _neo4j}


@pytest.fixture(params=sorted(FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    instance = FACTORIES[request.param](tmp_path)
    yield instance
    instance.close()
