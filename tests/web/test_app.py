"""The web app around the API: authentication, GraphiQL offline, health, metrics, CORS,
request limits and error hygiene."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.graphql import Limits
from registry.graphql.errors import INTERNAL_MESSAGE
from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import Client, make_tokens, serve

STATS = "{ stats { nodes { name count } } }"


@pytest.fixture
def tokens(tmp_path: Path) -> tuple[TokenStore, dict[str, str]]:
    store = TokenStore(tmp_path / "tokens.json")
    return store, make_tokens(store)


@pytest.fixture
def client(loaded: RegistryService, tokens: tuple[TokenStore, dict[str, str]]) -> Iterator[Client]:
    settings = WebSettings(
        cors_origins=("https://dashboard.zj.gov.cn",),
        max_body_bytes=4096,
        limits=Limits(max_depth=6, max_aliases=3, max_tokens=300),
    )
    with serve(create_app(loaded, tokens[0], settings)) as c:
        yield c


def bearer(tokens: tuple[TokenStore, dict[str, str]], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[1][who]}"}


def test_requests_without_a_valid_token_are_refused_by_default(client: Client, tokens: tuple) -> None:
    anonymous = client.post("/graphql", json={"query": STATS})
    assert anonymous.status_code == 401 and "Authorization: Bearer" in anonymous.text
    forged = client.post("/graphql", json={"query": STATS}, headers={"Authorization": "Bearer reg_0000_nope"})
    assert forged.status_code == 401 and "expired or revoked token" in forged.text
    ok = client.post("/graphql", json={"query": STATS}, headers=bearer(tokens, "public"))
    assert ok.status_code == 200 and ok.json()["data"]["stats"]["nodes"]


def test_a_revoked_token_stops_working_at_once(client: Client, tokens: tuple) -> None:
    store, issued = tokens
    headers = bearer(tokens, "reviewer")
    assert client.post("/graphql", json={"query": STATS}, headers=headers).status_code == 200
    token_id = issued["reviewer"].split("_")[1]
    store.revoke(token_id)
    assert client.post("/graphql", json={"query": STATS}, headers=headers).status_code == 401


def test_public_view_answers_anonymous_requests_read_only(loaded: RegistryService, tokens: tuple) -> None:
    with serve(create_app(loaded, tokens[0], WebSettings(public_view=True))) as c:
        read = c.post("/graphql", json={"query": "{ systems(network: INTRANET) { totalCount } }"})
        assert read.json()["data"]["systems"]["totalCount"] == 0
        write = c.post(
            "/graphql", json={"query": 'mutation { upsertDepartment(input: {code: "x", name: "y"}) { created } }'}
        )
        assert write.status_code == 200
        assert write.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "BAD_INPUT")


def test_get_queries_work_for_dashboards(client: Client, tokens: tuple) -> None:
    response = client.get("/graphql", params={"query": STATS}, headers=bearer(tokens, "public"))
    assert response.status_code == 200 and response.json()["data"]["stats"]


def test_graphiql_is_served_offline_with_bundled_assets(client: Client) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "GraphiQL" in page.text
    assert "http://" not in page.text and "https://" not in page.text and "//unpkg" not in page.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(urls) == 4 and all(u.startswith("/static/graphiql/") for u in urls)
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 5000, url
        assert ("javascript" if url.endswith(".js") else "css") in asset.headers["content-type"]


def test_health_reports_the_store(client: Client, loaded: RegistryService) -> None:
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    loaded.store.close()
    down = client.get("/health")
    assert down.status_code == 503 and down.json() == {"status": "unavailable", "store": "not reachable"}


def test_metrics_count_requests_latency_and_errors(client: Client, tokens: tuple) -> None:
    for _ in range(3):
        client.post("/graphql", json={"query": STATS}, headers=bearer(tokens, "public"))
    client.post("/graphql", json={"query": '{ system(code: "NONE") { key } }'}, headers=bearer(tokens, "public"))
    client.post("/graphql", json={"query": STATS})
    text = client.get("/metrics").text
    assert 'registry_http_requests_total{method="POST",route="/graphql",status="200"} 4' in text
    assert 'registry_http_requests_total{method="POST",route="/graphql",status="401"} 1' in text
    assert 'registry_http_request_duration_seconds_bucket{route="/graphql",le="+Inf"} 5' in text
    assert 'registry_http_request_duration_seconds_count{route="/graphql"} 5' in text
    assert 'registry_graphql_errors_total{code="NOT_FOUND"} 1' in text
    assert "registry_http_errors_total 0" in text


def test_cors_allows_only_configured_origins(client: Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = client.request("OPTIONS", "/graphql", headers={"Origin": "https://dashboard.zj.gov.cn", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "https://dashboard.zj.gov.cn"
    other = client.request("OPTIONS", "/graphql", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers


def test_request_bodies_over_the_limit_are_refused(client: Client, tokens: tuple) -> None:
    big = {"query": STATS, "variables": {"pad": "数" * 3000}}
    response = client.post("/graphql", json=big, headers=bearer(tokens, "public"))
    assert response.status_code == 413 and "limit is 4096 bytes" in response.text


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        (
            "{ departments { edges { node { systems { datasets { fields { dataset { provider { name } } } } } } } } }",
            "exceeds maximum operation depth",
        ),
        (
            "{ a: stats { nodes { name } } b: stats { nodes { name } } c: stats { nodes { name } } "
            "d: stats { nodes { name } } }",
            "aliases",
        ),
        ("{ stats { nodes { name " + "count " * 400 + "} } }", "token"),
    ],
    ids=["depth", "aliases", "tokens"],
)
def test_query_limits_name_the_problem(client: Client, tokens: tuple, query: str, needle: str) -> None:
    body = client.post("/graphql", json={"query": query}, headers=bearer(tokens, "admin")).json()
    assert body.get("data") is None
    assert needle in body["errors"][0]["message"].lower()


def test_unexpected_failures_do_not_reveal_internals(
    client: Client, tokens: tuple, loaded: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("sqlite3 at /srv/registry/secret.db: disk I/O error")

    monkeypatch.setattr(loaded, "stats", broken)
    body = client.post("/graphql", json={"query": STATS}, headers=bearer(tokens, "admin")).json()
    assert body["errors"][0]["message"] == INTERNAL_MESSAGE
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "secret.db" not in str(body) and "Traceback" not in str(body)


def test_bad_input_is_explained(client: Client, tokens: tuple) -> None:
    body = client.post(
        "/graphql", json={"query": '{ systems(after: "%%%") { totalCount } }'}, headers=bearer(tokens, "admin")
    ).json()
    assert "invalid cursor" in body["errors"][0]["message"]
    syntax = client.post("/graphql", json={"query": "{ systems( }"}, headers=bearer(tokens, "admin")).json()
    assert syntax["errors"][0]["message"].startswith("Syntax Error")
    garbage = client.post(
        "/graphql", content=b"not json", headers={"Content-Type": "application/json", **bearer(tokens, "admin")}
    )
    assert garbage.status_code == 400 and "JSON" in garbage.text
