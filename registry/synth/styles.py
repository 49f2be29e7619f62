"""Catalogues whose planted copies rename fields in one chosen way, to measure duplicate
detection per naming style rather than on one mix the detector was tuned on.

Each catalogue has originals composed like real ones (a few ubiquitous person or company
elements, the template fields of the business, 许可证编号 / 发证日期 / 发证机关 …, and fields
named after the topic, 城镇职工养老保险登记编号 …), copies made by other departments in one
``STYLE``, and hard negatives that are never copies: datasets of one topic with other
aspects, datasets of one business template on another subject, and person or company
datasets of other businesses that share only the ubiquitous elements (婚姻登记 vs 人口基础).

The renamings are this module's own word lists (``registry.synth.stylewords``), written
from how departments name fields, not read from the detector's dictionary, so a style
the dictionary does not know shows as lower recall.
"""

import random
from dataclasses import dataclass, field

import numpy as np

from registry.analysis.matrix import ItemMatrix
from registry.synth import stylewords as w
from registry.synth import words

STYLES = ("exact", "suffix", "synonyms", "renamed", "abbreviated", "dropped_added")
"""near-exact copy; attribute-suffix variants; common-element synonyms; every
domain-specific field renamed (stem and attribute); abbreviations (身份证, 统一码, 医保);
fields dropped and added."""
COPY_SHARE = 0.1
NEGATIVE_SHARE = 0.1
DEPARTMENT_SIZE = 80
TOPIC_SIZE = 4
ASPECT_STEP = 7
"""Consecutive aspects of a topic share (window - 7) of their 6 to 10 topic attributes: 0 to 3."""


@dataclass
class Topic:
    stem: str
    kind: str
    business: str
    order: list[str]
    used: int = 0


@dataclass
class StyledCatalogue:
    style: str
    keys: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    fields: list[list[str]] = field(default_factory=list)
    duplicates: list[list[str]] = field(default_factory=list)

    def matrix(self) -> ItemMatrix:
        ids: dict[str, int] = {}
        flat = [ids.setdefault(f, len(ids)) for fs in self.fields for f in fs]
        return ItemMatrix.from_fields(
            "Dataset",
            keys=self.keys,
            names=self.names,
            texts=[""] * len(self.keys),
            departments=self.departments,
            projects=[None] * len(self.keys),
            field_names=list(ids),
            field_indptr=np.cumsum([0] + [len(fs) for fs in self.fields]),
            field_ids=np.asarray(flat, dtype=np.int64),
        )


