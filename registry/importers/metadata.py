"""Open-data metadata values (DCAT, CKAN) to registry values.

Portals' records are typed loosely: descriptions carry HTML, dates come as ISO dates,
timestamps, ``02/27/2015`` or ``27 February 2015``, periodicities as ISO 8601 repeating
durations or words, identifiers as URLs. Each helper here returns the registry value or
None, and the reason when the source value could not be understood, so the importers can
report it at the record and keep going. ``docs/interop.md`` tables what maps to what.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser

from registry.i18n import t
from registry.importers.values import parse_date, parse_format
from registry.schema.codes import clean_code, validate_credit_code, validate_resource_code
from registry.schema.enums import DataType, FormatCategory, InterfaceKind, ShareType, UpdateCycle
from registry.schema.synonyms import normalise

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_NOT_IN_CODE = re.compile(r"[^0-9A-Za-z.\-/]+")
_CREDIT_LIKE = re.compile(r"^[0-9A-Z]{18}$")
_DATE_FORMATS = ("%m/%d/%Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d %H:%M:%S")


class _Text(HTMLParser):
    """Collects the text of an HTML fragment; block elements become line breaks."""

    _BLOCKS = frozenset(("p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(raw: object) -> str | None:
    """Text without HTML tags or entities, runs of spaces folded, blank lines dropped.
    JSON's ``\\ud83d`` escapes can leave a lone surrogate, which no store can encode: a
    pair is joined into its character, a lone one replaced."""
    if not isinstance(raw, str):
        return None
    parser = _Text()
    parser.feed(raw.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    return text or None


def parse_any_date(raw: object) -> tuple[date | None, str | None]:
    """The date, or None and why. ISO dates and timestamps (``Z`` and offsets included),
    ``2015年2月27日``, ``20150227``, US ``02/27/2015`` and written-out months are read; a
    bare year or a month is not a day and is reported."""
    if raw is None or raw == "":
        return None, None
    if not isinstance(raw, str):
        return None, t("od.not_a_date", raw=raw)
    text = raw.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date(), None
    except ValueError:
        pass
    try:
        return parse_date(text), None
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, t("od.date_unreadable", raw=raw)


_PERIODS: dict[str, UpdateCycle] = {
    "r/pt1s": UpdateCycle.REALTIME,
    "r/pt1m": UpdateCycle.REALTIME,
    "r/pt1h": UpdateCycle.REALTIME,
    "continuous": UpdateCycle.REALTIME,
    "realtime": UpdateCycle.REALTIME,
    "r/p1d": UpdateCycle.DAILY,
    "daily": UpdateCycle.DAILY,
    "r/p1w": UpdateCycle.WEEKLY,
    "r/p0.5w": UpdateCycle.WEEKLY,
    "r/p3.5d": UpdateCycle.WEEKLY,
    "weekly": UpdateCycle.WEEKLY,
    "r/p10d": UpdateCycle.TEN_DAYS,
    "r/p1m": UpdateCycle.MONTHLY,
    "r/p0.5m": UpdateCycle.MONTHLY,
    "r/p2w": UpdateCycle.MONTHLY,
    "monthly": UpdateCycle.MONTHLY,
    "r/p3m": UpdateCycle.QUARTERLY,
    "quarterly": UpdateCycle.QUARTERLY,
    "r/p4m": UpdateCycle.HALF_YEARLY,
    "r/p6m": UpdateCycle.HALF_YEARLY,
    "semiannual": UpdateCycle.HALF_YEARLY,
    "r/p1y": UpdateCycle.YEARLY,
    "annual": UpdateCycle.YEARLY,
    "yearly": UpdateCycle.YEARLY,
    "irregular": UpdateCycle.IRREGULAR,
    "irreg": UpdateCycle.IRREGULAR,
    "cont": UpdateCycle.REALTIME,
    "annual2": UpdateCycle.HALF_YEARLY,
    "asneeded": UpdateCycle.IRREGULAR,
    "notplanned": UpdateCycle.IRREGULAR,
}
"""ISO 8601 repeating durations of DCAT-US ``accrualPeriodicity``, the EU frequency
vocabulary's last path segment and CKAN's common free-text words; what is between the
guide's cycles (every two years, say) is ``other``."""


def update_cycle(raw: object) -> UpdateCycle | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = normalise(raw).rstrip("/")
    text = text.rsplit("/", 1)[-1] if "://" in text else text
    found = _PERIODS.get(text) or _PERIODS.get(text.replace("_", "").replace("-", ""))
    return found or UpdateCycle.OTHER


@dataclass(frozen=True)
class Access:
    """What an access level says in the registry's terms."""

    share_type: ShareType
    open_to_public: bool
    share_condition: str | None = None
    open_condition: str | None = None


