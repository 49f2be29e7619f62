"""The contract suite runs on every Store implementation: one ``store`` fixture, one
parameter per implementation. Neo4j runs on a real Bolt server (``bolt_store`` in
tests/conftest.py: ``NEO4J_URI``, or ArcadeDB's Bolt server started for the session)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.store.base import Store
from registry.store.sqlite import SQLiteStore


@pytest.fixture(params=["neo4j", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "neo4j":
        yield request.getfixturevalue("bolt_store")
        return
    instance = SQLiteStore(tmp_path / "contract.db")
    yield instance
    instance.close()
