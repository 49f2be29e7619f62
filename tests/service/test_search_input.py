"""Search terms the store must never see (issue 11, item 10): a NUL matched every dataset
unfiltered and none filtered, and 50,000 characters ended in INTERNAL."""

import pytest

from registry.schema.model import Dataset
from registry.service import Caller, Declaration, InvalidInput, RegistryService

CALLER = Caller.system()


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    nodes = [
        Dataset(resource_code=f"101330100/{i:03d}", name=name) for i, name in enumerate(("户籍信息", "婚姻信息"), 1)
    ]
    service.load(Declaration(source="测试.json", format="api", nodes=nodes), CALLER)
    return service


@pytest.mark.parametrize("term", ["\u0000", "信息\u0000x", "户籍\x07", "\u200b信息", "信" * 101, "x" * 50_000])
def test_control_characters_and_long_terms_are_refused(loaded: RegistryService, term: str) -> None:
    with pytest.raises(InvalidInput, match="search term"):
        loaded.find(CALLER, "Dataset", text=term)
    with pytest.raises(InvalidInput, match="search term"):
        loaded.count(CALLER, "Dataset", text=term)


def test_ordinary_terms_still_search(loaded: RegistryService) -> None:
    assert [r.props["name"] for r in loaded.find(CALLER, "Dataset", text="户籍")] == ["户籍信息"]
    assert loaded.count(CALLER, "Dataset", text="信" * 100) == 0
    assert loaded.count(CALLER, "Dataset", text="信息") == 2