def access(level: object, rights: str | None) -> tuple[Access | None, str | None]:
    """DCAT-US ``accessLevel``: ``public`` is open and shared unconditionally;
    ``restricted public`` is open under conditions (``rights`` says which); ``non-public``
    is not open and shared between departments only under conditions. The guide requires
    a stated condition for a conditional share, so ``rights`` (which DCAT-US requires for
    both) becomes it, or the access level itself when a catalogue leaves it out."""
    if level is None:
        return None, None
    text = normalise(str(level)).replace("-", "").replace("_", "")
    if text == "public":
        return Access(ShareType.UNCONDITIONAL, True), None
    if text == "restrictedpublic":
        condition = rights or "accessLevel: restricted public"
        return Access(ShareType.CONDITIONAL, True, condition, condition), None
    if text == "nonpublic":
        return Access(ShareType.CONDITIONAL, False, rights or "accessLevel: non-public"), None
    return None, t("od.access_level", level=level)


_MEDIA_TYPES: dict[str, str] = {
    "text/csv": "csv",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "text/html": "html",
}
_SERVICES = frozenset(("api", "wms", "wfs", "wmts", "arcgis geoservices rest api", "esri rest", "ogc wms", "sparql"))


def format_of(fmt: object, media_type: object) -> tuple[FormatCategory, str] | None:
    """The guide's format category and the type as written (``CSV``, ``xlsx``), or None
    when the record names neither."""
    written = fmt.strip() if isinstance(fmt, str) and fmt.strip() else None
    if written is None and isinstance(media_type, str):
        written = _MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
    if written is None:
        return None
    kind = normalise(written).lstrip(".")
    if written.lower() in _SERVICES or kind in _SERVICES:
        return FormatCategory.SERVICE_INTERFACE, written
    try:
        category, _ = parse_format(kind)
    except ValueError:
        return FormatCategory.OTHER, written
    return category, written


def interface_kind(access_url: str | None, download_url: str | None, fmt: str | None) -> InterfaceKind:
    """A download is a file; an access URL without a download, or a service format, is an API."""
    if fmt is not None and (fmt.lower() in _SERVICES or normalise(fmt) in _SERVICES):
        return InterfaceKind.API
    return InterfaceKind.FILE if download_url else InterfaceKind.API if access_url else InterfaceKind.FILE


def resource_code(identifier: object) -> tuple[str | None, str | None]:
    """A 信息资源代码 for a foreign identifier: kept as written when it is one (a UUID, a
    code such as ``GSA-2015-02-26-1``); a URL or a GUID in braces loses its scheme and
    the characters no code scheme uses become ``-``, so the same record always gets the
    same code and re-importing it changes nothing."""
    if not isinstance(identifier, str | int) or not str(identifier).strip():
        return None, t("od.no_identifier")
    text = clean_code(str(identifier))
    try:
        return validate_resource_code(text).code, None
    except ValueError:
        pass
    folded = _NOT_IN_CODE.sub("-", _SCHEME.sub("", text)).strip("-/.")
    folded = re.sub(r"/{2,}", "/", re.sub(r"-?/-?", "/", folded))
    try:
        return validate_resource_code(folded).code, None
    except ValueError as exc:
        return None, t("od.identifier_unusable", identifier=identifier, reason=exc)


def credit_code(candidates: list[object]) -> tuple[str | None, str | None]:
    """The first candidate that is a valid 统一社会信用代码; the reason when a candidate
    looks like one (18 letters and digits) but fails its checks, which is a typo to fix
    rather than a foreign identifier to ignore."""
    for raw in candidates:
        if not isinstance(raw, str) or not raw.strip():
            continue
        text = clean_code(raw).upper()
        try:
            return validate_credit_code(text), None
        except ValueError as exc:
            if _CREDIT_LIKE.match(text):
                return None, str(exc)
    return None, None


_DATASTORE_TYPES: dict[str, DataType] = {
    **dict.fromkeys(("text", "varchar", "char", "string", "name", "uuid"), DataType.CHAR),
    **dict.fromkeys(("int", "int2", "int4", "int8", "integer", "bigint", "smallint"), DataType.INTEGER),
    **dict.fromkeys(("numeric", "decimal", "number"), DataType.NUMBER),
    **dict.fromkeys(("float", "float4", "float8", "double", "double precision", "real"), DataType.FLOAT),
    **dict.fromkeys(("date",), DataType.DATE),
    **dict.fromkeys(("timestamp", "timestamptz", "datetime", "time"), DataType.DATETIME),
    **dict.fromkeys(("bool", "boolean"), DataType.LOGICAL),
    **dict.fromkeys(("json", "jsonb", "_text", "array"), DataType.MEMO),
}


def data_type(raw: object) -> DataType | None:
    """A CKAN DataStore column type (PostgreSQL's names) as the guide's data type."""
    if not isinstance(raw, str):
        return None
    return _DATASTORE_TYPES.get(raw.strip().lower())
