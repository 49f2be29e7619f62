"""How alike two field names are, and the best one-to-one matching of two field lists.

Two names can only be the same item if they end in the same attribute (or are the same
data element): 城镇公积金处罚编号 and 城镇公积金处罚代码 can be, 城镇公积金处罚编号 and
城镇公积金处罚名称 cannot, however many characters they share. Within one attribute the
stems are compared on what differs between them, not on what they share: catalogues of
one topic repeat the topic in every field name (城镇职工养老保险登记申请日期 and
…办结日期), so a character n-gram score of whole names would call every pair of them
alike. A stem that only adds or drops words (城镇公积金处罚 → 公积金处罚) stays close; one
that swaps a word for an unrelated one (申请 → 办结) is another item.

The ways departments rename that no word list covers are read as rules, not words: a
qualifier on a bare noun (房屋坐落 / 坐落), an attribute word a name may drop (林班号 /
林班, 蓄积量 / 蓄积: ``FieldName.base``), and an abbreviation that keeps the first character
and some later ones in order (质保金 / 质量保证金).

``match`` pairs each field with at most one counterpart, best pairs first, and
``overlap`` turns the pairs into a weighted soft Jaccard of the two lists.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from registry.analysis.fieldnames import FieldName, dictionary

FIELD_MATCH_MIN = 0.7
"""Below this two fields are not taken for one item."""
VARIANT = 0.95
"""Two spellings of one attribute or element (编号/代码, 出生日期/出生年月): almost
certainly one item, shown a little below an identical name."""
QUALIFIER = 0.35
"""How much a qualifier added at the front of a stem (城镇职工, 灵活就业人员) costs, per share
of the stem: less than a word added inside it."""
REORDERED = 0.85
"""Stems with the same characters reordered (个人社保 / 社保个人)."""
ROLE = 0.75
"""A data element or attribute with and without the role it is of (参保单位名称 / 单位名称,
律师姓名 / 姓名, 驾驶证状态 / 状态), or an element and the broader one it is a kind of
(注册地址 / 地址): one item if nothing better matches; the one-to-one
matching keeps 男方姓名 and 女方姓名 from both taking one 姓名."""
BARE = 0.9
"""A name with and without an optional attribute word (林班号 / 林班, 蓄积量 / 蓄积)."""
ABBREVIATION = 0.8
"""A stem shortened to some of its characters, in order and from the same first one
(质保金 / 质量保证金, 医保 / 医疗保险), the way Chinese abbreviates a compound."""
IN_CONTEXT = 0.9
"""A qualifier dropped from a field whose dataset's name carries it (承包合同编号 in a
register the copy calls 土地承包经营权登记台账, where it writes 合同编号): the title says
what the field no longer does."""


@lru_cache(maxsize=1 << 18)
def stem_similarity(a: str, b: str, head: bool = False) -> float:
    """1 for equal stems; for a stem that adds or drops a qualifier (城镇公积金处罚 →
    公积金处罚), the share of the longer one kept (half weight on what was dropped); for a
    swapped word, how many characters the swapped parts share. 0 when the stems share
    fewer than two characters, and for a word added right before the attribute: it makes
    another attribute (申请日期 is not 日期, 受理编号 not 编号; one character, 执业证类别 /
    执业类别, does not)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if len(a) == len(b) >= 3 and sorted(a) == sorted(b):
        return REORDERED
    return max(_edited(a, b, head), _abbreviated(a, b))


def _edited(a: str, b: str, head: bool) -> float:
    """Similarity of two stems by what was added, dropped or swapped between their shared
    start and end. A swapped word must lie between a shared start and a shared end:
    another front word makes another topic, another last word another attribute, whatever
    characters the two share. A qualifier at the front of a two-character stem counts only
    for a ``head`` noun (房屋坐落 / 坐落, 建筑面积 / 面积); before an attribute a
    two-character stem is usually the business step itself (登记日期 / 变更登记日期)."""
    prefix = 0
    limit = min(len(a), len(b))
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    kept = prefix + suffix
    if kept < 2:
        return 0.0
    rest_a, rest_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    longer = max(len(a), len(b))
    if not rest_a or not rest_b:
        added = len(rest_a) + len(rest_b)
        if suffix == 0 and added > 1:
            return 0.0
        if prefix == 0:
            return 1.0 - QUALIFIER * added / longer if kept >= 3 or head else 0.0
        return 1.0 - 0.5 * added / longer
    if prefix == 0 or suffix == 0:
        return 0.0
    common = sum(min(rest_a.count(c), rest_b.count(c)) for c in set(rest_a))
    swapped = 2 * common / (len(rest_a) + len(rest_b))
    if swapped < 0.5:
        return 0.0
    return (kept + swapped * max(len(rest_a), len(rest_b))) / (kept + max(len(rest_a), len(rest_b))) * 0.9


