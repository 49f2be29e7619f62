"""API tokens: stored hashed, scoped, revocable."""

import json
import stat
from pathlib import Path

import pytest

from registry.schema.enums import Clearance
from registry.service import Role
from registry.web.tokens import TokenError, TokenStore, default_token_path
from tests.graphql.conftest import GA


def test_tokens_are_stored_hashed_and_authenticate(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json")
    token, info = store.create(role="editor", department=GA, clearance="secret", name="公安厅录入员")
    text = (tmp_path / "t.json").read_text(encoding="utf-8")
    secret = token.split("_", 2)[2]
    assert secret not in text and info.digest in text
    assert stat.S_IMODE((tmp_path / "t.json").stat().st_mode) == 0o600
    caller = TokenStore(tmp_path / "t.json").authenticate(token)
    assert caller is not None
    assert (caller.role, caller.clearance, caller.department, caller.identity) == (
        Role.EDITOR,
        Clearance.SECRET,
        GA,
        "token:公安厅录入员",
    )
    assert store.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.authenticate("Bearer nonsense") is None


def test_revoked_tokens_stop_authenticating(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json")
    token, info = store.create(role="reviewer", clearance="confidential")
    assert store.revoke(info.id).id == info.id
    assert store.authenticate(token) is None
    assert json.loads((tmp_path / "t.json").read_text()) == []
    with pytest.raises(TokenError, match="no token"):
        store.revoke(info.id)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"role": "editor"}, "needs --department"),
        ({"role": "public", "clearance": "secret"}, "public clearance"),
        ({"role": "owner"}, "unknown role"),
        ({"role": "reviewer", "clearance": "cosmic"}, "unknown clearance"),
        ({"role": "editor", "department": "91330000XXXXXXXX12"}, "统一社会信用代码"),
    ],
)
def test_bad_token_requests_are_explained(tmp_path: Path, spec: dict[str, str], message: str) -> None:
    with pytest.raises(TokenError, match=message):
        TokenStore(tmp_path / "t.json").create(**spec)
    assert not (tmp_path / "t.json").exists()


def test_token_file_sits_beside_the_registry(tmp_path: Path) -> None:
    assert default_token_path(str(tmp_path / "zj.db")) == tmp_path / "zj.tokens.json"
    assert default_token_path("neo4j://db.internal:7687") == Path("registry.tokens.json")
