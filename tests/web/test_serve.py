"""`registry token create` and `registry serve` end to end: a real server on loopback,
queried over HTTP and over a websocket with the token the CLI printed."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import websockets
from click.testing import CliRunner

from registry.cli import main
from registry.service import RegistryService
from registry.store.sqlite import SQLiteStore
from tests.graphql.conftest import build_registry
from tests.web.serving import serving


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "zj.db"
    store = SQLiteStore(path)
    build_registry(RegistryService(store))
    store.close()
    return path


@pytest.fixture
def server(registry_file: Path) -> Iterator[str]:
    with serving(registry_file, "--workers", "1") as url:
        yield url


def test_token_create_then_serve_over_http_and_websocket(registry_file: Path, server: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["--store", str(registry_file), "token", "create", "--role", "reviewer", "--clearance", "confidential"]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("reg_")
    listed = runner.invoke(main, ["--store", str(registry_file), "token", "list"])
    assert "reviewer" in listed.output and token.split("_", 2)[2] not in listed.output

    query = "{ systems(network: INTRANET) { totalCount } }"
    assert httpx2.post(f"{server}/graphql", json={"query": query}).status_code == 401
    answer = httpx2.post(f"{server}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    assert answer.json() == {"data": {"systems": {"totalCount": 1}}}

    async def over_websocket() -> dict:
        ws_url = server.replace("http", "ws") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            return json.loads(await ws.recv())

    message = asyncio.run(over_websocket())
    assert message["type"] == "next" and message["payload"]["data"] == {"systems": {"totalCount": 1}}


def test_websocket_without_a_token_is_rejected(server: str) -> None:
    async def attempt() -> object:
        ws_url = server.replace("http", "ws") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            try:
                return json.loads(await ws.recv())
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    assert asyncio.run(attempt()) == 4403
