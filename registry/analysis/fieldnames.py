"""Field names as departments write them, read into what they mean.

Catalogues name one item many ways (身份证号 / 公民身份号码 / 证件号码, 出生日期 / 出生年月,
城镇公积金处罚编号 / 城镇公积金处罚代码, a bracketed note "身份证号(18位)"). A name is read into
a ``FieldName``: its folded spelling, the attribute it ends in (a class of interchangeable
suffixes: 编号/编码/代码/号码, 名称/名字, 日期/时间/年月 ...) or the common data element it
is or ends in (公民身份号码, 出生日期, 户籍地址 ...), the stem before that, and how much a
shared field of this kind says about two datasets being one (``weight``: ubiquitous
person identifiers and administrative columns say little). The dictionary is bundled
(``dictionary.json``); the registry's own data elements (and their synonyms) join it, and
a field mapped to an element (MEANS) is that element whatever its name.

Two fields are the same item when their ``token`` is equal (same element, or same class
and stem); ``registry.analysis.fieldmatch`` scores the near misses.
"""

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

_BRACKETS = re.compile(r"[(\[（【〔<《][^)\]）】〕>》]*[)\]）】〕>》]")
_FORMAT = re.compile(r"(?<=[\u4e00-\u9fff])_(?:[a-z0-9%]+|[\u4e00-\u9fff]{1,2})$")
"""A format or unit written after an underscore (发证日期_YYYYMMDD, 仓容_吨, 耗时_ms)."""
_YES_NO = re.compile(r"^是否为?(?=..)")
"""A yes/no column written as a question (是否为庄稼医院) where another writes the thing
with a note (庄稼医院（是/否）, the note being dropped as any bracketed note is)."""
_PUNCTUATION = re.compile(r"[\s_\-—·.,，。:：;；/、\\|'\"“”‘’*#]+")
DOMAIN_WEIGHT = 1.0
"""A domain-specific field (城镇公积金处罚编号): the evidence two datasets are one."""
TEMPLATE_STEM = 2
TEMPLATE_WEIGHT = 0.5
"""An attribute with at most a two-character stem (签发日期, 有效期至, 发证机关) is a column of
a business template many unrelated datasets share: half the evidence of a domain field."""


OPTIONAL_REST = 2
"""The fewest characters left when an optional attribute word is dropped."""


def fold(raw: str) -> str:
    """The spelling-insensitive form of a field name: width, case, spaces, punctuation,
    bracketed notes ("(必填)", "（18位）"), a format or unit after an underscore and a
    yes/no question's 是否 removed."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = _FORMAT.sub("", _BRACKETS.sub("", text).strip())
    text = _YES_NO.sub("", _PUNCTUATION.sub("", text))
    return text or unicodedata.normalize("NFKC", raw).strip()


@dataclass(frozen=True)
class Dictionary:
    """The bundled vocabulary: element spellings -> standard name, suffix spellings ->
    class, weights of elements and of administrative columns."""

    elements: Mapping[str, str]
    element_weights: Mapping[str, float]
    suffixes: Mapping[str, str]
    generic: frozenset[str]
    generic_weight: float
    longest_suffix: int
    words: tuple[tuple[str, str], ...]
    """(variant, standard word) inside stems, longest variant first: 车主 -> 所有人."""
    optional: tuple[str, ...]
    """Attribute words a department may drop without naming another item (林班号 / 林班,
    采伐蓄积量 / 采伐蓄积, 权利人名称 / 权利人), longest first."""
    whole_only: frozenset[str]
    """Element spellings that mean the element only as a whole name: 名字 alone is a
    person's 姓名, but 景区名字 is the 名称 of a 景区."""
    broader: Mapping[str, str]
    """element -> the element it is a kind of (注册地址 -> 地址): a register that writes 地址
    for its companies' 住所 holds the same column, less precisely named."""
    qualified: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """element -> (attribute class, heads): a name of that class whose stem ends in a head
    is the element qualified by the whole stem (办学许可证号 -> 证照编号 of 办学许可证;
    就失业证号 stays close to 就业失业登记证号, as the stems keep their 证)."""
    name_tails: tuple[str, ...] = ()
    """Words a dataset's name may end with without saying what it is about (信息, 台账
    ...), longest first: ``registry.analysis.subjects``."""
    name_scopes: tuple[str, ...] = ()
    """Words a dataset's name may begin with the same way (全省, 辖区 ...), longest first."""
    name_words: tuple[tuple[str, str], ...] = ()
    """(variant, word) of subject words in datasets' names (房屋 -> 不动产), longest first."""

    def standard_stem(self, text: str) -> str:
        """The name with interchangeable words in their standard form (车牌 -> 号牌)."""
        if not self._any_word(text):  # most names hold none: one search says so in C
            return text
        return _standard(text, self.words)

    def standard_subject(self, text: str) -> str:
        """A dataset name's subject words in their standard form (房屋 -> 不动产), in one
        pass, longest variant first, so that a word put in is not read again (企业 ->
        市场主体 must not then read 主体 -> 市场主体)."""
        return self._name_word.sub(lambda m: self._name_standard[m.group(0)], text)

    @cached_property
    def _any_word(self) -> Callable[[str], re.Match[str] | None]:
        return _alternatives(self.words).search

    @cached_property
    def _name_word(self) -> re.Pattern[str]:
        return _alternatives(self.name_words)

    @cached_property
    def _name_standard(self) -> dict[str, str]:
        return dict(self.name_words)


