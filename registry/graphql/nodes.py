"""One GraphQL type per node label, with the label's edges as fields.

Each type is built from a ``NodeRecord`` the service returned for this caller; its edge
fields go through the request's loaders, which ask the service, so a neighbour the
caller may not see is simply absent. The properties are the model's
(``registry/schema/model.py``), derived by ``node_type``: a class here declares only its
label's edges, so a property added to a model appears in the API without a line here.
Each is read from the record by name, converted to the field's type (enums, dates).
"""

import dataclasses
import enum
import typing
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from registry.graphql.context import RegistryContext
from registry.graphql.derive import model_columns, with_columns
from registry.graphql.records import HistoryEntry, Provenance
from registry.graphql.views import VIEWS, View
from registry.schema import model
from registry.schema.model import NodeModel
from registry.schema.records import Direction, EdgeRecord, NodeRecord, NodeRef
from registry.schema.records import Provenance as ProvenanceRecord

N = TypeVar("N", bound="Node")
Ctx = Info[RegistryContext, None]


@strawberry.interface(description="Every node: its natural key, provenance and change history.")
class Node:
    key: str
    label: str
    created: Provenance
    updated: Provenance
    record: strawberry.Private[NodeRecord]

    @strawberry.field(description="Changes to this node and to the edges touching it, oldest first.")
    def history(self, info: Ctx) -> list[HistoryEntry]:
        context = info.context
        return [HistoryEntry.of(h) for h in context.service.history(context.caller, self.record.ref)]

    @classmethod
    def from_record(cls: type[N], record: NodeRecord) -> N:
        """Without the dataclass ``__init__``: the columns are read from the record when a
        query asks for them (see ``_Column``)."""
        node = cls.__new__(cls)
        node.__dict__.update(
            key=record.key,
            label=record.label,
            record=record,
            created=_provenance(record.created),
            updated=_provenance(record.updated),
        )
        return node


class _Column:
    """One property, converted from the node's record the first time it is read, then
    kept on the node. A dashboard page builds thousands of nodes and asks each for two or
    three of its twenty columns; converting all of them up front, with the generated
    ``__init__`` taking every column as a keyword, was a third of such a page's time."""

    __slots__ = ("convert", "default", "factory", "name", "prop")

    def __init__(self, f: dataclasses.Field[Any], prop: str, convert: Callable[[Any], Any] | None) -> None:
        self.name = f.name
        self.prop = prop
        self.convert = convert
        self.factory = None if f.default_factory is dataclasses.MISSING else f.default_factory
        self.default = None if f.default is dataclasses.MISSING else f.default

    def __get__(self, node: Any, owner: type | None = None) -> Any:
        if node is None:
            return self.default
        raw = node.record.props.get(self.prop)
        if raw is None:
            value = self.default if self.factory is None else self.factory()
        else:
            value = raw if self.convert is None else self.convert(raw)
        node.__dict__[self.name] = value
        return value


def node_type(
    model: type[NodeModel], *, description: str, rename: dict[str, str] | None = None
) -> Callable[[type[N]], type[N]]:
    """The GraphQL type of a label: the model's properties as columns (see
    ``registry.graphql.derive``), then the edge resolvers the class body declares.
    ``rename`` maps a property to another field name where a resolver takes its name."""

    def wrap(cls: type[N]) -> type[N]:
        annotations, fields, props = model_columns(model, rename=rename)
        typed = strawberry.type(with_columns(cls, annotations, fields), description=description)
        hints = typing.get_type_hints(typed)
        for f in dataclasses.fields(typed):
            if f.name in props:
                # An instance attribute, set by ``__init__`` or by a first read, still wins.
                setattr(typed, f.name, _Column(f, props[f.name], _converter(hints[f.name])))
        return typed

    return wrap


def _converter(hint: Any) -> Callable[[Any], Any] | None:
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    target = args[0]
    if isinstance(target, type) and issubclass(target, enum.Enum):
        members = {member.value: member for member in target}
        return lambda value: members[value] if value in members else target(value)
    if target is date:
        return date.fromisoformat
    return None


