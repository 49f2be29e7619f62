"""Operations run on worker threads: the synchronous service never holds the event loop,
so a slow query does not make a quick one wait behind it."""

import asyncio
import threading
import time
from typing import Any

import pytest

from registry.graphql import RegistryContext, build_schema
from registry.service import Caller, RegistryService

SLOW = "{ departments(first: 10) { edges { node { name } } } }"
QUICK = "{ stats { nodes { name count } } }"


def test_service_calls_happen_off_the_event_loop(loaded: RegistryService, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    find = loaded.store.find_nodes

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return find(*args, **kwargs)

    monkeypatch.setattr(loaded.store, "find_nodes", spy)
    schema = build_schema()

    async def run() -> int:
        result = await schema.execute(SLOW, context_value=RegistryContext(loaded, Caller.public()))
        assert result.errors is None, result.errors
        return threading.get_ident()

    loop_thread = asyncio.run(run())
    assert threads and loop_thread not in threads


def test_a_slow_query_does_not_hold_a_quick_one(loaded: RegistryService, monkeypatch: pytest.MonkeyPatch) -> None:
    find = loaded.store.find_nodes

    def slow_find(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)
        return find(*args, **kwargs)

    monkeypatch.setattr(loaded.store, "find_nodes", slow_find)
    loaded.stats(Caller.public())  # cached per clearance: the quick query then touches no page
    schema = build_schema()
    finished: list[str] = []

    async def run(name: str, query: str) -> None:
        result = await schema.execute(query, context_value=RegistryContext(loaded, Caller.public()))
        assert result.errors is None, result.errors
        finished.append(name)

    async def both() -> None:
        slow = asyncio.create_task(run("slow", SLOW))
        await asyncio.sleep(0.05)
        await run("quick", QUICK)
        await slow

    asyncio.run(both())
    assert finished == ["quick", "slow"]
