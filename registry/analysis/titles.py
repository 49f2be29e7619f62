"""What a dataset's name says it holds, once the words every copy adds are set aside.

A department that rebuilds another's register keeps the business in the name and wraps
it in its own words: a level or area in front (全区, 辖区, 县级, 省), a container word
behind (台账, 一览表, 名录, 花名册, 数据库, 信息), so 食品经营许可证信息 becomes
全区食品经营许可证发放台账 and 婚姻登记信息 婚姻登记业务明细. What is left, the ``core``,
is what two names are compared on. Registers of two different businesses of one field
differ in a word of the core itself (农药 / 兽药经营许可证, 婚姻 / 收养登记), not only in
the wrapping.

``TitleSpace`` holds each item's core as a set of characters, so that an abbreviation
keeps its characters (危化品 in 危险化学品, 网约车 in 网络预约出租汽车, 查档 in 档案查阅) and
``contained`` says, for many pairs at once, whether one core's characters all appear in
the other's: the shorter name says nothing the longer does not.
"""

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from registry.analysis.ngrams import row_dots

LEVELS = ("全省", "全市", "全县", "全区", "全镇", "全乡", "辖区", "区内", "县内", "市内", "本省", "本市", "本县")
LEVELS += ("本区", "省级", "市级", "县级", "区级", "乡级", "镇级", "地方", "各级")
"""Level and area words a copy puts in front of the name of what it copied."""
ONE_CHARACTER_LEVELS = "省市县区镇乡"
"""A level written as one character in front (县气象预警信息), unless it starts a word."""
LEVEL_WORDS = ("市场", "市政", "市容", "区域", "区划", "县域", "乡村", "镇村", "省际")
CONTAINERS = (
    "基础信息",
    "基本信息",
    "基础数据",
    "信息库",
    "数据库",
    "资料库",
    "名录库",
    "信息表",
    "数据表",
    "一览表",
    "明细表",
    "登记表",
    "汇总表",
    "统计表",
    "采集表",
    "花名册",
    "登记簿",
    "台账",
    "名录",
    "名单",
    "名册",
    "清单",
    "数据",
    "信息",
    "资料",
    "记录",
    "档案",
    "库",
    "表",
    "簿",
)
"""Words that name the container, not its content, removed from the end while any remain."""
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|自治区|市)(?=[\u4e00-\u9fff]{4})")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_BRACKETS = re.compile(r"[(\[（【〔<《][^)\]）】〕>》]*[)\]）】〕>》]")
MIN_CORE = 2


def core(name: str) -> str:
    """The name without its wrapping: bracketed notes, a place, a level in front, container
    words behind (at least ``MIN_CORE`` characters are kept)."""
    text = _NOISE.sub("", _BRACKETS.sub("", unicodedata.normalize("NFKC", name).casefold()))
    text = _strip_front(text)
    changed = True
    while changed:
        changed = False
        for word in CONTAINERS:
            if text.endswith(word) and len(text) - len(word) >= MIN_CORE:
                text = text[: -len(word)]
                changed = True
                break
    return text


def _strip_front(text: str) -> str:
    place = _PLACE.match(text)
    if place and not text.startswith(LEVEL_WORDS):
        text = text[place.end() :]
    for word in LEVELS:
        if text.startswith(word) and len(text) - len(word) >= MIN_CORE + 1:
            return text[len(word) :]
    if text[:1] and text[0] in ONE_CHARACTER_LEVELS and not text.startswith(LEVEL_WORDS) and len(text) > MIN_CORE + 2:
        return text[1:]
    return text


class TitleSpace:
    """Items x characters of their cores (0/1)."""

    def __init__(self, names: Sequence[str]) -> None:
        vocabulary: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        self.cores = [core(name) for name in names]
        for text in self.cores:
            indices.extend(sorted({vocabulary.setdefault(c, len(vocabulary)) for c in text}))
            indptr.append(len(indices))
        self.matrix = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(names), len(vocabulary)),
        )
        self.sizes = np.diff(self.matrix.indptr).astype(np.float32)

    def contained(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """For each pair, whether the core with fewer characters has all of them in the other."""
        shared = row_dots(self.matrix, self.matrix, left, right)
        smaller = np.minimum(self.sizes[left], self.sizes[right])
        found: np.ndarray = (smaller > 0) & (shared >= smaller)
        return found

    def contained_pairs(self, *, posting_cap: int = 1000, block: int = 20_000) -> np.ndarray:
        """Pairs ``(i, j)``, ``i < j``, one of whose cores is contained in the other's,
        without an all-pairs loop: each core looks only among the cores holding its rarest
        character, skipped when more than ``posting_cap`` do (a name of common characters
        only, whose pairs would make the cost quadratic)."""
        n = self.matrix.shape[0]
        df = np.bincount(self.matrix.indices, minlength=self.matrix.shape[1])
        rows = np.repeat(np.arange(n), np.diff(self.matrix.indptr))
        order = np.lexsort((df[self.matrix.indices], rows))
        first = np.flatnonzero(np.concatenate([[True], rows[order][1:] != rows[order][:-1]])) if len(rows) else rows
        owner, rarest = rows[order][first], self.matrix.indices[order][first]
        keep = df[rarest] <= posting_cap
        query = sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (owner[keep], rarest[keep])), shape=self.matrix.shape
        )
        transposed = self.matrix.T.tocsr()
        found: list[np.ndarray] = [np.zeros((0, 2), dtype=np.int64)]
        for start in range(0, n, block):
            product = sparse.coo_matrix(query[start : start + block] @ transposed)
            left = product.row.astype(np.int64) + start
            right = product.col.astype(np.int64)
            mask = (left != right) & (self.sizes[left] <= self.sizes[right])
            left, right = left[mask], right[mask]
            mask = self.contained(left, right)
            found.append(np.stack([np.minimum(left, right)[mask], np.maximum(left, right)[mask]], axis=1))
        return np.concatenate(found)