@lru_cache(maxsize=4096)
def _provenance(prov: ProvenanceRecord) -> Provenance:
    """One GraphQL object per import batch, not two per node: records of one batch share
    their provenance, and so may the nodes built from them (it is never mutated)."""
    return Provenance.of(prov)


def node_of(record: NodeRecord) -> Node:
    return NODE_TYPES[record.label].from_record(record)


async def _view(info: Ctx, node: Node, edge_type: str, direction: Direction) -> View:
    """The neighbours over one edge type, charged to the request, as the shared view of
    the service's kept list (``VIEWS``): read its lists, do not change them."""
    links = await info.context.loaders.linked(node.record.ref, edge_type, direction)
    info.context.charge(len(links))
    return VIEWS.of(links, node_of)


async def _linked(info: Ctx, node: Node, edge_type: str, direction: Direction) -> list[tuple[EdgeRecord, Any]]:
    """The neighbours with their edges; the edge type decides their labels, so the
    resolver knows their GraphQL type."""
    return (await _view(info, node, edge_type, direction)).pairs


async def _nodes(info: Ctx, node: Node, edge_type: str, direction: Direction) -> list[Any]:
    """The neighbours alone, as a shared ``NodeList`` whose completed rows are kept too."""
    return (await _view(info, node, edge_type, direction)).nodes


async def _one(info: Ctx, kind: type[N], key: str | None) -> N | None:
    """The visible node of type ``kind`` (named as its label) with this key."""
    if key is None:
        return None
    record = await info.context.loaders.nodes.load(NodeRef(kind.__name__, key))
    info.context.charge(1)
    if record is None:
        return None
    node = node_of(record)
    assert isinstance(node, kind)
    return node


@strawberry.type(description="A dataset shared with a department or system (SHARED_WITH).")
class SharingRelation:
    dataset: "Dataset"
    recipient: Node
    agreement: str | None
    since: date | None
    request: str | None = strawberry.field(description="Id of the sharing request the relation met, if any.")
    created: Provenance
    updated: Provenance

    @classmethod
    def of(cls, edge: EdgeRecord, dataset: "Dataset", recipient: Node) -> "SharingRelation":
        since = edge.props.get("since")
        return cls(
            dataset=dataset,
            recipient=recipient,
            agreement=edge.props.get("agreement"),
            request=edge.props.get("request"),
            since=date.fromisoformat(since) if since else None,
            created=Provenance.of(edge.created),
            updated=Provenance.of(edge.updated),
        )


@strawberry.type(description="One step of field lineage (DERIVED_FROM) and how the data was processed.")
class Derivation:
    field: "Field"
    processing_method: str | None
    created: Provenance

    @classmethod
    def of(cls, edge: EdgeRecord, field: "Field") -> "Derivation":
        return cls(
            field=field, processing_method=edge.props.get("processing_method"), created=Provenance.of(edge.created)
        )


@node_type(model.Department, description="政务部门")
class Department(Node):
    @strawberry.field
    async def parent_department(self, info: Ctx) -> typing.Optional["Department"]:
        return await _one(info, Department, self.record.props.get("parent"))

    @strawberry.field(description="Systems the department operates (OPERATES).")
    async def systems(self, info: Ctx) -> list["System"]:
        return await _nodes(info, self, "OPERATES", "out")

    @strawberry.field(description="Datasets the department provides (PROVIDES).")
    async def datasets(self, info: Ctx) -> list["Dataset"]:
        return await _nodes(info, self, "PROVIDES", "out")

    @strawberry.field(description="Sharing demands the department declared (NEEDS).")
    async def needs(self, info: Ctx) -> list["Need"]:
        return await _nodes(info, self, "NEEDS", "out")

    @strawberry.field(description="Projects the department leads (LED_BY).")
    async def projects(self, info: Ctx) -> list["Project"]:
        return await _nodes(info, self, "LED_BY", "in")

    @strawberry.field(description="Datasets shared with the department (SHARED_WITH).")
    async def receives(self, info: Ctx) -> list[SharingRelation]:
        return [SharingRelation.of(e, d, self) for e, d in await _linked(info, self, "SHARED_WITH", "in")]


