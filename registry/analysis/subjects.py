"""What a dataset's name says it is about, and when two names clearly disagree.

Licence, registration and directory registers of unrelated subjects share one template
(许可证编号, 统一社会信用代码, 法定代表人, 发证日期, 有效期至, 发证机关 ...), so two of them
can hold near-identical field lists: 兽药经营许可证信息 and 农药经营许可证信息, 离婚登记信息
and 结婚登记数据, 医师执业注册 and 护士执业注册. Their names tell them apart the way the
fields cannot: the same business (…经营许可证, …婚登记, …执业注册) of another subject.

A name's ``core`` drops what any register's name may carry (a trailing 信息, 数据, 台账,
名录, 基本情况 ..., a leading 全省, 辖区, 省级 ...; ``dictionary.json``, ``names``). Two
cores ``disagree`` when, past a shared start, they differ in one slot **before a shared
ending of at least two characters** and the two slot words share no character: the
same business of another subject (a one-character slot against a longer one is read as
shortening, 建筑业 / 建筑施工, not as another subject). A slot whose two words share a word
of two characters or more is two slots around it, each of which must disagree
(限额以上批发和零售业企业 / 规模以上工业企业: 限额 / 规模, 批发和零售 / 工).

A copy renames its register by adding or dropping words (特种设备使用登记 / 特种设备
登记), by another register word at the end (农药经营许可证 / 农药经营单位), or by
abbreviating (规模以上 / 规上), none of which is a disjoint word in front of a shared
ending. Synonyms in that slot (就业失业 / 就业创业, 基本单位 / 法人单位) do look like
disagreement (the commonest, 房屋 / 不动产 and 企业 / 市场主体, are read as one word);
``duplicates.DISAGREEING_NAMES`` therefore lowers such a pair's score rather than
rejecting it, so a copy whose fields agree strongly is still found.
"""

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from registry.analysis.fieldnames import dictionary

SHARED_ENDING = 2
"""The fewest characters two names must end in alike for the words before them to be
read as two subjects of one business."""
_NOTES = re.compile(r"[(\[（【〔][^)\]）】〕]*[)\]）】〕]")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)
def core(name: str) -> str:
    """``name`` without notes, punctuation and the words any register's name may carry,
    with interchangeable words in their standard form (the field names' ``words``)."""
    vocabulary = dictionary()
    text = _NOISE.sub("", _NOTES.sub("", unicodedata.normalize("NFKC", name).casefold()))
    text = vocabulary.standard_subject(vocabulary.standard_stem(text))
    changed = True
    while changed:
        changed = False
        for word in vocabulary.name_tails:
            if text.endswith(word) and len(text) - len(word) >= 2:
                text, changed = text[: -len(word)], True
                break
        for word in vocabulary.name_scopes:
            if text.startswith(word) and len(text) - len(word) >= 2:
                text, changed = text[len(word) :], True
                break
    return text


def disagree(a: str, b: str) -> bool:
    """The two names' cores name the same business of different subjects (module doc)."""
    return disagreement(a, b) is not None


def disagreement(a: str, b: str) -> tuple[str, str] | None:
    """The two names' cores where they disagree (兽药经营许可 / 农药经营许可: shown to a
    reviewer as the reason a pair's score was lowered), or ``None``."""
    x, y = core(a), core(b)
    limit = min(len(x), len(y))
    start = 0
    while start < limit and x[start] == y[start]:
        start += 1
    end = 0
    while end < limit - start and x[-1 - end] == y[-1 - end]:
        end += 1
    if end < SHARED_ENDING:
        return None
    slots = _slots(x[start : len(x) - end], y[start : len(y) - end])
    if not slots or any(not p or not q or set(p) & set(q) for p, q in slots):
        return None
    if all(len(p) != len(q) and min(len(p), len(q)) == 1 for p, q in slots):
        return None
    return x, y


def _slots(x: str, y: str) -> list[tuple[str, str]]:
    """The words in which ``x`` and ``y`` differ: the two whole, or, when they share a
    word of two characters or more (the longest), the parts before and after it
    (限额以上批发和零售 / 规模以上工: 限额 / 规模 and 批发和零售 / 工). A part empty on
    both sides is no slot."""
    i, j, size = SequenceMatcher(None, x, y, autojunk=False).find_longest_match()
    if size < 2:
        return [(x, y)]
    parts = [(x[:i], y[:j]), (x[i + size :], y[j + size :])]
    return [(p, q) for p, q in parts if p or q]
