"""Cell values to typed values, each failure a sentence the user can act on.

Shared by the catalogue and native readers so a date, a share rule or a data type is
judged the same way whatever file it came in.
"""

import re
from datetime import date, datetime, timedelta, timezone

from registry.i18n import allowed, t
from registry.schema.enums import DataType, FormatCategory, ShareType
from registry.schema.synonyms import canonical, normalise

CHINA_TIME = timezone(timedelta(hours=8), "CST")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TYPE_WITH_LENGTH = re.compile(r"^(.+?)\s*[(（]\s*(\d+)\s*(?:[,，]\s*\d+\s*)?[)）]$")
_LIST_SEPARATORS = re.compile(r"[,，;；、\s]+")

_FORMAT_BY_TYPE: dict[str, FormatCategory] = {
    **dict.fromkeys(("xls", "xlsx", "csv", "et", "ods", "wps表格"), FormatCategory.SPREADSHEET),
    **dict.fromkeys(("doc", "docx", "pdf", "txt", "wps", "ofd", "rtf"), FormatCategory.ELECTRONIC_FILE),
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "svg"), FormatCategory.IMAGE),
    **dict.fromkeys(("mp4", "avi", "flv", "mp3", "wav", "rtsp", "hls"), FormatCategory.STREAMING),
    **dict.fromkeys(("xml", "json", "rdf"), FormatCategory.SELF_DESCRIBING),
    **dict.fromkeys(
        ("oracle", "mysql", "sqlserver", "db2", "达梦", "dm", "kingbase", "人大金仓", "postgresql", "gbase", "access"),
        FormatCategory.DATABASE,
    ),
    **dict.fromkeys(("api", "webservice", "restful", "rest"), FormatCategory.SERVICE_INTERFACE),
}


def parse_date(raw: str) -> date:
    text = normalise(raw)
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(t("value.date", value=raw))


def parse_moment(raw: str) -> datetime:
    """A date (the start of that day) or a date-time; China Standard Time unless the text
    says otherwise, since that is what a department writes in its sheet."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        day = parse_date(text)
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TIME)


def parse_data_type(raw: str) -> tuple[DataType, int | None]:
    """``C``, ``字符型``, ``varchar2(18)``: the type, and a length when one is written with it."""
    try:
        return canonical(DataType, raw), None
    except ValueError as exc:
        match = _TYPE_WITH_LENGTH.match(raw.strip())
        if match is None:
            raise exc from None
        return canonical(DataType, match[1]), int(match[2])


def parse_format(raw: str) -> tuple[FormatCategory, str | None]:
    """``数据库/oracle``, ``电子表格(xlsx)``, ``数据库``, or just ``xlsx``: the category and the type."""
    text = raw.strip()
    match = re.match(r"^(.*?)\s*[(（](.*)[)）]$", text)
    parts = [match[1], match[2]] if match else re.split(r"\s*[/／:：]\s*", text, maxsplit=1)
    kind = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    try:
        return canonical(FormatCategory, parts[0]), kind
    except ValueError:
        inferred = _FORMAT_BY_TYPE.get(normalise(text)) or _FORMAT_BY_TYPE.get(normalise(parts[-1]))
        if inferred is None:
            raise ValueError(t("format.unknown", value=raw, allowed=allowed(FormatCategory))) from None
        return inferred, kind or text


def split_list(raw: str) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(raw.strip()) if part]


def share_rule(share_type: ShareType | str | None, condition: str | None) -> str | None:
    """Decree 809 and 国发〔2016〕51号: a conditional share states its condition, a refusal
    its legal or policy basis. The reason when the pair breaks that rule."""
    if condition and condition.strip():
        return None
    if share_type == ShareType.CONDITIONAL:
        return t("value.condition_needed")
    if share_type == ShareType.NOT_SHARED:
        return t("value.basis_needed")
    return None


def excel_number_hint(raw: str) -> str:
    """Excel shows long digit strings in scientific notation and keeps 15 digits; a code
    that went through that has lost its tail."""
    text = raw.strip()
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", text) or (text.isdigit() and len(text) >= 16 and text.endswith("000")):
        return t("number.lost_digits_hint")
    return ""