def _abbreviated(a: str, b: str) -> float:
    """``ABBREVIATION`` when the shorter stem (two characters or more, at least half the
    longer) keeps the longer one's first and last characters and some between them in
    order (医保缴费基数 / 医疗保险缴费基数, 质保金 / 质量保证金)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 2 or len(long) > 2 * len(short) or short[0] != long[0] or short[-1] != long[-1]:
        return 0.0
    rest = iter(long)
    return ABBREVIATION if all(c in rest for c in short) else 0.0


def similarity(a: FieldName, b: FieldName) -> float:
    """How likely two fields are one item, in [0, 1]: as written, or ``BARE`` when one
    without its optional attribute word (``FieldName.base``) is the other."""
    value = _similarity(a, b)
    if value < BARE and (
        (a.base is not None and a.base.token == b.token) or (b.base is not None and b.base.token == a.token)
    ):
        return BARE
    return value


def _similarity(a: FieldName, b: FieldName) -> float:
    if a.folded == b.folded:
        return 1.0
    if a.group != b.group:
        return ROLE if _broader(a, b) or _broader(b, a) else 0.0
    if a.klass and (not a.stem) != (not b.stem):
        return ROLE
    stems = stem_similarity(a.stem, b.stem, not a.klass)
    return stems * (1.0 if a.suffix == b.suffix else VARIANT)


def _broader(a: FieldName, b: FieldName) -> bool:
    """``b`` is the element ``a`` is a kind of (注册地址 / 地址), both whole names."""
    return a.is_element and b.is_element and dictionary().broader.get(a.klass[2:]) == b.klass[2:]


@dataclass(frozen=True)
class Pair:
    """Field ``a`` of the first list matched to field ``b`` of the second."""

    a: FieldName
    b: FieldName
    similarity: float

    @property
    def weight(self) -> float:
        return self.similarity * (self.a.weight + self.b.weight) / 2


def match(
    left: Sequence[FieldName],
    right: Sequence[FieldName],
    minimum: float = FIELD_MATCH_MIN,
    *,
    memo: dict[tuple[int, int], float] | None = None,
    titles: tuple[str, str] | None = None,
) -> list[Pair]:
    """Each field matched to at most one counterpart: identical tokens first, then the
    most similar remaining pairs above ``minimum`` (greedy, best first). Only fields that
    share a match key (``FieldName.keys``, ``whole_keys`` / ``part_keys``: a necessary
    condition for ``minimum``) are
    compared, so the work is small even for systems of hundreds of fields. ``memo`` keeps
    similarities by the two fields' ids across calls on one set of fields (a registry
    compares the same names in many pairs). ``titles``, the two lists' dataset names,
    let a qualifier one field adds be judged by what the datasets are (``in_context``)."""
    left, right = distinct(left), distinct(right)
    pairs: list[Pair] = []
    by_token: dict[str, list[FieldName]] = defaultdict(list)
    for b in right:
        by_token[b.token].append(b)
    rest_left = []
    for a in left:
        same = by_token.get(a.token)
        if same:
            b = next((x for x in same if x.folded == a.folded), same[0])
            same.remove(b)
            pairs.append(Pair(a, b, similarity(a, b) if a.folded != b.folded else 1.0))
        else:
            rest_left.append(a)
    if not rest_left:
        return _ranked(pairs)
    rest_right = [b for bs in by_token.values() for b in bs]
    by_key: dict[str, list[int]] = defaultdict(list)
    for j, b in enumerate(rest_right):
        for key in _probed(b):
            by_key[key].append(j)
    memo = {} if memo is None else memo
    scored = []
    for i, a in enumerate(rest_left):
        seen: set[int] = set()
        probes = _probes(a)
        for key in probes:
            for j in by_key.get(key, ()):
                if j in seen:
                    continue
                seen.add(j)
                b = rest_right[j]
                pair = (id(a), id(b))
                value = memo.get(pair)
                if value is None:
                    value = memo[pair] = similarity(a, b)
                if titles is not None:
                    value = in_context(a, b, value, titles)
                if value >= minimum:
                    scored.append((-value, i, j, a, b))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for negative, i, j, a, b in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append(Pair(a, b, -negative))
    return _ranked(pairs)


def in_context(a: FieldName, b: FieldName, value: float, titles: tuple[str, str]) -> float:
    """``value`` judged by the datasets' names when one stem is the other with a qualifier
    in front (``a`` of the dataset titled ``titles[0]``, ``b`` of ``titles[1]``). A
    qualifier the other dataset's name carries was dropped as implied (``IN_CONTEXT``);
    one only its own dataset's name carries names what sets the two registers apart
    (执业证号 of 律师执业信息 / 公证员执业证号 of 公证员执业信息: another profession's
    certificate), and the two are not one item."""
    if a.group != b.group or a.stem == b.stem or not a.stem or not b.stem:
        return value
    if a.stem.endswith(b.stem):
        qualifier, own, other = a.stem[: -len(b.stem)], titles[0], titles[1]
    elif b.stem.endswith(a.stem):
        qualifier, own, other = b.stem[: -len(a.stem)], titles[1], titles[0]
    else:
        return value
    if min(len(a.stem), len(b.stem)) < 2:
        return value
    if _mentions(other, qualifier):
        return max(value, IN_CONTEXT * (1.0 if a.suffix == b.suffix else VARIANT))
    if len(qualifier) >= 2 and _mentions(own, qualifier):
        return 0.0
    return value


def _mentions(title: str, word: str) -> bool:
    """``title`` holds ``word`` or, for a longer word, one of its two-character parts
    (承包方 in 土地承包经营权登记台账)."""
    if len(word) < 2:
        return word in title
    return any(word[i : i + 2] in title for i in range(len(word) - 1))


def _probed(f: FieldName) -> list[str]:
    """The keys under which ``f`` waits to be found (see ``FieldName.keys``)."""
    found = [*("s" + k for k in f.keys), *("w" + k for k in f.whole_keys), *("p" + k for k in f.part_keys)]
    found.append("t" + f.token)
    if f.base is not None:
        found.append("b" + f.base.token)
    return found


def _probes(f: FieldName) -> list[str]:
    """The keys ``f`` looks under: the same ``keys``, the other side of whole and part
    keys, and a field that is its base or has it as base."""
    found = [*("s" + k for k in f.keys), *("p" + k for k in f.whole_keys), *("w" + k for k in f.part_keys)]
    found.append("b" + f.token)
    if f.base is not None:
        found.append("t" + f.base.token)
    return found


def _ranked(pairs: list[Pair]) -> list[Pair]:
    return sorted(pairs, key=lambda p: (-p.similarity * max(p.a.weight, p.b.weight), p.a.folded))


def overlap(pairs: Sequence[Pair], left_mass: float, right_mass: float) -> float:
    """Weighted soft Jaccard: matched weight over the weight of both lists less it
    (``left_mass``, ``right_mass``: the summed weights of the two ``distinct`` lists,
    computed once per item by the caller)."""
    matched = sum(p.weight for p in pairs)
    total = left_mass + right_mass - matched
    return matched / total if total > 0 else 0.0


def coverage(wanted: Sequence[FieldName], pairs: Sequence[Pair]) -> float:
    """Share of ``wanted`` (by weight) that the matched fields cover: how much of a
    proposal an existing system already holds."""
    total = sum(f.weight for f in distinct(wanted))
    return sum(p.weight for p in pairs) / total if total > 0 else 0.0


def distinct(fields: Sequence[FieldName]) -> list[FieldName]:
    """One field per token and spelling: a system holding 姓名 in ten datasets holds it once."""
    seen: dict[str, FieldName] = {}
    for f in fields:
        seen.setdefault(f.token, f)
    return list(seen.values())