def _alternatives(words: Sequence[tuple[str, str]]) -> re.Pattern[str]:
    """A pattern matching any variant of ``words``, in their order (longest first), or
    nothing when there are none."""
    return re.compile("|".join(re.escape(variant) for variant, _ in words) or "(?!)")


def _standard(text: str, words: Sequence[tuple[str, str]]) -> str:
    """``text`` with each variant of ``words`` replaced by its word. Element spellings are
    registered in this form too, since a name is looked up in it once the whole name is
    not an element (经营者名称 -> 经营人名称, 发证机关 -> 签发机关)."""
    for variant, word in words:
        if variant in text:
            text = text.replace(variant, word)
    return text


@cache
def dictionary() -> Dictionary:
    """Read once per process; the file ships in the package (``registry/analysis/dictionary.json``)."""
    return read_dictionary(
        json.loads((resources.files("registry.analysis") / "dictionary.json").read_text(encoding="utf-8"))
    )


def read_dictionary(data: dict[str, Any]) -> Dictionary:
    """A ``Dictionary`` from the bundled file's structure (``bench.duplicates_loso`` reads
    variants of it, with families left out, to measure what each one adds)."""
    elements: dict[str, str] = {}
    weights: dict[str, float] = {}
    whole_only: set[str] = set()
    broader: dict[str, str] = {}
    qualified: dict[str, tuple[str, tuple[str, ...]]] = {}
    for entry in data["elements"]:
        if "qualified" in entry:
            qualified[entry["name"]] = (entry["qualified"]["class"], tuple(entry["qualified"]["heads"]))
        weights[entry["name"]] = float(entry["weight"])
        if "of" in entry:
            broader[entry["name"]] = entry["of"]
        for spelling in (entry["name"], *entry["variants"]):
            elements[fold(spelling)] = entry["name"]
        whole_only.update(fold(s) for s in entry.get("whole_only", ()))
    suffixes = {fold(v): entry["class"] for entry in data["suffixes"] for v in entry["variants"]}
    for spelling, element in _attribute_variants(elements, suffixes).items():
        elements.setdefault(spelling, element)
    words = sorted(
        ((fold(v), entry["word"]) for entry in data["words"] for v in entry["variants"]), key=lambda w: -len(w[0])
    )
    for spelling, element in list(elements.items()):
        elements.setdefault(_standard(spelling, words), element)
    generic = data["generic"]
    longest = max(map(len, (*elements, *suffixes)), default=0)
    return Dictionary(
        elements,
        weights,
        suffixes,
        frozenset(fold(n) for n in generic["names"]),
        generic["weight"],
        longest,
        tuple(words),
        _longest_first(fold(w) for w in data["optional"]["variants"]),
        frozenset(whole_only),
        broader,
        qualified,
        _longest_first(data["names"]["tails"]),
        _longest_first(data["names"]["scopes"]),
        tuple(sorted(((v, group[0]) for group in data["names"]["same"] for v in group[1:]), key=lambda w: -len(w[0]))),
    )


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=lambda w: -len(w)))


