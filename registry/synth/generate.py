"""Generate a registry of a chosen size with planted problems and their ground truth.

The registry is held as plain arrays (field names by id into one list), so 100k datasets
x 20 fields build in seconds; ``declaration()`` turns it into validated node models for
the service, ``matrix()`` into the compact duplicate-detection matrix directly.

What is planted (with ``plant=True``), each recorded in ``truth``:
- duplicate datasets: copies of a dataset by another department, with field-name variants
  (身份证号 → 公民身份号码, 名称 → 名, bracketed notes), 10-25% of fields dropped, a few added,
  the name and description reworded; some copies grouped in threes;
- duplicate systems: a system rebuilt by another department, holding copies of the
  original's datasets, with its name and functions reworded;
- gaps of every kind (unmet, blocked, boundary, unused, conditional without condition,
  incomplete item);
- placement violations NET-1 to NET-5.
Hard negatives are always present: datasets on the same topic share a name stem and part
of their fields, and a department's own versions of a dataset (same project) are not
duplicate construction.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from registry.analysis.fieldnames import FieldNormaliser
from registry.analysis.matrix import ItemMatrix
from registry.schema.codes import make_credit_code
from registry.synth import words

TOPIC_FIELDS = 30
TOPIC_SIZE = 25
SYSTEM_SIZE = 10
DEPARTMENT_SIZE = 100
RULE_DATE_BEFORE = date(2010, 6, 1)
RULE_DATE_AFTER = date(2020, 3, 1)


@dataclass
class SynthConfig:
    datasets: int = 1000
    fields_per_dataset: int = 20
    duplicate_share: float = 0.06
    system_duplicates: int = 2
    plant: bool = True
    seed: int = 0


@dataclass
class Synth:
    """The generated registry as columns; index i of each dataset list describes dataset i."""

    config: SynthConfig
    departments: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    systems: list[dict[str, Any]] = field(default_factory=list)
    system_department: list[int] = field(default_factory=list)
    dataset_keys: list[str] = field(default_factory=list)
    dataset_names: list[str] = field(default_factory=list)
    dataset_abstracts: list[str] = field(default_factory=list)
    dataset_system: list[int] = field(default_factory=list)
    dataset_props: list[dict[str, Any]] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)
    field_lists: list[list[int]] = field(default_factory=list)
    shares: list[tuple[int, int]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)
    lineage: list[tuple[int, int, int, int]] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)

    def department_of(self, dataset: int) -> int:
        return self.system_department[self.dataset_system[dataset]]

    def matrix(self) -> ItemMatrix:
        """The dataset matrix straight from the arrays, as a bulk export would feed it."""
        lengths = np.fromiter((len(f) for f in self.field_lists), dtype=np.int64, count=len(self.field_lists))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        ids = np.fromiter((i for f in self.field_lists for i in f), dtype=np.int64, count=int(indptr[-1]))
        normaliser = FieldNormaliser.standard()
        for code, name, synonyms in words.ELEMENTS:
            normaliser.add_element(code, name, synonyms)
        return ItemMatrix.from_fields(
            "Dataset",
            keys=self.dataset_keys,
            names=self.dataset_names,
            texts=self.dataset_abstracts,
            departments=[self.departments[self.department_of(i)]["code"] for i in range(len(self.dataset_keys))],
            department_names={d["code"]: d["name"] for d in self.departments},
            projects=[self.systems[s]["project"] for s in self.dataset_system],
            field_names=self.field_names,
            field_indptr=indptr,
            field_ids=ids,
            normaliser=normaliser,
        )


class _Builder:
    def __init__(self, config: SynthConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.synth = Synth(config=config)
        self.name_ids: dict[str, int] = {}
        self.truth: dict[str, Any] = {
            "duplicates": {"Dataset": [], "System": []},
            "gaps": [],
            "placement": [],
        }

    def fid(self, name: str) -> int:
        index = self.name_ids.get(name)
        if index is None:
            index = self.name_ids[name] = len(self.synth.field_names)
            self.synth.field_names.append(name)
        return index

    # -- organisations ------------------------------------------------------------

    def organisations(self) -> None:
        n_depts = max(8, self.config.datasets // DEPARTMENT_SIZE)
        for d in range(n_depts):
            kind, short = words.DEPARTMENT_KINDS[d % len(words.DEPARTMENT_KINDS)]
            region, region_name = words.REGIONS[(d // len(words.DEPARTMENT_KINDS)) % len(words.REGIONS)]
            serial = d // (len(words.REGIONS) * len(words.DEPARTMENT_KINDS))
            level = "provincial" if region.endswith("0000") else "municipal"
            name = f"{region_name}{kind}" + (f"第{serial + 1}分局" if serial else "")
            self.synth.departments.append(
                {
                    "code": make_credit_code("11", region, f"{d + 1:08d}"),
                    "name": name,
                    "short": short,
                    "level": level,
                    "region": region,
                }
            )
        n_systems = max(2 * n_depts, self.config.datasets // SYSTEM_SIZE)
        for s in range(n_systems):
            self.add_system(s % n_depts, f"{self.rng.choice(words.SUBJECTS)}{self.rng.choice(words.OBJECTS)}")

    def add_system(self, dept: int, theme: str, *, classified: bool | None = None) -> int:
        s = len(self.synth.systems)
        department = self.synth.departments[dept]
        classified = self.rng.random() < 0.1 if classified is None else classified
        project = {
            "code": f"PRJ-{s + 1:06d}",
            "name": f"{department['short']}{theme}信息化项目",
            "approved_on": date(2015 + s % 8, 1 + s % 12, 1 + s % 27),
            "stage": "completed",
            "department": dept,
        }
        self.synth.projects.append(project)
        functions = [f"{theme}受理", f"{theme}审核", f"{theme}统计分析"]
        self.synth.systems.append(
            {
                "code": f"SYS-{s + 1:06d}",
                "name": f"{department['short']}{theme}管理系统",
                "description": f"支撑{department['name']}开展{theme}业务的办理、审核与统计。",
                "functions": functions,
                "network": "intranet" if classified else "extranet",
                "secrecy_level": self.rng.choice(("secret", "confidential")) if classified else "none",
                "public_service": not classified and self.rng.random() < 0.3,
                "project": project["code"],
                "status": "operating",
            }
        )
        self.synth.system_department.append(dept)
        return s

    # -- datasets -----------------------------------------------------------------

    def topics(self) -> list[tuple[str, list[int]]]:
        n_topics = max(4, self.config.datasets // TOPIC_SIZE)
        possible = len(words.QUALIFIERS) * len(words.SUBJECTS) * len(words.OBJECTS)
        if n_topics > possible // 2:
            raise ValueError(
                f"{self.config.datasets} datasets need {n_topics} topics but the word lists make {possible}; "
                "generate a national registry as several provinces (see bench/national.py)"
            )
        seen: set[str] = set()
        topics: list[tuple[str, list[int]]] = []
        while len(topics) < n_topics:
            stem = (
                f"{self.rng.choice(words.QUALIFIERS)}{self.rng.choice(words.SUBJECTS)}{self.rng.choice(words.OBJECTS)}"
            )
            if stem in seen:
                continue
            seen.add(stem)
            attrs = self.rng.sample(words.ATTRIBUTES, TOPIC_FIELDS)
            topics.append((stem, [self.fid(f"{stem}{a}") for a in attrs]))
        return topics

    def add_dataset(self, system: int, name: str, abstract: str, fields: list[int], **props: Any) -> int:
        i = len(self.synth.dataset_keys)
        classified = self.synth.systems[system]["network"] == "intranet"
        share = props.pop("share_type", None) or (
            "not_shared"
            if classified
            else self.rng.choices(("unconditional", "conditional", "not_shared"), (14, 5, 1))[0]
        )
        condition = {
            "unconditional": None,
            "conditional": "仅限履行法定职责使用，需经提供方审核",
            "not_shared": "依据《中华人民共和国保守国家秘密法》不予共享"
            if classified
            else "涉及个人隐私，依法不予共享",
        }[share]
        self.synth.dataset_keys.append(f"301A{self.synth.system_department[system]:04d}/{i + 1:07d}")
        self.synth.dataset_names.append(name)
        self.synth.dataset_abstracts.append(abstract)
        self.synth.dataset_system.append(system)
        self.synth.field_lists.append(fields)
        self.synth.dataset_props.append(
            {
                "category": "departmental",
                "format_category": "database",
                "format_type": "oracle",
                "share_type": share,
                "share_condition": condition,
                "share_mode": "interface",
                "update_cycle": "daily",
                "processing_method": "业务系统实时采集，经清洗校验后入库",
                "traceability_requirement": "记录数据来源系统、采集时间和经办人",
                **props,
            }
        )
        return i

    def base_datasets(self, count: int, topics: list[tuple[str, list[int]]]) -> None:
        common = [self.fid(name) for name in words.COMMON_FIELDS]
        n_fields = self.config.fields_per_dataset
        aspects = {stem: 0 for stem, _ in topics}
        systems = len(self.synth.systems)
        for _ in range(count):
            stem, pool = topics[self.rng.randrange(len(topics))]
            aspect = words.ASPECTS[aspects[stem] % len(words.ASPECTS)]
            aspects[stem] += 1
            n_common = self.rng.randint(3, 5)
            n_topic = min(TOPIC_FIELDS, n_fields - n_common - 3)
            fields = self.rng.sample(common, n_common) + self.rng.sample(pool, n_topic)
            fields += [
                self.fid(
                    f"{self.rng.choice(words.SUBJECTS)}{self.rng.choice(words.ATTRIBUTES)}{self.rng.choice(words.ATTRIBUTES)}"
                )
                for _ in range(n_fields - len(fields))
            ]
            attrs = [self.synth.field_names[f].removeprefix(stem) for f in fields[n_common : n_common + 2]]
            name = f"{stem}{aspect}{self.rng.choice(words.SUFFIXES)}"
            abstract = f"记录{stem}业务的{attrs[0]}、{attrs[1]}等{aspect}信息，用于{self.rng.choice(words.PURPOSES)}。"
            self.add_dataset(self.rng.randrange(systems), name, abstract, fields)

    def variant(self, field_id: int) -> int:
        """A spelling another department would use for the same item."""
        name = self.synth.field_names[field_id]
        if name in words.COMMON_VARIANTS:
            return self.fid(self.rng.choice(words.COMMON_VARIANTS[name]))
        roll = self.rng.random()
        if roll < 0.2 and name.endswith("编号"):
            return self.fid(name[:-2] + "号码")
        if roll < 0.4:
            return self.fid(f"{name}（必填）")
        if roll < 0.55:
            return self.fid(" ".join(name))
        return field_id

    def copy_dataset(self, base: int, system: int) -> int:
        fields = self.synth.field_lists[base]
        keep = [f for f in fields if self.rng.random() > self.rng.uniform(0.1, 0.25)]
        extra_stem = self.synth.dataset_names[base][:6]
        copied = [self.variant(f) for f in keep] + [
            self.fid(f"{extra_stem}{self.rng.choice(words.ATTRIBUTES)}") for _ in range(self.rng.randint(1, 3))
        ]
        self.rng.shuffle(copied)
        name = self.synth.dataset_names[base]
        for suffix in words.SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        dept = self.synth.departments[self.synth.system_department[system]]
        reworded = f"{dept['short']}{name}{self.rng.choice(words.REWORDED_SUFFIXES)}"
        abstract = f"本资源汇集{name}相关数据，支撑{self.rng.choice(words.PURPOSES)}工作。"
        return self.add_dataset(system, reworded, abstract, copied)

    def other_department_system(self, dept: int) -> int:
        """A few random draws find one at once in any real mix; the scan after them only
        decides, in a registry too small to plant in, that there is none."""

        def fits(s: int) -> bool:
            return self.synth.system_department[s] != dept and self.synth.systems[s]["network"] == "extranet"

        for _ in range(64):
            s = self.rng.randrange(len(self.synth.systems))
            if fits(s):
                return s
        candidates = [s for s in range(len(self.synth.systems)) if fits(s)]
        if not candidates:
            raise ValueError("registry too small to plant a duplicate: no extranet system of another department")
        return self.rng.choice(candidates)

    def duplicates(self, count: int) -> None:
        """Copies of random base datasets by other departments; a third of the groups get a
        second copy. Department versions (same project) are added as hard negatives."""
        n_base = len(self.synth.dataset_keys)
        made = 0
        used: set[int] = set()
        while made < count:
            if len(used) == n_base:
                raise ValueError(f"registry too small to plant {count} duplicate datasets")
            base = self.rng.randrange(n_base)
            if base in used:
                continue
            used.add(base)
            group = [base]
            for _ in range(2 if self.rng.random() < 0.33 and made + 2 <= count else 1):
                dept = self.synth.department_of(base)
                group.append(self.copy_dataset(base, self.other_department_system(dept)))
                made += 1
            self.truth["duplicates"]["Dataset"].append([self.synth.dataset_keys[i] for i in group])
        for _ in range(max(1, count // 10)):
            base = self.rng.randrange(n_base)
            if base in used:
                continue
            fields = self.synth.field_lists[base]
            version = self.rng.sample(fields, len(fields) // 2) + self.synth.field_lists[self.rng.randrange(n_base)][:8]
            self.add_dataset(
                self.synth.dataset_system[base],
                f"{self.synth.dataset_names[base]}（历史版本）",
                self.synth.dataset_abstracts[base],
                version,
            )

    def system_duplicates(self) -> None:
        for _ in range(self.config.system_duplicates):
            holdings: dict[int, list[int]] = {}
            for i, s in enumerate(self.synth.dataset_system):
                holdings.setdefault(s, []).append(i)
            eligible = [
                s for s, held in holdings.items() if self.synth.systems[s]["network"] == "extranet" and len(held) >= 3
            ]
            if not eligible:
                raise ValueError("registry too small to plant a duplicate system: no extranet system holds 3 datasets")
            original = self.rng.choice(sorted(eligible))
            held = holdings[original]
            dept = self.synth.system_department[original]
            other = (dept + 1 + self.rng.randrange(len(self.synth.departments) - 1)) % len(self.synth.departments)
            theme = self.synth.systems[original]["name"].removeprefix(self.synth.departments[dept]["short"])
            theme = theme.removesuffix("管理系统")
            rebuilt = self.add_system(other, theme, classified=False)
            system = self.synth.systems[rebuilt]
            system["name"] = f"{self.synth.departments[other]['short']}{theme}综合服务平台"
            system["description"] = f"建设{theme}业务综合平台，实现{theme}全流程网上办理和数据统计。"
            system["functions"] = [f"{theme}网上受理", f"{theme}审核办理", f"{theme}数据统计"]
            for base in held:
                copy = self.copy_dataset(base, rebuilt)
                self.truth["duplicates"]["Dataset"].append(
                    [self.synth.dataset_keys[base], self.synth.dataset_keys[copy]]
                )
            self.truth["duplicates"]["System"].append([self.synth.systems[original]["code"], system["code"]])

    # -- sharing ------------------------------------------------------------------

    def shareable(self, i: int) -> bool:
        return self.synth.dataset_props[i]["share_type"] in ("unconditional", "conditional")

    def sharing(self) -> None:
        """Every shareable dataset is shared with another department, and every department
        declares a few needs that some extranet dataset meets: a clean registry has no gap."""
        n_depts = len(self.synth.departments)
        for i in range(len(self.synth.dataset_keys)):
            if self.shareable(i):
                dept = self.synth.department_of(i)
                self.synth.shares.append((i, (dept + 1 + self.rng.randrange(n_depts - 1)) % n_depts))
        extranet = [s for s, sys in enumerate(self.synth.systems) if sys["network"] == "extranet"]
        shareable = [i for i in range(len(self.synth.dataset_keys)) if self.shareable(i)]
        for n in range(max(4, len(self.synth.departments))):
            requester = self.rng.choice(extranet)
            target = self.rng.choice(shareable)
            self.add_need(
                requester,
                ("Dataset", self.synth.dataset_keys[target]),
                f"办理业务需核验{self.synth.dataset_names[target]}",
            )
            if n % 4 == 0:
                self.add_need(requester, ("DataElement", words.ELEMENTS[0][0]), "核验申请人身份")
        for a, b in zip(shareable[:20:2], shareable[1:20:2], strict=False):
            fa, fb = self.synth.field_lists[a], self.synth.field_lists[b]
            if len(fa) > 4 and len(fb) > 4:
                self.synth.lineage.append((b, fb[-1], a, fa[-1]))

    def add_need(self, requester: int, target: tuple[str, str], purpose: str) -> str:
        need_id = f"NEED-{len(self.synth.needs) + 1:06d}"
        self.synth.needs.append({"id": need_id, "purpose": purpose, "requester": requester, "target": target})
        return need_id

    # -- planted problems ---------------------------------------------------------

    def plant_gaps(self, topics: list[tuple[str, list[int]]]) -> None:
        extranet = [s for s, sys in enumerate(self.synth.systems) if sys["network"] == "extranet"]
        gap = self.truth["gaps"].append
        need = self.add_need(self.rng.choice(extranet), ("DataElement", words.UNPROVIDED_ELEMENT[0]), "核查碳排放配额")
        gap({"kind": "unmet_need", "subject": need})

        stem = topics[0][0]
        common = [self.fid(n) for n in words.COMMON_FIELDS[:3]]

        def planted(system: int, label: str, **props: Any) -> int:
            fields = common + [self.fid(f"{stem}{label}{a}") for a in self.rng.sample(words.ATTRIBUTES, 12)]
            return self.add_dataset(system, f"{stem}{label}专项数据", f"{stem}{label}专项数据。", fields, **props)

        blocked = planted(self.rng.choice(extranet), "受限", share_type="not_shared")
        need = self.add_need(self.rng.choice(extranet), ("Dataset", self.synth.dataset_keys[blocked]), "核验受限数据")
        gap({"kind": "blocked_need", "subject": need})

        dept = self.rng.randrange(len(self.synth.departments))
        intranet_system = self.add_system(dept, "内部办公", classified=False)
        self.synth.systems[intranet_system].update(network="intranet", public_service=False)
        inside = planted(intranet_system, "内网", share_type="conditional")
        self.synth.shares.append((inside, (dept + 1) % len(self.synth.departments)))
        need = self.add_need(
            self.rng.choice(extranet), ("Dataset", self.synth.dataset_keys[inside]), "跨网调用内网数据"
        )
        gap({"kind": "boundary_need", "subject": need})

        unused = planted(self.rng.choice(extranet), "闲置", share_type="unconditional")
        gap({"kind": "unused_dataset", "subject": self.synth.dataset_keys[unused]})

        unconditioned = planted(self.rng.choice(extranet), "无条件说明", share_type="conditional")
        self.synth.dataset_props[unconditioned]["share_condition"] = None
        self.synth.shares.append((unconditioned, 0))
        gap({"kind": "conditional_without_condition", "subject": self.synth.dataset_keys[unconditioned]})

        incomplete = planted(self.rng.choice(extranet), "缺项", share_type="unconditional")
        self.synth.dataset_props[incomplete]["traceability_requirement"] = None
        self.synth.dataset_props[incomplete]["processing_method"] = None
        self.synth.shares.append((incomplete, 0))
        gap({"kind": "incomplete_item", "subject": self.synth.dataset_keys[incomplete]})

    def plant_placement(self) -> None:
        dept = self.rng.randrange(len(self.synth.departments))
        placements = (
            ("NET-1", {"network": "extranet", "secrecy_level": "confidential"}, None),
            ("NET-2", {"network": "intranet", "secrecy_level": "top_secret"}, None),
            ("NET-3", {"network": "private"}, RULE_DATE_BEFORE),
            ("NET-4", {"network": "private"}, RULE_DATE_AFTER),
            ("NET-5", {"network": "intranet", "public_service": True}, None),
        )
        for rule, props, approved in placements:
            s = self.add_system(dept, f"违规样例{rule}", classified=False)
            self.synth.systems[s].update(props)
            if approved is not None:
                self.synth.projects[s]["approved_on"] = approved
            self.truth["placement"].append({"rule": rule, "system": self.synth.systems[s]["code"]})
            if rule == "NET-4":
                self.truth["placement"].append({"rule": "NET-3", "system": self.synth.systems[s]["code"]})

    def build(self) -> Synth:
        self.organisations()
        topics = self.topics()
        n_dup = int(self.config.datasets * self.config.duplicate_share) if self.config.plant else 0
        self.base_datasets(self.config.datasets - n_dup, topics)
        if self.config.plant:
            self.duplicates(n_dup)
            self.system_duplicates()
        self.sharing()
        if self.config.plant:
            self.plant_gaps(topics)
            self.plant_placement()
        self.truth["config"] = {
            "datasets": len(self.synth.dataset_keys),
            "fields": sum(len(f) for f in self.synth.field_lists),
            "seed": self.config.seed,
            "plant": self.config.plant,
        }
        self.synth.truth = self.truth
        return self.synth


def generate(config: SynthConfig | None = None, **options: Any) -> Synth:
    """A registry for ``config`` (or keyword options of ``SynthConfig``), the same for the same seed."""
    return _Builder(config or SynthConfig(**options)).build()
