"""The bundled demo registry loaded once per test module, through the importers as
``registry demo`` loads it."""

from collections.abc import Iterator

import pytest

from registry.service import Caller, RegistryService


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryService]:
    from registry import demo
    from registry.importers import read
    from registry.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "demo.db")
    service = RegistryService(store)
    for path in demo.files():
        service.load(read(path), Caller.system("demo"))
    yield service
    store.close()
