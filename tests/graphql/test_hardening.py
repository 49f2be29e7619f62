"""Regression tests for the GraphQL items of issue 11: queries whose answers grow without
a limit (item 4), raw exception text over the WebSocket (item 9), search input (item 10)
and impact on a field key (item 11)."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.graphql import Limits
from registry.graphql.errors import INTERNAL_MESSAGE
from registry.schema.model import field_key
from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import HUJI_DS, INTRANET_DS, Api, make_tokens, serve

INNER = (
    "dataElements(first: 100) { edges { node { fields { dataset { fields { element { fields { dataset "
    "{ fields { name } } } } } } } } } }"
)
ATTACK = "{ " + " ".join(f"a{i}: {INNER}" for i in range(30)) + " }"


def test_a_query_estimated_too_costly_is_refused_before_it_runs(api: Api) -> None:
    started = time.monotonic()
    body = api.post(ATTACK, as_="admin")
    assert time.monotonic() - started < 5
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "would return about" in error["message"] and "first" in error["message"]


def test_an_ordinary_page_is_within_the_estimate(api: Api) -> None:
    body = api.post("{ datasets(first: 100) { edges { node { name fields { name } } } } }", as_="admin")
    assert not body.get("errors") and body["data"]["datasets"]["edges"]


@pytest.fixture
def capped(loaded: RegistryService, tmp_path: Path) -> Iterator[Api]:
    tokens = TokenStore(tmp_path / "tokens.json")
    issued = make_tokens(tokens)
    app = create_app(loaded, tokens, WebSettings(limits=Limits(max_nodes=5)))
    with serve(app) as client:
        yield Api(client, loaded, issued)


def test_a_result_past_the_node_cap_is_stopped_with_one_error(capped: Api) -> None:
    body = capped.post("{ datasets(first: 100) { edges { node { name fields { name } } } } }", as_="admin")
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_INPUT"]
    assert "more than 5 nodes" in body["errors"][0]["message"]
    small = capped.post("{ datasets(first: 2) { edges { node { name } } } }", as_="admin")
    assert not small.get("errors")


@pytest.mark.parametrize("term", ["\u0000", "信息\u0000x", "人" * 50_000])
def test_bad_search_terms_are_bad_input(api: Api, term: str) -> None:
    body = api.post("query($s: String!) { datasets(search: $s) { totalCount } }", {"s": term}, as_="admin")
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "search term" in body["errors"][0]["message"]


def test_impact_of_a_field_is_answered(api: Api) -> None:
    key = field_key(HUJI_DS, "公民身份号码")
    body = api.post(
        "query($k: String!) { impact(key: $k) { subject datasetsLost derivedDatasets } }", {"k": key}, as_="admin"
    )
    assert not body.get("errors"), body
    assert body["data"]["impact"]["datasetsLost"] == []
    assert "302001/000001" in body["data"]["impact"]["derivedDatasets"]


def _over_websocket(app: Any, token: str, query: str) -> dict[str, Any]:
    with TestClient(app) as client, client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        return ws.receive_json()


def test_websocket_errors_are_masked_and_coded_like_http(
    loaded: RegistryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    issued = make_tokens(tokens)
    app = create_app(loaded, tokens, WebSettings())
    bad = _over_websocket(app, issued["admin"], '{ datasets(search: "\\u0000") { totalCount } }')
    assert bad["payload"]["errors"][0]["extensions"]["code"] == "BAD_INPUT"

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("LIKE or GLOB pattern too complex near " + INTRANET_DS)

    monkeypatch.setattr(loaded, "find", broken)
    internal = _over_websocket(app, issued["admin"], "{ datasets { totalCount } }")
    error = internal["payload"]["errors"][0]
    assert error["message"] == INTERNAL_MESSAGE
    assert error["extensions"]["code"] == "INTERNAL"
    assert "GLOB" not in str(internal) and INTRANET_DS not in str(internal)
