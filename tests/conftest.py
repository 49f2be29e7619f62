"""Fixtures shared by every test package: a fresh embedded store and a service on it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.service import RegistryService
from registry.store.sqlite import SQLiteStore

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "registry.db")
    yield store
    store.close()


@pytest.fixture
def service(sqlite_store: SQLiteStore) -> RegistryService:
    return RegistryService(sqlite_store)
