import pytest

from registry.schema.codes import (
    clean_code,
    make_credit_code,
    validate_credit_code,
    validate_resource_code,
)


@pytest.mark.parametrize("code", ["91330100799655058B", "91110000802100433B", "914403001922038216"])
def test_real_credit_codes_pass(code: str) -> None:
    assert validate_credit_code(code) == code


def test_generated_codes_pass_and_whitespace_is_cleaned() -> None:
    code = make_credit_code("11", "330000", "00253001")
    assert validate_credit_code(f" \t'{code}　") == code
    assert validate_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91330100799655058", "18 characters"),
        ("91330100799655058C", "check digit"),
        ("9133010079965505OB", "not allowed"),
        ("91999900799655058B", "region"),
        ("91330100799655048B", "GB 11714"),
    ],
)
def test_bad_credit_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_credit_code(code)


def test_resource_codes_are_kept_as_given() -> None:
    assert validate_resource_code(" 301001/000123 ").recognised
    legacy = validate_resource_code("A0102-0003")
    assert legacy.code == "A0102-0003" and not legacy.recognised and "kept as given" in (legacy.warning or "")
    with pytest.raises(ValueError):
        validate_resource_code("人口/001")


def test_clean_code_folds_full_width() -> None:
    assert clean_code("３０１００１／０００１") == "301001/0001"
