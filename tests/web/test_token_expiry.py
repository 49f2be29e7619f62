"""Tokens expire and record when they were last used (issue 11, item 12)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from registry.web.tokens import DEFAULT_DAYS, TokenStore


def test_a_token_expires_by_default_and_is_then_refused(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json")
    token, info = store.create(role="reviewer", clearance="secret", name="审核员")
    assert info.expires is not None
    days = (datetime.fromisoformat(info.expires) - datetime.fromisoformat(info.created)).days
    assert days == DEFAULT_DAYS
    assert store.authenticate(token) is not None

    rows = json.loads(store.path.read_text(encoding="utf-8"))
    rows[0]["expires"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    store.path.write_text(json.dumps(rows), encoding="utf-8")
    assert TokenStore(store.path).authenticate(token) is None


def test_tokens_made_before_expiry_existed_still_work(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json")
    token, _info = store.create(role="public", expires_in=None)
    rows = json.loads(store.path.read_text(encoding="utf-8"))
    rows[0].pop("expires")
    store.path.write_text(json.dumps(rows), encoding="utf-8")
    assert TokenStore(store.path).authenticate(token) is not None


def test_last_use_is_recorded_beside_the_token_file(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json")
    token, _info = store.create(role="reviewer")
    before = store.path.read_text(encoding="utf-8")
    assert [t.last_used for t in store.list()] == [None]
    assert store.authenticate(token) is not None
    assert store.path.read_text(encoding="utf-8") == before, "the server never rewrites the token file"
    assert [t.last_used is not None for t in TokenStore(store.path).list()] == [True]


def test_token_cli_sets_and_lists_expiry_and_last_use(tmp_path: Path) -> None:
    runner = CliRunner()
    tokens = str(tmp_path / "zj.tokens.json")
    made = runner.invoke(main, ["token", "create", "--role", "reviewer", "--expires", "7", "--tokens", tokens])
    assert made.exit_code == 0, made.output
    token = made.output.splitlines()[0]
    forever = runner.invoke(main, ["token", "create", "--role", "admin", "--expires", "never", "--tokens", tokens])
    assert forever.exit_code == 0 and "never expires" in forever.output
    bad = runner.invoke(main, ["token", "create", "--role", "admin", "--expires", "soon", "--tokens", tokens])
    assert bad.exit_code == 2 and "--expires" in bad.output

    TokenStore(tokens).authenticate(token)
    listed = runner.invoke(main, ["token", "list", "--tokens", tokens], env={"COLUMNS": "250"})
    assert listed.exit_code == 0
    week = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    assert week in listed.output
    assert "never" in listed.output and datetime.now(UTC).date().isoformat() in listed.output