class _Builder:
    def __init__(self, datasets: int, style: str, seed: int) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}; one of {', '.join(STYLES)}")
        self.rng = random.Random(f"{style}-{seed}")
        self.style = style
        self.size = datasets
        self.out = StyledCatalogue(style)
        self.n_departments = max(6, datasets // DEPARTMENT_SIZE)
        self.department_of: list[int] = []
        self.stem_of: list[str] = []

    def department(self, index: int) -> str:
        kind, _ = words.DEPARTMENT_KINDS[index % len(words.DEPARTMENT_KINDS)]
        _, region = words.REGIONS[(index // len(words.DEPARTMENT_KINDS)) % len(words.REGIONS)]
        serial = index // (len(words.DEPARTMENT_KINDS) * len(words.REGIONS))
        return f"{region}{kind}" + (f"第{serial + 1}分局" if serial else "")

    def add(self, name: str, department: int, fields: list[str], stem: str = "") -> int:
        i = len(self.out.keys)
        self.department_of.append(department)
        self.stem_of.append(stem)
        self.out.keys.append(f"DS{i + 1:07d}")
        self.out.names.append(name)
        self.out.departments.append(self.department(department))
        self.out.fields.append(list(dict.fromkeys(fields)))
        return i

    def original(self, topic: "Topic", department: int) -> int:
        """The next aspect of a topic: its attributes are the next window of the topic's
        own order, so two aspects share a few topic fields, as real ones do, not most."""
        rng = self.rng
        common = w.PERSON if topic.kind == "person" else w.COMPANY
        fields = rng.sample(list(common), rng.randint(2, 5))
        fields += rng.sample(list(w.TEMPLATES[topic.business]), 3)
        size = rng.randint(6, 10)
        start = topic.used * ASPECT_STEP
        topic.used += 1
        attributes = [topic.order[(start + k) % len(topic.order)] for k in range(size)]
        fields += [f"{topic.stem}{a}" for a in attributes]
        aspect = w.ASPECTS[(topic.used - 1) % len(w.ASPECTS)]
        return self.add(f"{topic.stem}{aspect}{rng.choice(w.NAME_SUFFIXES)}", department, fields, topic.stem)

    def build(self) -> StyledCatalogue:
        rng = self.rng
        n_copies = int(self.size * COPY_SHARE)
        n_negative = int(self.size * NEGATIVE_SHARE)
        n_original = self.size - n_copies - n_negative
        topics = []
        for qualifier, subject, business in rng.sample(_stems(), _topic_count(n_original)):
            order = rng.sample(list(w.ATTRIBUTES), len(w.ATTRIBUTES))
            stem = f"{qualifier}{subject}{business}"
            topics.append(Topic(stem, "person" if subject in w.PERSON_SUBJECTS else "company", business, order))
        for i in range(n_original):
            self.original(topics[i % len(topics)], rng.randrange(self.n_departments))
        originals = list(range(n_original))
        for base in rng.sample(originals, n_copies):
            dept = self.department_of[base] + 1 + rng.randrange(self.n_departments - 1)
            copy = self.copy(base, dept % self.n_departments)
            self.out.duplicates.append([self.out.keys[base], self.out.keys[copy]])
        for _ in range(n_negative):
            self.ubiquitous_negative()
        return self.out

    def ubiquitous_negative(self) -> None:
        """A person or company dataset of its own business: it shares the ubiquitous
        elements (and often a template field) with many others and is a copy of none."""
        rng = self.rng
        kind = rng.choice(("person", "company"))
        common = w.PERSON if kind == "person" else w.COMPANY
        business = rng.choice(list(w.TEMPLATES))
        subject = rng.choice(words.SUBJECTS)
        fields = rng.sample(list(common), min(len(common), rng.randint(4, 6)))
        fields += rng.sample(list(w.TEMPLATES[business]), 2)
        fields += [f"{subject}{a}" for a in rng.sample(list(w.ATTRIBUTES), rng.randint(2, 4))]
        self.add(f"{subject}{business}{rng.choice(w.NAME_SUFFIXES)}", rng.randrange(self.n_departments), fields)

    def copy(self, base: int, department: int) -> int:
        rng = self.rng
        fields = list(self.out.fields[base])
        name = self.out.names[base]
        stem = self.stem_of[base]
        if self.style == "dropped_added":
            drop = max(1, round(len(fields) * rng.uniform(0.2, 0.3)))
            for f in rng.sample(fields, drop):
                fields.remove(f)
            fields += [f"{stem}{a}" for a in rng.sample(w.EXTRA_ATTRIBUTES, rng.randint(2, 4))]
        else:
            if rng.random() < 0.5:
                fields.remove(rng.choice(fields))
            if rng.random() < 0.5:
                fields.append(f"{stem}{rng.choice(w.EXTRA_ATTRIBUTES)}")
        renamed = [self.rename(f, stem) for f in fields]
        rng.shuffle(renamed)
        return self.add(self.reword(name), department, renamed, stem)

    def reword(self, name: str) -> str:
        rng = self.rng
        for suffix in w.NAME_SUFFIXES:
            name = name.removesuffix(suffix)
        return f"{rng.choice(w.NAME_PREFIXES)}{name}{rng.choice(w.COPY_SUFFIXES)}"

    def rename(self, name: str, stem: str) -> str:
        rng = self.rng
        style = self.style
        if style == "exact" or style == "dropped_added":
            return rng.choice((name, name, f"{name}（必填）", " ".join(name)))
        if style == "synonyms":
            return rng.choice(w.COMMON_VARIANTS[name]) if name in w.COMMON_VARIANTS else name
        if style == "abbreviated":
            if name in w.ABBREVIATIONS:
                return rng.choice(w.ABBREVIATIONS[name])
            return _abbreviate_stem(name, stem)
        renamed = _vary_suffix(rng, name)
        if style == "suffix":
            return renamed
        if name in w.COMMON_VARIANTS and rng.random() < 0.5:
            return rng.choice(w.COMMON_VARIANTS[name])
        if stem and renamed.startswith(stem):
            return _requalify(stem) + renamed[len(stem) :]
        return renamed


QUALIFIERS = (*words.QUALIFIERS, *w.MORE_QUALIFIERS)


def _stems() -> list[tuple[str, str, str]]:
    """Every (qualifier, subject, business) a topic can be named by."""
    return [(q, s, b) for q in QUALIFIERS for s in words.SUBJECTS for b in w.TEMPLATES]


def _topic_count(originals: int) -> int:
    """Topics of ``originals`` datasets, each with a stem of its own, as the mix generator's
    (``registry.synth.generate``): two topics drawn with one stem would name their datasets
    alike (城乡居民气象站点备案基本数据 twice) and share most fields, copies in all but the
    truth."""
    count = max(4, originals // TOPIC_SIZE)
    possible = len(QUALIFIERS) * len(words.SUBJECTS) * len(w.TEMPLATES)
    if count > possible:
        raise ValueError(f"{originals} originals need {count} topics but the word lists name {possible}")
    return count


def _vary_suffix(rng: random.Random, name: str) -> str:
    for attribute, variants in w.SUFFIX_VARIANTS:
        if name.endswith(attribute) and len(name) > len(attribute):
            return name[: -len(attribute)] + rng.choice(variants)
    return name


def _requalify(stem: str) -> str:
    """A copy names the topic its own way: drops the qualifier, or swaps the subject's
    long form for its usual short one."""
    for qualifier in QUALIFIERS:
        if stem.startswith(qualifier):
            return stem[len(qualifier) :]
    return f"{w.NAME_PREFIXES[0]}{stem}"


def _abbreviate_stem(name: str, stem: str) -> str:
    for long, short in w.STEM_ABBREVIATIONS:
        if long in name:
            return name.replace(long, short, 1)
    return name


def styled(datasets: int, style: str, seed: int = 0) -> StyledCatalogue:
    """A catalogue of about ``datasets`` entries whose copies rename in ``style``."""
    return _Builder(datasets, style, seed).build()
