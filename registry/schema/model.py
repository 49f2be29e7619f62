"""Node and edge types of the registry graph, with their validated properties.

Each node model knows its label and how its natural key is formed; the store keeps
nodes as (label, key, properties) so that it stays generic, and these models are the
one place that decides what a valid property set is. Labels and edge types form a
closed set (``NODE_MODELS``, ``EDGE_SPECS``): the Neo4j store interpolates labels into
Cypher only from this set, never from input.
"""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from registry.schema.codes import clean_code, validate_credit_code, validate_resource_code
from registry.schema.enums import (
    DataType,
    DepartmentLevel,
    FormatCategory,
    InterfaceKind,
    MlpsLevel,
    Network,
    ProjectStage,
    ReplyOutcome,
    ReportKind,
    ResourceCategory,
    ReviewDecision,
    SecrecyLevel,
    ShareMode,
    ShareType,
    SystemStatus,
    UpdateCycle,
)
from registry.schema.synonyms import canonical

FIELD_KEY_SEPARATOR = "#"
_DEFAULTS: dict[type, dict[str, Any]] = {}
_JSON_SCALARS = frozenset({str, int, bool})
_SET_DICT, _SET_FIELDS_SET, _SET_EXTRA, _SET_PRIVATE = (
    BaseModel.__dict__[slot].__set__
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
)


def field_key(resource_code: str, name: str) -> str:
    return f"{resource_code}{FIELD_KEY_SEPARATOR}{name}"


class NodeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True, frozen=True)
    LABEL: ClassVar[str]

    def key(self) -> str:
        raise NotImplementedError

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Self:
        """A node from ``values`` that its importer has already checked against every rule
        of this model (types, bounds, cleaned codes, stripped text), built without
        validating them a second time: a province's catalogue builds two million 信息项,
        and pydantic's validation of each was a fifth of its import. Only the properties
        in ``values`` count as written (``props``)."""
        defaults = _DEFAULTS.get(cls)
        if defaults is None:
            defaults = _DEFAULTS[cls] = {
                name: info.default for name, info in cls.model_fields.items() if info.default_factory is None
            }
            if len(defaults) < len(cls.model_fields):
                raise TypeError(f"{cls.__name__} has default factories; build it through validation")
        return cls.assembled({**defaults, **values}, set(values))

    @classmethod
    def assembled(cls, values: dict[str, Any], written: set[str]) -> Self:
        """A node holding ``values`` (every field of the model, already valid), with
        ``written`` the names that count as written: the instance ``model_construct``
        would make, its four slots filled through their descriptors (``object.__setattr__``
        looks each one up on the type again; a catalogue import makes millions)."""
        node = object.__new__(cls)
        _SET_DICT(node, values)
        _SET_FIELDS_SET(node, written)
        _SET_EXTRA(node, None)
        _SET_PRIVATE(node, None)
        return node

    def props(self) -> dict[str, Any]:
        """What the store keeps: JSON-ready, with only what the declaration actually said.
        Defaults are left out too, so that a partial declaration (a catalogue knows less than
        the native format) never erases what another source said: a catalogue row must not
        reset a dataset's 密级 to its default. Readers apply the model defaults.

        Text, whole numbers and flags are already what JSON holds, so a node holding only
        those (nearly every field of a catalogue) is read off directly: ``model_dump`` per
        node was a tenth of loading a province. Anything else (dates, lists, floats, whose
        JSON form pydantic decides) goes through ``model_dump``."""
        values, written = self.__dict__, self.model_fields_set
        props: dict[str, Any] = {}
        for name in values:
            value = values[name]
            if value is None or name not in written:
                continue
            if type(value) not in _JSON_SCALARS:
                return self.model_dump(mode="json", exclude_none=True, exclude_unset=True)
            props[name] = value
        return props


def _code(value: str) -> str:
    code = clean_code(value)
    if not code:
        raise ValueError("code is empty")
    return code


Code = Annotated[str, AfterValidator(_code)]

CONTACT_ROLES = ("owner", "steward", "technical")
"""责任人 (owner), 数据管理员 (steward), 技术联系人 (technical contact)."""
_CONTACT_KEYS = frozenset({"name", "role", "phone", "email"})


