"""GraphQL answers carry Chinese as characters, not \\u escapes."""

from pathlib import Path

from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import serve


def test_chinese_is_sent_as_utf8_characters(loaded: RegistryService, tmp_path: Path) -> None:
    app = create_app(loaded, TokenStore(tmp_path / "tokens.json"), WebSettings(public_view=True))
    with serve(app) as client:
        response = client.post("/graphql", json={"query": "{ departments(first: 3) { edges { node { name } } } }"})
    assert response.status_code == 200
    raw = response.content.decode("utf-8")
    names = [e["node"]["name"] for e in response.json()["data"]["departments"]["edges"]]
    assert names and all(name in raw for name in names)
    assert "\\u" not in raw
