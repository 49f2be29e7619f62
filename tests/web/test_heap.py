"""The served registry's long-lived caches are frozen out of the collector's full passes
once warm, and handed back to it when a write makes them stale."""

import gc
import time
from collections.abc import Iterator

import pytest

from registry.schema.codes import make_credit_code
from registry.schema.model import Department
from registry.service import Caller, RegistryService
from registry.web.heap import HeapKeeper


@pytest.fixture
def keeper(loaded: RegistryService) -> Iterator[HeapKeeper]:
    keeper = HeapKeeper(loaded)
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.stop()


def _frozen_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if gc.get_freeze_count() > 0:
            return True
        time.sleep(0.05)
    return False


def test_warm_caches_are_frozen_and_a_write_unfreezes_them(keeper: HeapKeeper, loaded: RegistryService) -> None:
    assert _frozen_within(10), "the warm-up's full collection froze nothing"
    keeper.check()
    assert gc.get_freeze_count() > 0, "a read must not unfreeze"
    code = make_credit_code("11", "330000", "00253009")
    loaded.upsert(Caller.system(), [Department(code=code, name="浙江省文化和旅游厅")])
    keeper.check()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() > 0, "the survivors of the next full collection were not frozen"


def test_stop_lets_the_collector_see_everything_again(loaded: RegistryService) -> None:
    keeper = HeapKeeper(loaded)
    keeper.start()
    assert _frozen_within(10)
    keeper.stop()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0