@node_type(model.System, description="业务信息系统")
class System(Node):
    @strawberry.field(description="The department operating the system (OPERATES).")
    async def department(self, info: Ctx) -> typing.Optional["Department"]:
        found = await _nodes(info, self, "OPERATES", "in")
        return found[0] if found else None

    @strawberry.field(description="Datasets the system holds (HOLDS).")
    async def datasets(self, info: Ctx) -> list["Dataset"]:
        return await _nodes(info, self, "HOLDS", "out")

    @strawberry.field(description="Sharing demands declared for the system (NEEDS).")
    async def needs(self, info: Ctx) -> list["Need"]:
        return await _nodes(info, self, "NEEDS", "out")

    @strawberry.field(description="Projects building the system (BUILDS).")
    async def built_by(self, info: Ctx) -> list["Project"]:
        return await _nodes(info, self, "BUILDS", "in")

    @strawberry.field(description="Datasets shared with the system (SHARED_WITH).")
    async def receives(self, info: Ctx) -> list[SharingRelation]:
        return [SharingRelation.of(e, d, self) for e, d in await _linked(info, self, "SHARED_WITH", "in")]


@node_type(model.Dataset, description="信息资源")
class Dataset(Node):
    @strawberry.field(description="The providing department (PROVIDES).")
    async def provider(self, info: Ctx) -> typing.Optional["Department"]:
        found = await _nodes(info, self, "PROVIDES", "in")
        return found[0] if found else None

    @strawberry.field(description="Systems holding the dataset (HOLDS).")
    async def held_by(self, info: Ctx) -> list["System"]:
        return await _nodes(info, self, "HOLDS", "in")

    @strawberry.field(description="The dataset's items (HAS_FIELD).")
    async def fields(self, info: Ctx) -> list["Field"]:
        return await _nodes(info, self, "HAS_FIELD", "out")

    @strawberry.field(description="Technical interfaces exposing the dataset (EXPOSED_VIA).")
    async def interfaces(self, info: Ctx) -> list["Interface"]:
        return await _nodes(info, self, "EXPOSED_VIA", "out")

    @strawberry.field(description="Departments and systems the dataset is shared with (SHARED_WITH).")
    async def shared_with(self, info: Ctx) -> list[SharingRelation]:
        return [SharingRelation.of(e, self, r) for e, r in await _linked(info, self, "SHARED_WITH", "out")]

    @strawberry.field(description="Needs asking for this dataset (FOR).")
    async def needed_by(self, info: Ctx) -> list["Need"]:
        return [n for n in await _nodes(info, self, "FOR", "in") if isinstance(n, Need)]

    @strawberry.field(description="Sharing requests asking for this dataset (FOR).")
    async def requested_by(self, info: Ctx) -> list["SharingRequest"]:
        return [n for n in await _nodes(info, self, "FOR", "in") if isinstance(n, SharingRequest)]


@node_type(model.FieldItem, description="信息项: a field of a dataset.", rename={"dataset": "dataset_code"})
class Field(Node):
    @strawberry.field(description="The dataset the field belongs to (HAS_FIELD).")
    async def dataset(self, info: Ctx) -> typing.Optional["Dataset"]:
        return await _one(info, Dataset, self.record.props.get("dataset"))

    @strawberry.field(description="The standard data element the field means (MEANS).")
    async def element(self, info: Ctx) -> typing.Optional["DataElement"]:
        found = await _nodes(info, self, "MEANS", "out")
        return found[0] if found else None

    @strawberry.field(description="Fields this one is derived from (DERIVED_FROM), one step up.")
    async def derived_from(self, info: Ctx) -> list[Derivation]:
        return [Derivation.of(e, f) for e, f in await _linked(info, self, "DERIVED_FROM", "out")]

    @strawberry.field(description="Fields derived from this one, one step down.")
    async def derived_into(self, info: Ctx) -> list[Derivation]:
        return [Derivation.of(e, f) for e, f in await _linked(info, self, "DERIVED_FROM", "in")]