def _attribute_variants(elements: Mapping[str, str], suffixes: Mapping[str, str]) -> dict[str, str]:
    """An element spelled with another spelling of the attribute it ends in (证书编号 ->
    证书编码, 证书号码; 婚姻状况 -> 婚姻状态), where at least two characters precede the
    attribute: departments vary the attribute word of an element as of any field."""
    spellings: dict[str, list[str]] = {}
    for spelling, name in suffixes.items():
        spellings.setdefault(name, []).append(spelling)
    found: dict[str, str] = {}
    for spelling, element in elements.items():
        for size in range(len(spelling) - 2, 0, -1):
            klass = suffixes.get(spelling[-size:])
            if klass is not None:
                found.update({spelling[:-size] + other: element for other in spellings[klass]})
                break
    return found


@dataclass(frozen=True)
class FieldName:
    """One field name read: ``raw`` as written, ``folded``, the ``stem`` before the
    attribute, the attribute ``klass`` (``E:<element>`` for a data element, a suffix class
    such as ``代码``, or ``""``) and ``weight``."""

    raw: str
    folded: str
    stem: str
    klass: str
    weight: float
    suffix: str
    """The attribute as spelled here (编码 where another name says 编号)."""
    base: "FieldName | None" = None
    """The name read without an optional attribute word at its end (林班号 -> 林班), which
    may match a field that never had it."""
    token: str = field(init=False)
    """Equal for two names that mean the same item."""
    is_element: bool = field(init=False)
    """The whole name is a data element (not an element of a stem: 申请人身份证号)."""
    group: str = field(init=False)
    """Two fields can only match within one group: an element only itself, other fields
    their attribute class, a name with no known attribute its last character (the head
    of a Chinese compound)."""
    keys: frozenset[str] = field(init=False)
    """What two fields must share to be matched by ``registry.analysis.fieldmatch`` (a
    necessary condition, not a sufficient one): one of ``keys``, or one field's
    ``whole_keys`` among the other's ``part_keys``, or one field is the other's ``base``.
    ``keys``: the group with the stem's first and last characters (equal stems, a word
    added, dropped, swapped or abbreviated inside), with its sorted characters
    (reordered). Whole / part: the stem / its shorter ends (a qualifier added at the
    front, 房屋坐落 / 坐落); the stem / the stem less its last character (one character
    added at the end); an element without / with a role (姓名 / 户主姓名). Duplicate
    detection bounds two items' matches by counting these before running the matching."""
    whole_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        element = self.klass.startswith("E:") and not self.stem
        object.__setattr__(self, "is_element", element)
        object.__setattr__(self, "token", self.klass if element else f"F:{self.stem}#{self.klass}")
        group = self.token if element else (self.klass or f"~{self.stem[-1:]}")
        object.__setattr__(self, "group", group)
        stem = self.stem
        if stem:
            keys = {f"{group}|{stem[0]}{stem[-1]}", f"{group}|={''.join(sorted(stem))}"}
            whole = {f"{group}|T{stem}", f"{group}|P{stem}"}
        else:
            keys, whole = {f"{group}|"}, {f"{group}|R"} if self.klass else set()
            if element:
                broader = dictionary().broader.get(self.klass[2:])
                keys |= {f"E:{broader}|"} if broader else set()
        object.__setattr__(self, "keys", frozenset(keys))
        object.__setattr__(self, "whole_keys", frozenset(whole))

    @property
    def part_keys(self) -> frozenset[str]:
        """See ``keys``; built on demand, since most are met by no other field."""
        return _part_keys(self.group, self.stem, bool(self.klass))

    def part_key_list(self, stems: Container[str] | None = None) -> list[str]:
        """``part_keys`` as a list, each once, neither kept nor made a set: what
        duplicate detection looks up once per distinct name, in hundreds of thousands.
        With ``stems``, only the keys another field's whole keys can equal: those of a
        stem among ``stems`` (and the attribute key, which has none). Of the 1.6M part
        keys of a 100k registry's 200k names, 0.4% are some name's whole key; the
        others cost the most of duplicate detection's setup to build and look up."""
        return _part_key_list(self.group, self.stem, bool(self.klass), stems)


