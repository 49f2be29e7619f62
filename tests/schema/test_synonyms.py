import pytest

from registry.schema.enums import DataType, Network, SecrecyLevel, ShareMode, ShareType, UpdateCycle
from registry.schema.synonyms import canonical, parse_bool


@pytest.mark.parametrize(
    ("enum", "raw", "expected"),
    [
        (ShareMode, "邮件方式", ShareMode.MAIL_OR_MEDIA),
        (ShareMode, "介质方式", ShareMode.MAIL_OR_MEDIA),
        (ShareMode, "04", ShareMode.MAIL_OR_MEDIA),
        (ShareMode, "共享平台 接口", ShareMode.INTERFACE),
        (ShareType, "有条件共享", ShareType.CONDITIONAL),
        (ShareType, "不予共享", ShareType.NOT_SHARED),
        (Network, " 电子政务外网 ", Network.EXTRANET),
        (Network, "部门专网", Network.PRIVATE),
        (SecrecyLevel, "机密", SecrecyLevel.CONFIDENTIAL),
        (UpdateCycle, "每季度", UpdateCycle.QUARTERLY),
        (DataType, "ｃ", DataType.CHAR),
        (DataType, "varchar2", DataType.CHAR),
    ],
)
def test_synonyms_map_to_canonical_values(enum, raw, expected) -> None:
    assert canonical(enum, raw) is expected


def test_unknown_value_lists_what_was_expected() -> None:
    with pytest.raises(ValueError, match="unconditional, conditional, not_shared"):
        canonical(ShareType, "随便共享")


def test_secrecy_and_graded_protection_are_separate_scales() -> None:
    with pytest.raises(ValueError):
        canonical(SecrecyLevel, "3")


def test_booleans() -> None:
    assert parse_bool("是") is True and parse_bool(" 否 ") is False
    with pytest.raises(ValueError, match="是/否"):
        parse_bool("也许")
