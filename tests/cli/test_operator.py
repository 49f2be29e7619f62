"""The CLI records the operating-system account beside $REGISTRY_USER (issue 11, item 8):
the variable is whatever its user typed, the account is not."""

import pytest

from registry.cli.context import operator, os_user


def test_writes_name_the_os_account_beside_registry_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_USER", "张三")
    caller = operator()
    assert caller.identity == f"张三 (os:{os_user()})"
    assert os_user() and caller.role.value == "admin"


def test_without_registry_user_the_os_account_is_the_author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_USER", raising=False)
    assert operator().identity == os_user()