@lru_cache(maxsize=1 << 18)
def _part_keys(group: str, stem: str, attribute: bool) -> frozenset[str]:
    return frozenset(_part_key_list(group, stem, attribute))


def _part_key_list(group: str, stem: str, attribute: bool, stems: Container[str] | None = None) -> list[str]:
    if not stem:
        return []
    tail = f"{group}|T"
    if stems is None:
        part = [tail + stem[i:] for i in range(1, len(stem) - 1)]
    else:
        part = [tail + end for end in (stem[i:] for i in range(1, len(stem) - 1)) if end in stems]
    if stems is None or stem[:-1] in stems:
        part.append(f"{group}|P{stem[:-1]}")
    if attribute:
        part.append(f"{group}|R")
    return part


@dataclass
class FieldNormaliser:
    """Reads raw field names into ``FieldName``s. Cached per distinct name: catalogues
    repeat a few thousand names millions of times."""

    elements: dict[str, str] = field(default_factory=dict)
    """folded spelling -> element id (a registry element code, or a dictionary standard name)"""
    element_weights: dict[str, float] = field(default_factory=dict)
    element_names: dict[str, str] = field(default_factory=dict)
    """element id -> display name"""
    _cache: dict[str, FieldName] = field(default_factory=dict, repr=False)
    _tails: dict[str, tuple[int, ...]] | None = field(default=None, repr=False)
    """last character -> the lengths, longest first, of the element and attribute
    spellings that end in it: the attribute search tries only those, not every length
    up to the longest spelling (two dictionary lookups per length: a sixth of a read)."""

    @classmethod
    def standard(cls) -> "FieldNormaliser":
        normaliser = cls()
        vocabulary = dictionary()
        normaliser.elements.update(vocabulary.elements)
        normaliser.element_weights.update(vocabulary.element_weights)
        normaliser.element_names.update({name: name for name in vocabulary.element_weights})
        return normaliser

    def add_synonyms(self, canonical: str, variants: Iterable[str]) -> None:
        """More spellings of an element (or of a new one)."""
        target = self.elements.get(fold(canonical), canonical)
        self.element_names.setdefault(target, canonical)
        for variant in (canonical, *variants):
            self.elements[fold(variant)] = target
        self._changed()

    def add_element(self, code: str, name: str, synonyms: Iterable[str] = ()) -> None:
        """A registry data element: fields named like it (its name, its synonyms, or a
        spelling the dictionary gives for the same element) mean it."""
        spellings = [fold(s) for s in (name, *synonyms)]
        known = {self.elements[s] for s in spellings if s in self.elements and self.elements[s] != code}
        for spelling, target in list(self.elements.items()):
            if target in known:
                self.elements[spelling] = code
        for spelling in spellings:
            self.elements[spelling] = code
        self.element_weights[code] = min((self.element_weights.get(k, DOMAIN_WEIGHT) for k in known), default=1.0)
        self.element_names[code] = name
        self._changed()

    def _changed(self) -> None:
        """The elements changed: every name read, and every spelling length, may differ."""
        self._cache.clear()
        self._tails = None

    def read(self, raw: str) -> FieldName:
        cached = self._cache.get(raw)
        if cached is None:
            cached = self._cache[raw] = self._read(raw)
        return cached

    def element(self, code: str, raw: str) -> FieldName:
        """A field mapped to a registry element (MEANS): that element, whatever its name."""
        folded = fold(raw)
        return FieldName(raw, folded, "", f"E:{code}", self.element_weights.get(code, DOMAIN_WEIGHT), folded)

    def token(self, raw: str) -> str:
        """``E:<element>`` for a data element, else ``F:<stem>#<attribute class>``."""
        return self.read(raw).token

    def _read(self, raw: str) -> FieldName:
        first = _first_alternative(raw)
        if first != raw:
            read = self.read(first)
            return FieldName(raw, read.folded, read.stem, read.klass, read.weight, read.suffix, read.base)
        folded = fold(raw)
        vocabulary = dictionary()
        whole = self.elements.get(folded)
        if whole is not None:
            return FieldName(raw, folded, "", f"E:{whole}", self.element_weights.get(whole, DOMAIN_WEIGHT), folded)
        weight = vocabulary.generic_weight if folded in vocabulary.generic else DOMAIN_WEIGHT
        text = _without_filler(vocabulary.standard_stem(folded), vocabulary)
        whole = self.elements.get(text)
        if whole is not None:
            return FieldName(raw, folded, "", f"E:{whole}", self.element_weights.get(whole, DOMAIN_WEIGHT), folded)
        base = self._base(folded)
        for size in self._tail_sizes().get(text[-1:], ()):
            if size > len(text):
                continue
            tail = text[-size:]
            element = self.elements.get(tail) if size < len(text) and tail not in vocabulary.whole_only else None
            if element is not None and element not in vocabulary.qualified:
                return FieldName(raw, folded, text[:-size], f"E:{element}", weight, tail, base)
            klass = vocabulary.suffixes.get(tail)
            if klass is not None:
                stem = text[:-size]
                for element, (attribute, heads) in vocabulary.qualified.items():
                    if klass == attribute and len(stem) > 1 and stem.endswith(heads):
                        return FieldName(raw, folded, stem, f"E:{element}", weight, tail, base)
                if len(text) - size <= TEMPLATE_STEM:
                    weight = min(weight, TEMPLATE_WEIGHT)
                return FieldName(raw, folded, text[:-size], klass, weight, tail, base)
        return FieldName(raw, folded, text, "", weight, "", base)

    def _tail_sizes(self) -> dict[str, tuple[int, ...]]:
        if self._tails is None:
            vocabulary = dictionary()
            sizes: defaultdict[str, set[int]] = defaultdict(set)
            for spelling in (*self.elements, *vocabulary.suffixes):
                if 0 < len(spelling) <= vocabulary.longest_suffix:
                    sizes[spelling[-1]].add(len(spelling))
            self._tails = {last: tuple(sorted(found, reverse=True)) for last, found in sizes.items()}
        return self._tails

    def _base(self, folded: str) -> FieldName | None:
        """``folded`` read without its optional attribute word, if two characters or more
        remain (蓄积量 -> 蓄积; 总量 stays whole)."""
        optional = dictionary().optional
        if not folded.endswith(optional):
            return None
        for word in optional:
            if folded.endswith(word) and len(folded) - len(word) >= OPTIONAL_REST:
                return self.read(folded[: -len(word)])
        return None


_ALTERNATIVES = re.compile(r"\s*[/／]\s*")


def _first_alternative(raw: str) -> str:
    """A name that offers alternatives (证件号码/统一社会信用代码, 被执行人姓名/名称: one
    column holding a person's or a company's) read as its first: run together, the
    alternatives would make a name no other register writes. A slash inside a bracketed
    note (生产规模（万吨/年）) is a unit, not an alternative."""
    if "/" not in raw and "／" not in raw:
        return raw
    parts = [p for p in _ALTERNATIVES.split(_BRACKETS.sub("", raw)) if p]
    if len(parts) < 2:
        return raw
    return parts[0]


FILLERS = ("所在", "所属")
"""Words that only say a field belongs to its record (所属行业 / 行业, 所在律师事务所): dropped
from the front of a name when two characters or more remain and the whole name is not an
attribute spelling itself (所属地区 is the 区划)."""


def _without_filler(text: str, vocabulary: Dictionary) -> str:
    for word in FILLERS:
        if text.startswith(word) and len(text) - len(word) >= OPTIONAL_REST and text not in vocabulary.suffixes:
            return text[len(word) :]
    return text
