"""The policy layer of a generated registry: project files, sharing requests and
authoritative sources, with planted PRJ-*, REQ-* and SRC-* cases and their ground truth.

It is a second declaration, loaded after ``to_declaration(synth)``: it completes the
generated projects (budgets, adjustments, reports, acceptance dates), adds requests
between departments and the elements' sources, and declares the generated identifier
elements ``universal``. Without planting everything is clean, with hard negatives
kept: an approved adjustment over 15%, an unapproved one under it, replies on the last
day of their period, elements reaching a department by sharing or lineage from their
source, and elements held by fewer departments than SRC-3 asks. Dates are drawn from
the official working-day calendar and lie before ``AS_OF``, the day the truth holds for.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from registry.analysis.projects import reports_owed
from registry.analysis.workdays import WorkCalendar, official
from registry.schema.model import (
    DataElement,
    FieldItem,
    NodeModel,
    Project,
    ProjectAdjustment,
    ProjectReport,
    SharingRequest,
    field_key,
)
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration, EdgeDecl
from registry.synth import words
from registry.synth.generate import Synth

AS_OF = date(2026, 11, 30)
"""The day the planted truth is judged on (``--as-of`` of the checks)."""

SOURCE_ELEMENTS = (
    "不动产单元号",
    "婚姻状况",
    "参保状态",
    "纳税信用等级",
    "学历证书编号",
    "机动车号牌号码",
    "户籍地址",
    "注册资本",
)


@dataclass
class PolicyLayer:
    nodes: list[NodeModel] = field(default_factory=list)
    edges: list[EdgeDecl] = field(default_factory=list)
    truth: dict[str, list[dict[str, str]]] = field(
        default_factory=lambda: {"projects": [], "requests": [], "sources": []}
    )

    def declaration(self, source: str = "synth-policy") -> Declaration:
        return Declaration(source=source, format="synth", nodes=list(self.nodes), edges=list(self.edges))


class _Planter:
    def __init__(self, synth: Synth, plant: bool, seed: int) -> None:
        self.synth = synth
        self.plant = plant
        self.rng = random.Random(seed)
        self.cal: WorkCalendar = official()
        self.layer = PolicyLayer()
        self.depts = [NodeRef("Department", d["code"]) for d in synth.departments]
        self.used: set[int] = set()
        """Datasets the layer has given a role, so no two roles interfere."""
        self.recipients: dict[int, set[int]] = {}
        for dataset, dept in synth.shares:
            self.recipients.setdefault(dataset, set()).add(dept)
        gap_subjects = {g["subject"] for g in synth.truth.get("gaps", [])}
        targets = {n["target"][1] for n in synth.needs}
        self.free = [i for i, key in enumerate(synth.dataset_keys) if key not in gap_subjects and key not in targets]
        self.cases = max(2, len(synth.projects) // 1000) if plant else 0

    def dataset(self, *, share_type: str | None = None, avoid: set[int] | None = None) -> int:
        """A dataset no other role uses, of another department than those in ``avoid``."""
        for _ in range(10_000):
            i = self.rng.choice(self.free)
            if i in self.used or (avoid and self.synth.department_of(i) in avoid):
                continue
            if share_type is not None and self.synth.dataset_props[i]["share_type"] != share_type:
                continue
            self.used.add(i)
            return i
        raise ValueError("the generated registry is too small for the policy layer")

    def workday(self, start: date, end: date) -> date:
        day = start + timedelta(days=self.rng.randrange((end - start).days))
        while not self.cal.is_workday(day):
            day += timedelta(days=1)
        return day

    # -- projects -------------------------------------------------------------------

    def projects(self) -> None:
        private = {s for s, system in enumerate(self.synth.systems) if system["network"] == "private"}
        candidates = [p for p in range(len(self.synth.projects)) if p not in private]
        planted = dict(
            zip(
                self.rng.sample(candidates, 4 * self.cases),
                ["PRJ-1", "PRJ-2", "PRJ-3", "PRJ-4"] * self.cases,
                strict=True,
            )
        )
        for p, project in enumerate(self.synth.projects):
            self.layer.nodes.append(self.project(p, project, planted.get(p)))

    def project(self, p: int, project: dict[str, Any], rule: str | None) -> Project:
        approved: date = project["approved_on"]
        budget = float(5_000_000 + 100_000 * self.rng.randrange(300))
        props: dict[str, Any] = {
            "code": project["code"],
            "name": project["name"],
            "stage": "completed",
            "approved_on": approved,
            "approved_budget": budget,
            "risk_assessment_on": approved + timedelta(days=300),
            "trial_started_on": approved + timedelta(days=330),
            "archive_accepted_on": approved + timedelta(days=600),
            "completion_accepted_on": approved + timedelta(days=650),
        }
        on = approved + timedelta(days=120)
        if p % 7 == 0:  # hard negatives: approved over the threshold, unapproved under it
            props["adjustments"] = [
                ProjectAdjustment(adjusted_on=on, budget_change=0.2 * budget, approval=f"发改投资〔{on.year}〕{p}号"),
                ProjectAdjustment(adjusted_on=on, budget_change=0.05 * budget, description="设备价格调整"),
            ]
        if rule == "PRJ-1":
            props["adjustments"] = [
                ProjectAdjustment(adjusted_on=on, budget_change=0.1 * budget, description="扩容计算资源"),
                ProjectAdjustment(adjusted_on=on + timedelta(days=60), budget_change=0.08 * budget),
            ]
        elif rule == "PRJ-2":
            start = date(2023, 3, 1) + timedelta(days=p % 200)
            owed = reports_owed(start, AS_OF)
            skipped = self.rng.randrange(len(owed))
            props |= {
                "stage": "building",
                "approved_on": start,
                "reports": [
                    ProjectReport(kind=kind, year=year, submitted_on=due - timedelta(days=3))
                    for n, (kind, year, due) in enumerate(owed)
                    if n != skipped
                ],
            }
            for name in ("risk_assessment_on", "trial_started_on", "archive_accepted_on", "completion_accepted_on"):
                props.pop(name)
        elif rule == "PRJ-3":
            props["archive_accepted_on"] = approved + timedelta(days=700)
        elif rule == "PRJ-4":
            props["risk_assessment_on"] = approved + timedelta(days=360)
        if rule:
            self.layer.truth["projects"].append({"rule": rule, "subject": project["code"]})
        return Project(**props)

    # -- sharing requests -------------------------------------------------------------

    def requests(self) -> None:
        count = max(8, len(self.synth.dataset_keys) // 50)
        planted = ["REQ-1", "REQ-2", "REQ-3", "REQ-4"] * self.cases
        for n in range(count + len(planted)):
            self.request(n, planted[n - count] if n >= count else None)

    def request(self, n: int, rule: str | None) -> None:
        if rule == "REQ-4":
            share_type = "unconditional"
        elif rule is not None:
            share_type = "conditional"
        else:
            share_type = self.rng.choice(("unconditional", "conditional"))
        target = self.dataset(share_type=share_type)
        provider = self.synth.department_of(target)
        requester = (provider + 1 + self.rng.randrange(len(self.depts) - 1)) % len(self.depts)
        submitted = self.workday(date(2025, 1, 2), date(2026, 9, 1))
        props: dict[str, Any] = {
            "id": f"SQ-{n + 1:06d}",
            "purpose": f"{self.rng.choice(words.PURPOSES)}需使用{self.synth.dataset_names[target]}",
            "legal_basis": "《政务数据共享条例》",
            "submitted_on": submitted,
        }
        if share_type == "unconditional":
            props["delivered_on"] = self.cal.add(submitted, 3 if rule == "REQ-4" else 1)
        elif rule == "REQ-1":
            pass  # never answered: long overdue by AS_OF
        else:
            replied = self.cal.add(submitted, self.rng.randint(1, 10))
            refused = rule == "REQ-3" or (rule is None and self.rng.random() < 0.1)
            props |= {"replied_on": replied, "outcome": "refused" if refused else "agreed"}
            if refused:
                props["refusal_basis"] = None if rule == "REQ-3" else "《中华人民共和国数据安全法》第三十八条"
            elif rule != "REQ-2":
                props["delivered_on"] = self.cal.add(replied, self.rng.randint(1, 20))
        request = SharingRequest(**props)
        ref = NodeRef("SharingRequest", request.id)
        dataset = NodeRef("Dataset", self.synth.dataset_keys[target])
        self.layer.nodes.append(request)
        self.layer.edges += [
            EdgeDecl("REQUESTS", self.depts[requester], ref),
            EdgeDecl("ADDRESSED_TO", ref, self.depts[provider]),
            EdgeDecl("FOR", ref, dataset),
        ]
        if request.delivered_on is not None:
            since = request.delivered_on.isoformat()
            self.layer.edges.append(
                EdgeDecl("SHARED_WITH", dataset, self.depts[requester], {"request": request.id, "since": since})
            )
        if rule:
            self.layer.truth["requests"].append({"rule": rule, "subject": request.id})

    # -- authoritative sources --------------------------------------------------------

    def sources(self) -> None:
        for code, name, synonyms in words.ELEMENTS:
            self.layer.nodes.append(DataElement(code=code, name=name, synonyms=list(synonyms), universal=True))
        groups = max(1, self.cases)
        for g in range(groups):
            self.source_group(g)

    def element(self, code: str, name: str, holders: list[int]) -> tuple[DataElement, list[NodeRef]]:
        element = DataElement(code=code, name=name)
        self.layer.nodes.append(element)
        fields = []
        for dataset in holders:
            key = self.synth.dataset_keys[dataset]
            item = FieldItem(dataset=key, name=name, data_type="C")
            ref = NodeRef("Field", field_key(key, name))
            self.layer.nodes.append(item)
            self.layer.edges += [
                EdgeDecl("HAS_FIELD", NodeRef("Dataset", key), ref),
                EdgeDecl("MEANS", ref, NodeRef("DataElement", code)),
            ]
            fields.append(ref)
        return element, fields

    def distinct(self, count: int, avoid: set[int] | None = None) -> list[int]:
        """Datasets of ``count`` different departments, none of them in ``avoid``."""
        chosen: list[int] = []
        for _ in range(count):
            chosen.append(self.dataset(avoid={*(avoid or ()), *(self.synth.department_of(i) for i in chosen)}))
        return chosen

    def source_group(self, g: int) -> None:
        name = SOURCE_ELEMENTS[g % len(SOURCE_ELEMENTS)] + (str(g // len(SOURCE_ELEMENTS)) if g >= 8 else "")
        truth = self.layer.truth["sources"].append
        # an element with a source: one department receives it by sharing, one by lineage,
        # and (planted) one collects it again
        source, shared, derived = self.distinct(3)
        taken = {self.synth.department_of(i) for i in (source, shared, derived)} | self.recipients.get(source, set())
        (again,) = self.distinct(1, taken)
        holders = [source, shared, derived, again] if self.plant else [source, shared, derived]
        element, fields = self.element(f"PSRC{g:04d}1", name, holders)
        source_ref = NodeRef("Dataset", self.synth.dataset_keys[source])
        self.layer.edges += [
            EdgeDecl(
                "AUTHORITATIVE_SOURCE",
                NodeRef("DataElement", element.code),
                self.depts[self.synth.department_of(source)],
            ),
            EdgeDecl("AUTHORITATIVE_SOURCE", NodeRef("DataElement", element.code), source_ref),
            EdgeDecl(
                "SHARED_WITH", source_ref, self.depts[self.synth.department_of(shared)], {"agreement": "共享协议"}
            ),
            EdgeDecl("DERIVED_FROM", fields[2], fields[0], {"processing_method": "接口核验"}),
        ]
        if self.plant:
            truth({"rule": "SRC-1", "subject": f"{element.code} {self.synth.dataset_keys[again]}"})
        # held by two departments without a source: below SRC-3's threshold
        self.element(f"PSRC{g:04d}2", f"{name}（备案）", self.distinct(2))
        if not self.plant:
            return
        first, second = self.distinct(2)
        contested, _ = self.element(f"PSRC{g:04d}3", f"{name}（登记）", [first, second])
        for dataset in (first, second):
            self.layer.edges.append(
                EdgeDecl(
                    "AUTHORITATIVE_SOURCE",
                    NodeRef("DataElement", contested.code),
                    self.depts[self.synth.department_of(dataset)],
                )
            )
        truth({"rule": "SRC-2", "subject": contested.code})
        orphan, _ = self.element(f"PSRC{g:04d}4", f"{name}（汇总）", self.distinct(3))
        truth({"rule": "SRC-3", "subject": orphan.code})


def policy_layer(synth: Synth, *, plant: bool = True, seed: int = 0) -> PolicyLayer:
    """The policy declaration for ``synth`` and what it plants (judged as of ``AS_OF``)."""
    planter = _Planter(synth, plant, seed)
    planter.sources()
    planter.projects()
    planter.requests()
    return planter.layer
