"""Validation kept per operation (``registry.graphql.validation``): an operation sent again
with another comment or layout is not validated again; an invalid one is validated every
time, so its errors point into the text that was sent."""

from typing import Any

import pytest

from registry.graphql import build_schema, validation


def test_the_same_operation_laid_out_otherwise_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_schema()
    calls: list[int] = []
    real = validation.validate_document

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(validation, "validate_document", counted)
    for text in ("{ __typename }", "{ __typename }\n# 仪表盘刷新 17", "\n\n  {\n    __typename\n  }\n"):
        assert schema.execute_sync(text).errors is None
    assert len(calls) == 1
    assert schema.execute_sync("{ a: __typename }").errors is None  # another operation: validated
    assert len(calls) == 2


def test_an_invalid_operation_is_reported_at_its_own_place_each_time() -> None:
    schema = build_schema()
    for lines in (0, 2, 5):
        errors = schema.execute_sync("\n" * lines + "{ 不存在的字段 }").errors
        assert errors is not None and errors[0].locations is not None
        assert errors[0].locations[0].line == lines + 1