def _contacts(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who to ask about an entry and who is told when it changes: each with a name and a
    role, a phone and an e-mail address where known."""
    cleaned = []
    for contact in value:
        extra = sorted(set(contact) - _CONTACT_KEYS)
        if extra:
            raise ValueError(f"a contact has no property {extra[0]!r} (name, role, phone, email)")
        name = str(contact.get("name") or "").strip()
        if not name:
            raise ValueError("a contact needs a name")
        role = str(contact.get("role") or "owner").strip()
        if role not in CONTACT_ROLES:
            raise ValueError(f"contact role {role!r} is not one of {', '.join(CONTACT_ROLES)}")
        entry = {"name": name, "role": role}
        for key in ("phone", "email"):
            if contact.get(key):
                entry[key] = str(contact[key]).strip()
        cleaned.append(entry)
    return cleaned


Contacts = Annotated[list[dict[str, Any]], AfterValidator(_contacts)]


class Department(NodeModel):
    LABEL: ClassVar[str] = "Department"
    code: str
    name: str = Field(min_length=1)
    level: DepartmentLevel | None = None
    region: str | None = None
    parent: str | None = None
    contacts: Contacts = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _credit_code(cls, value: str) -> str:
        return validate_credit_code(value)

    @field_validator("parent")
    @classmethod
    def _parent_code(cls, value: str | None) -> str | None:
        return None if value is None else validate_credit_code(value)

    def key(self) -> str:
        return self.code


class System(NodeModel):
    LABEL: ClassVar[str] = "System"
    code: Code
    name: str = Field(min_length=1)
    description: str | None = None
    functions: list[str] = Field(default_factory=list)
    network: Network | None = None
    secrecy_level: SecrecyLevel = SecrecyLevel.NONE
    mlps_level: MlpsLevel | None = None
    status: SystemStatus | None = None
    public_service: bool = False
    project: str | None = None
    contacts: Contacts = Field(default_factory=list)

    def key(self) -> str:
        return self.code


class Dataset(NodeModel):
    LABEL: ClassVar[str] = "Dataset"
    resource_code: str
    name: str = Field(min_length=1)
    abstract: str | None = None
    category: ResourceCategory | None = None
    category_code: str | None = None
    format_category: FormatCategory | None = None
    format_type: str | None = None
    share_type: ShareType | None = None
    share_condition: str | None = None
    share_mode: ShareMode | None = None
    open_to_public: bool | None = None
    open_condition: str | None = None
    update_cycle: UpdateCycle | None = None
    published_on: date | None = None
    related_resource_codes: list[str] = Field(default_factory=list)
    secrecy_level: SecrecyLevel = SecrecyLevel.NONE
    declassified: bool = False
    processing_method: str | None = None
    traceability_requirement: str | None = None
    code_recognised: bool = True
    source_record: str | None = Field(
        default=None,
        description="The record this dataset was imported from in an open-data catalogue "
        "(format:identifier or address), so it can be traced back to its source.",
    )
    contacts: Contacts = Field(default_factory=list)
    data_updated_at: datetime | None = None
    """When the data itself was last updated (reported by an import, an interface or the API):
    set against the declared update cycle, it tells a stale dataset."""

    @field_validator("resource_code")
    @classmethod
    def _resource_code(cls, value: str) -> str:
        return validate_resource_code(value).code

    def key(self) -> str:
        return self.resource_code


class FieldItem(NodeModel):
    """A 信息项; called FieldItem in Python so that it does not shadow pydantic.Field."""

    LABEL: ClassVar[str] = "Field"
    dataset: Code
    name: str = Field(min_length=1)
    data_type: DataType | None = None
    length: int | None = Field(default=None, ge=0)
    format: str | None = None
    processing_method: str | None = None
    traceability_requirement: str | None = None
    declassified: bool = False

    def key(self) -> str:
        return field_key(self.dataset, self.name)


class DataElement(NodeModel):
    LABEL: ClassVar[str] = "DataElement"
    code: Code
    name: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    universal: bool = Field(
        default=False,
        description="通用数据元: an identifier or generic attribute every department records with its own business "
        "(公民身份号码, 姓名, 登记日期); no single department is its source, so the authoritative-source rules "
        "leave it out.",
    )

    def key(self) -> str:
        return self.code


class Interface(NodeModel):
    LABEL: ClassVar[str] = "Interface"
    code: Code
    kind: InterfaceKind
    protocol: str | None = None
    url: str | None = None
    network: Network | None = None
    contacts: Contacts = Field(default_factory=list)
    data_updated_at: datetime | None = None
    """When the interface last delivered data, as it reported (or as registered): the
    datasets exposed through it were updated then, whatever their own record says."""

    def key(self) -> str:
        return self.code


class ProjectPart(BaseModel):
    """A dated entry of a project's file (an approval, an adjustment, a report)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True, frozen=True)


class ProjectApproval(ProjectPart):
    """An approval document (批复) the project received, e.g. of its preliminary design and
    budget estimate, or of an adjustment."""

    approved_on: date
    document: str | None = Field(default=None, description="批复文号, e.g. 发改高技〔2019〕123号")
    by: str | None = Field(default=None, description="The approving authority.")
    subject: str | None = None


class ProjectAdjustment(ProjectPart):
    """A change to an approved project (概算调整 / 建设目标调整). An adjustment counts as
    approved when it names its approval document or date; PRJ-1 judges the rest."""

    adjusted_on: date
    budget_change: float | None = Field(default=None, description="Change of the total investment in 元 (signed).")
    goals_changed: bool = Field(default=False, description="Whether the construction goals or content changed.")
    description: str | None = None
    approval: str | None = Field(default=None, description="批复文号 of the approval of this adjustment.")
    approved_on: date | None = None

    @property
    def approved(self) -> bool:
        return bool(self.approval) or self.approved_on is not None


class ProjectReport(ProjectPart):
    """A construction progress report: half-year (due end of July) or annual (due end of
    the following January), for the year it covers."""

    kind: ReportKind
    year: int = Field(ge=1990, le=2100)
    submitted_on: date | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        """半年报告 / 年度报告 as people write them."""
        return canonical(ReportKind, value) if isinstance(value, str) else value


class Project(NodeModel):
    LABEL: ClassVar[str] = "Project"
    code: Code
    name: str = Field(min_length=1)
    stage: ProjectStage | None = None
    approved_on: date | None = None
    approved_budget: float | None = Field(default=None, ge=0)
    approvals: list[ProjectApproval] = Field(default_factory=list)
    adjustments: list[ProjectAdjustment] = Field(default_factory=list)
    reports: list[ProjectReport] = Field(default_factory=list)
    risk_assessment_on: date | None = None
    trial_started_on: date | None = None
    archive_accepted_on: date | None = None
    completion_accepted_on: date | None = None

    def key(self) -> str:
        return self.code


class Need(NodeModel):
    LABEL: ClassVar[str] = "Need"
    id: Code
    purpose: str = Field(min_length=1)
    legal_basis: str | None = None
    requested_on: date | None = None

    def key(self) -> str:
        return self.id


class SharingRequest(NodeModel):
    """A sharing request (共享申请): a department asks another for a dataset or a data
    element, for a purpose and on a legal basis; the provider replies (agreed, agreed with
    conditions, or refused with a basis) and delivers. Who asked whom for what are edges:
    (Department)-[:REQUESTS]->(SharingRequest)-[:ADDRESSED_TO]->(Department) and
    (SharingRequest)-[:FOR]->(Dataset|DataElement). A delivered request for a dataset is
    also a SHARED_WITH relation naming the request."""

    LABEL: ClassVar[str] = "SharingRequest"
    id: Code
    purpose: str = Field(min_length=1, description="用途 / 应用场景")
    legal_basis: str | None = Field(default=None, description="申请依据")
    submitted_on: date
    replied_on: date | None = None
    outcome: ReplyOutcome | None = Field(default=None, description="答复意见")
    conditions: str | None = Field(default=None, description="Conditions of an agreement with conditions.")
    refusal_basis: str | None = Field(default=None, description="不予共享的理由和依据")
    delivered_on: date | None = None

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, value: Any) -> Any:
        """同意 / 有条件同意 / 不予共享 as people write them."""
        return canonical(ReplyOutcome, value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _dated(self) -> "SharingRequest":
        if self.outcome is not None and self.replied_on is None:
            raise ValueError("a reply needs its date (replied_on)")
        if self.replied_on is not None and self.outcome is None:
            raise ValueError("a reply date needs the reply's outcome")
        for name in ("replied_on", "delivered_on"):
            value = getattr(self, name)
            if value is not None and value < self.submitted_on:
                raise ValueError(f"{name} {value} is before the request was submitted ({self.submitted_on})")
        if self.delivered_on is not None and self.outcome == ReplyOutcome.REFUSED:
            raise ValueError("a refused request cannot have been delivered")
        return self

    def key(self) -> str:
        return self.id


class ImportBatch(NodeModel):
    LABEL: ClassVar[str] = "ImportBatch"
    id: str
    source: str
    sha256: str | None = None
    format: str
    by: str
    at: str
    counts: dict[str, int] = Field(default_factory=dict)

    def key(self) -> str:
        return self.id


class Review(NodeModel):
    """A reviewer's decision on a finding, keyed by the finding's identity so a finding has
    one current decision and its history keeps every earlier one (who, when: provenance).
    The decision holds for the evidence it was made on: ``fingerprint`` is that
    evidence's, and a finding whose evidence has changed since is open again."""

    LABEL: ClassVar[str] = "Review"
    finding: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    decision: ReviewDecision
    reason: str = Field(min_length=1)
    fingerprint: str = Field(min_length=1)
    message: str | None = None
    subjects: list[str] = Field(default_factory=list)

    def key(self) -> str:
        return self.finding


NODE_MODELS: dict[str, type[NodeModel]] = {
    m.LABEL: m
    for m in (
        Department,
        System,
        Dataset,
        FieldItem,
        DataElement,
        Interface,
        Project,
        Need,
        SharingRequest,
        ImportBatch,
        Review,
    )
}

NAME_PROPERTY: dict[str, str] = {
    label: (
        "purpose"
        if label in ("Need", "SharingRequest")
        else "source"
        if label == "ImportBatch"
        else "code"
        if label == "Interface"
        else "finding"
        if label == "Review"
        else "name"
    )
    for label in NODE_MODELS
}


class EdgeProps(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class NoProps(EdgeProps):
    pass


class SharedWithProps(EdgeProps):
    agreement: str | None = None
    since: date | None = None
    request: str | None = None
    """The sharing request this relation met (its id), when it came from one."""


class DerivedFromProps(EdgeProps):
    processing_method: str | None = None


class EdgeSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    sources: frozenset[str]
    targets: frozenset[str]
    props: type[EdgeProps] = NoProps


def _spec(sources: str, targets: str, props: type[EdgeProps] = NoProps) -> EdgeSpec:
    return EdgeSpec(sources=frozenset(sources.split("|")), targets=frozenset(targets.split("|")), props=props)


EDGE_SPECS: dict[str, EdgeSpec] = {
    "OPERATES": _spec("Department", "System"),
    "PROVIDES": _spec("Department", "Dataset"),
    "HOLDS": _spec("System", "Dataset"),
    "HAS_FIELD": _spec("Dataset", "Field"),
    "MEANS": _spec("Field", "DataElement"),
    "EXPOSED_VIA": _spec("Dataset", "Interface"),
    "NEEDS": _spec("Department|System", "Need"),
    "FOR": _spec("Need|SharingRequest", "DataElement|Dataset"),
    "REQUESTS": _spec("Department", "SharingRequest"),
    "ADDRESSED_TO": _spec("SharingRequest", "Department"),
    "AUTHORITATIVE_SOURCE": _spec("DataElement", "Department|Dataset"),
    "SHARED_WITH": _spec("Dataset", "Department|System", SharedWithProps),
    "DERIVED_FROM": _spec("Field", "Field", DerivedFromProps),
    "LED_BY": _spec("Project", "Department"),
    "CO_BUILT_BY": _spec("Project", "Department"),
    "BUILDS": _spec("Project", "System"),
    "REVIEWS": _spec("Review", "|".join(label for label in NODE_MODELS if label not in ("Review", "ImportBatch"))),
}
