"""Generated registries with ground truth, loaded once per module through the service."""

from pathlib import Path

import pytest

from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.synth import Synth, generate, to_declaration


def _loaded(path: Path, synth: Synth) -> RegistryService:
    service = RegistryService(SQLiteStore(path))
    service.load(to_declaration(synth), Caller.system())
    return service


@pytest.fixture(scope="package")
def planted_synth() -> Synth:
    return generate(datasets=300, seed=3)


@pytest.fixture(scope="package")
def planted(tmp_path_factory: pytest.TempPathFactory, planted_synth: Synth) -> RegistryService:
    return _loaded(tmp_path_factory.mktemp("planted") / "registry.db", planted_synth)


@pytest.fixture(scope="package")
def clean(tmp_path_factory: pytest.TempPathFactory) -> RegistryService:
    return _loaded(tmp_path_factory.mktemp("clean") / "registry.db", generate(datasets=300, seed=4, plant=False))
