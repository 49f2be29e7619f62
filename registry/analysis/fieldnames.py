"""Field-name normalisation: the same item written differently by different departments.

Catalogues name one item many ways (身份证号 / 身份证号码 / 公民身份号码, 联系电话 / 电话号码,
单位名称 / 单位名, a bracketed note "身份证号(18位)"). Duplicate detection and gap queries
compare items on a canonical name: a field mapped to a data element (MEANS) is that
element; an unmapped field is normalised (width, case, spaces, punctuation, bracketed
notes, 号码 and 编号→号, 名称→名) and looked up in the built-in synonym table and in the synonyms
the registry's own data elements declare.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_BRACKETS = re.compile(r"[(\[（【〔<《][^)\]）】〕>》]*[)\]）】〕>》]")
_PUNCTUATION = re.compile(r"[\s_\-—·.,，。:：;；/、\\|'\"“”‘’*#]+")
_SUFFIX_FOLDS = (("号码", "号"), ("编号", "号"), ("名称", "名"), ("代码", "码"), ("编码", "码"))

BUILTIN_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "公民身份号码": (
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份证号",
        "公民身份证号码",
        "居民身份证号码",
        "身份证件号码",
        "证件号码",
    ),
    "姓名": ("名字", "人员姓名", "个人姓名", "当事人姓名"),
    "统一社会信用代码": ("社会信用代码", "信用代码", "统一信用代码", "统一社会信用码"),
    "联系电话": ("电话", "电话号码", "联系方式", "手机号码", "手机号", "联系电话号码"),
    "地址": ("住址", "居住地址", "联系地址", "通讯地址", "详细地址"),
    "性别": ("性别代码",),
    "出生日期": ("出生年月日", "生日", "出生时间"),
    "民族": ("民族代码",),
    "法定代表人": ("法人代表", "法定代表人姓名", "法人", "法人姓名"),
    "企业名称": ("公司名称", "市场主体名称", "单位名称"),
    "行政区划代码": ("行政区划", "区划代码", "所属区划"),
    "邮政编码": ("邮编",),
    "电子邮箱": ("邮箱", "电子邮件", "email"),
}


def fold(raw: str) -> str:
    """The spelling-insensitive form of a field name; synonyms are matched on it."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = _BRACKETS.sub("", text)
    text = _PUNCTUATION.sub("", text)
    for long, short in _SUFFIX_FOLDS:
        if text.endswith(long):
            text = text[: -len(long)] + short
    return text or unicodedata.normalize("NFKC", raw).strip()


@dataclass
class FieldNormaliser:
    """Maps raw field names to canonical tokens. Folding is cached per distinct name:
    catalogues repeat a few thousand names millions of times."""

    synonyms: dict[str, str] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)
    _cache: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def standard(cls) -> "FieldNormaliser":
        normaliser = cls()
        for canonical, variants in BUILTIN_SYNONYMS.items():
            normaliser.add_synonyms(canonical, variants)
        return normaliser

    def add_synonyms(self, canonical: str, variants: Iterable[str]) -> None:
        target = fold(canonical)
        for variant in (canonical, *variants):
            self.synonyms[fold(variant)] = target
        self._cache.clear()

    def add_element(self, code: str, name: str, synonyms: Iterable[str] = ()) -> None:
        """A registry data element: unmapped fields whose canonical name is the element's
        name or one of its synonyms mean that element."""
        for spelling in (name, *synonyms):
            self.elements[self.synonyms.get(fold(spelling), fold(spelling))] = code
        self._cache.clear()

    def token(self, raw: str) -> str:
        """``E:<element code>`` for a known data element, else ``F:<canonical name>``."""
        cached = self._cache.get(raw)
        if cached is None:
            folded = fold(raw)
            canonical = self.synonyms.get(folded, folded)
            code = self.elements.get(canonical)
            cached = f"E:{code}" if code is not None else f"F:{canonical}"
            self._cache[raw] = cached
        return cached