@node_type(model.DataElement, description="数据元: a standard meaning shared by fields of many datasets.")
class DataElement(Node):
    @strawberry.field(description="Fields meaning this element (MEANS).")
    async def fields(self, info: Ctx) -> list["Field"]:
        return await _nodes(info, self, "MEANS", "in")

    @strawberry.field(description="Needs asking for this element (FOR).")
    async def needed_by(self, info: Ctx) -> list["Need"]:
        return [n for n in await _nodes(info, self, "FOR", "in") if isinstance(n, Need)]

    @strawberry.field(description="Sharing requests asking for this element (FOR).")
    async def requested_by(self, info: Ctx) -> list["SharingRequest"]:
        return [n for n in await _nodes(info, self, "FOR", "in") if isinstance(n, SharingRequest)]

    @strawberry.field(description="Departments and datasets declared its authoritative source (AUTHORITATIVE_SOURCE).")
    async def authoritative_sources(self, info: Ctx) -> list[Node]:
        return await _nodes(info, self, "AUTHORITATIVE_SOURCE", "out")


@node_type(model.Interface, description="技术接口")
class Interface(Node):
    @strawberry.field(description="Datasets exposed through the interface (EXPOSED_VIA).")
    async def datasets(self, info: Ctx) -> list["Dataset"]:
        return await _nodes(info, self, "EXPOSED_VIA", "in")


@node_type(model.Project, description="电子政务项目")
class Project(Node):
    @strawberry.field(description="The leading department (LED_BY).")
    async def lead_department(self, info: Ctx) -> typing.Optional["Department"]:
        found = await _nodes(info, self, "LED_BY", "out")
        return found[0] if found else None

    @strawberry.field(description="Co-building departments (CO_BUILT_BY).")
    async def co_builders(self, info: Ctx) -> list["Department"]:
        return await _nodes(info, self, "CO_BUILT_BY", "out")

    @strawberry.field(description="Systems the project builds (BUILDS).")
    async def systems(self, info: Ctx) -> list["System"]:
        return await _nodes(info, self, "BUILDS", "out")


@node_type(model.Need, description="A declared sharing demand.", rename={"id": "need_id"})
class Need(Node):
    @strawberry.field(description="The departments or systems declaring the need (NEEDS).")
    async def requesters(self, info: Ctx) -> list[Node]:
        return await _nodes(info, self, "NEEDS", "in")

    @strawberry.field(description="The datasets or data elements needed (FOR).")
    async def targets(self, info: Ctx) -> list[Node]:
        return await _nodes(info, self, "FOR", "out")


@node_type(
    model.SharingRequest,
    description="共享申请: a sharing request and the provider's reply.",
    rename={"id": "request_id"},
)
class SharingRequest(Node):
    @strawberry.field(description="The requesting department (REQUESTS).")
    async def requester(self, info: Ctx) -> typing.Optional["Department"]:
        found = await _nodes(info, self, "REQUESTS", "in")
        return found[0] if found else None

    @strawberry.field(description="The department asked (ADDRESSED_TO).")
    async def provider(self, info: Ctx) -> typing.Optional["Department"]:
        found = await _nodes(info, self, "ADDRESSED_TO", "out")
        return found[0] if found else None

    @strawberry.field(description="The dataset or data element asked for (FOR).")
    async def target(self, info: Ctx) -> Node | None:
        found = await _nodes(info, self, "FOR", "out")
        return found[0] if found else None


@node_type(model.ImportBatch, description="The provenance record of one load.", rename={"id": "batch_id"})
class ImportBatch(Node):
    """Its properties only: what a load recorded."""


@strawberry.type(description="A reviewer's decision on a finding (confirmed or dismissed, with the reason).")
class Review(Node):
    finding: str
    rule: str
    decision: str
    reason: str
    fingerprint: str
    message: str | None = None
    subjects: list[str] = dataclasses.field(default_factory=list)

    @strawberry.field(description="The entries the reviewed finding names (REVIEWS).")
    async def reviews(self, info: Ctx) -> list[Node]:
        return await _nodes(info, self, "REVIEWS", "out")


NODE_TYPES: dict[str, type[Node]] = {
    "Department": Department,
    "System": System,
    "Dataset": Dataset,
    "Field": Field,
    "DataElement": DataElement,
    "Interface": Interface,
    "Project": Project,
    "Need": Need,
    "SharingRequest": SharingRequest,
    "ImportBatch": ImportBatch,
    "Review": Review,
}
