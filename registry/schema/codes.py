"""Validators for the identifiers catalogues use as natural keys.

A 统一社会信用代码 (GB 32100-2015) can be checked completely: alphabet, the region part
against the national division codes, the embedded organisation code's GB 11714 check
digit and the final check digit. Resource codes cannot: the 2017 guide's pattern
(``<类><项><目><细目>/<sequence>``) coexists with older GB/T 21063 codes and local
schemes, so a code is always kept exactly as given (trimmed) and only what can be
recognised is checked; an unrecognised pattern is a warning, not an error.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from registry.i18n import t

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_REGISTRATION_AUTHORITIES = set("123456789ABCDEFGNY")
_NATIONAL_REGION = "100000"  # central state organs register under this region part


def clean_code(raw: str) -> str:
    """Identifiers arrive with stray spaces, full-width characters, Excel's leading
    apostrophe or tab; none of those are part of the code."""
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("'\t").strip()
    return "".join(text.split())


def credit_check_digit(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_check_digit(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


@cache
def division_codes() -> frozenset[str]:
    """Province (2), city (4) and county (6 digit) codes of the 2023 national list."""
    codes: set[str] = set()
    folder = resources.files("registry.schema") / "reference"
    for name in ("provinces", "cities", "areas"):
        with (folder / f"cn_divisions_2023_{name}.csv").open(encoding="utf-8") as handle:
            codes.update(row["code"] for row in csv.DictReader(handle))
    return frozenset(codes)


def region_known(region6: str) -> bool:
    """A region part names a county, a city or province with trailing zeros (provincial
    bodies register at 440000 and so on), or the national 100000 of central organs."""
    codes = division_codes()
    if region6 == _NATIONAL_REGION or region6 in codes:
        return True
    if region6.endswith("0000") and region6[:2] in codes:
        return True
    return region6.endswith("00") and region6[:4] in codes


def validate_credit_code(raw: str) -> str:
    """The cleaned code, or ValueError saying exactly what is wrong with it."""
    code = clean_code(raw).upper()
    if len(code) != 18:
        raise ValueError(t("code.length", code=code, n=len(code)))
    bad = sorted({c for c in code if c not in _CREDIT_ALPHABET})
    if bad:
        raise ValueError(t("code.alphabet", code=code, bad="".join(bad)))
    if code[0] not in _REGISTRATION_AUTHORITIES:
        raise ValueError(t("code.authority", code=code, first=code[0]))
    if not code[2:8].isdigit() or not region_known(code[2:8]):
        raise ValueError(t("code.region", code=code, region=code[2:8]))
    if org_code_check_digit(code[8:16]) != code[16]:
        raise ValueError(t("code.org", code=code, org=code[8:17]))
    expected = credit_check_digit(code[:17])
    if expected != code[17]:
        raise ValueError(t("code.check", code=code, found=code[17], expected=expected))
    return code


def make_credit_code(authority_type: str, region6: str, org_body8: str) -> str:
    """Build a valid code from its parts; used by the demo and the synthetic generator."""
    org = org_body8 + org_code_check_digit(org_body8)
    first17 = authority_type + region6 + org
    return first17 + credit_check_digit(first17)


_RESOURCE_2017 = re.compile(r"^(?P<category>[123])(?P<item>\d{2,3})(?P<rest>[0-9A-Za-z]*)/(?P<seq>\d{3,})$")
_RESOURCE_ANY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]*(/[0-9A-Za-z.\-]+)*$")


@dataclass(frozen=True)
class ResourceCode:
    code: str
    recognised: bool
    category_digit: str | None

    @property
    def warning(self) -> str | None:
        if self.recognised:
            return None
        return t("code.resource_pattern", code=self.code)


def validate_resource_code(raw: str) -> ResourceCode:
    code = clean_code(raw)
    if not code:
        raise ValueError(t("col.empty", column="信息资源代码"))
    match = _RESOURCE_2017.match(code)
    if match:
        return ResourceCode(code, True, match["category"])
    if not _RESOURCE_ANY.match(code):
        raise ValueError(t("code.resource_chars", code=code))
    return ResourceCode(code, False, None)
