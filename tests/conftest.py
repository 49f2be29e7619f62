"""Fixtures shared by every test package: a fresh embedded store and a service on it."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.service import RegistryService
from registry.store.sqlite import SQLiteStore

# Most assertions read English output; the Chinese default is tested explicitly with
# ``--lang zh`` / ``REGISTRY_LANG=zh`` (tests/test_i18n.py, tests/cli/test_everyday.py).
os.environ["REGISTRY_LANG"] = "en"

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "registry.db")
    yield store
    store.close()


@pytest.fixture
def service(sqlite_store: SQLiteStore) -> RegistryService:
    return RegistryService(sqlite_store)
