"""Read queries: single nodes by key, filtered connections, stats.

Every filter is handed to the service (``find``/``count``, or ``find_linked`` when the
list is restricted to one department or dataset), which applies the caller's clearance
before paging and counting, so pages, counts and searches agree with each other.
"""

from typing import Any

import strawberry

from registry.graphql.analyses import AnalysisQuery
from registry.graphql.catalogue import CatalogueQuery, SubscriptionQuery, TimelineQuery
from registry.graphql.connection import Connection, connection, decode_cursor, page_size
from registry.graphql.dashboard import DashboardQuery
from registry.graphql.entry import EntryQuery
from registry.graphql.enums import (
    DataType,
    DepartmentLevel,
    InterfaceKind,
    Network,
    ProjectStage,
    ResourceCategory,
    SecrecyLevel,
    ShareType,
    SystemStatus,
)
from registry.graphql.explore import ExploreQuery
from registry.graphql.findings import FindingsQuery
from registry.graphql.nodes import (
    Ctx,
    DataElement,
    Dataset,
    Department,
    Field,
    ImportBatch,
    Interface,
    N,
    Need,
    Node,
    Project,
    System,
    node_of,
)
from registry.graphql.reviews import ReviewQuery
from registry.schema.model import field_key
from registry.schema.records import NodeRef


@strawberry.type
class LabelCount:
    name: str
    count: int


@strawberry.type(description="How many nodes of each label and edges of each type the caller may see.")
class Stats:
    nodes: list[LabelCount]
    edges: list[LabelCount]


def _list(
    info: Ctx,
    label: str,
    *,
    first: int | None,
    after: str | None,
    search: str | None,
    where: dict[str, Any],
    anchor: tuple[str, str | None, str] | None = None,
) -> Connection[Any]:
    """``anchor`` is (anchor label, anchor key or None for no restriction, edge type)."""
    service, caller = info.context.service, info.context.caller
    size = page_size(first)
    start = decode_cursor(after)
    if anchor is not None and anchor[1] is not None:
        ref, edge_type = NodeRef(anchor[0], anchor[1]), anchor[2]
        records = service.find_linked(
            caller, label, ref, edge_type, where=where, text=search, after=start, limit=size + 1
        )

        def counter() -> int:
            return service.count_linked(caller, label, ref, edge_type, where=where, text=search)

    else:
        records = service.find(caller, label, where=where, text=search, after=start, limit=size + 1)

        def counter() -> int:
            return service.count(caller, label, where=where, text=search)

    info.context.charge(min(len(records), size))
    return connection([(r.key, node_of(r)) for r in records], size, counter)


def _get(info: Ctx, kind: type[N], key: str) -> N:
    """The node of type ``kind`` (named as its label) with this key, or NotFound."""
    node = node_of(info.context.service.get(info.context.caller, kind.__name__, key))
    assert isinstance(node, kind)
    return node


@strawberry.type
class Query(
    AnalysisQuery,
    CatalogueQuery,
    TimelineQuery,
    SubscriptionQuery,
    DashboardQuery,
    FindingsQuery,
    ExploreQuery,
    EntryQuery,
    ReviewQuery,
):
    @strawberry.field(description="A department by its 统一社会信用代码.")
    def department(self, info: Ctx, code: str) -> Department | None:
        return _get(info, Department, code)

    @strawberry.field(description="A system by its code.")
    def system(self, info: Ctx, code: str) -> System | None:
        return _get(info, System, code)

    @strawberry.field(description="A dataset by its 信息资源代码.")
    def dataset(self, info: Ctx, resource_code: str) -> Dataset | None:
        return _get(info, Dataset, resource_code)

    @strawberry.field(description="A field by its dataset's resource code and its name.")
    def field(self, info: Ctx, dataset: str, name: str) -> Field | None:
        return _get(info, Field, field_key(dataset, name))

    @strawberry.field
    def data_element(self, info: Ctx, code: str) -> DataElement | None:
        return _get(info, DataElement, code)

    @strawberry.field
    def interface(self, info: Ctx, code: str) -> Interface | None:
        return _get(info, Interface, code)

    @strawberry.field
    def project(self, info: Ctx, code: str) -> Project | None:
        return _get(info, Project, code)

    @strawberry.field
    def need(self, info: Ctx, id: str) -> Need | None:
        return _get(info, Need, id)

    @strawberry.field
    def import_batch(self, info: Ctx, id: str) -> ImportBatch | None:
        return _get(info, ImportBatch, id)

    @strawberry.field(description="Every node with this key, whatever its label.")
    def lookup(self, info: Ctx, key: str) -> list[Node]:
        return [node_of(r) for r in info.context.service.lookup(info.context.caller, key)]

    @strawberry.field
    def departments(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        level: DepartmentLevel | None = None,
        region: str | None = None,
    ) -> Connection[Department]:
        return _list(
            info, "Department", first=first, after=after, search=search, where={"level": level, "region": region}
        )

    @strawberry.field
    def systems(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        department: str | None = None,
        network: Network | None = None,
        secrecy_level: SecrecyLevel | None = None,
        status: SystemStatus | None = None,
    ) -> Connection[System]:
        where = {"network": network, "secrecy_level": secrecy_level, "status": status}
        return _list(
            info,
            "System",
            first=first,
            after=after,
            search=search,
            where=where,
            anchor=("Department", department, "OPERATES"),
        )

    @strawberry.field
    def datasets(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        department: str | None = None,
        share_type: ShareType | None = None,
        secrecy_level: SecrecyLevel | None = None,
        category: ResourceCategory | None = None,
        open_to_public: bool | None = None,
    ) -> Connection[Dataset]:
        where = {
            "share_type": share_type,
            "secrecy_level": secrecy_level,
            "category": category,
            "open_to_public": open_to_public,
        }
        return _list(
            info,
            "Dataset",
            first=first,
            after=after,
            search=search,
            where=where,
            anchor=("Department", department, "PROVIDES"),
        )

    @strawberry.field
    def fields(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        dataset: str | None = None,
        data_type: DataType | None = None,
    ) -> Connection[Field]:
        return _list(
            info,
            "Field",
            first=first,
            after=after,
            search=search,
            where={"data_type": data_type},
            anchor=("Dataset", dataset, "HAS_FIELD"),
        )

    @strawberry.field
    def data_elements(
        self, info: Ctx, first: int | None = None, after: str | None = None, search: str | None = None
    ) -> Connection[DataElement]:
        return _list(info, "DataElement", first=first, after=after, search=search, where={})

    @strawberry.field
    def interfaces(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        network: Network | None = None,
        kind: InterfaceKind | None = None,
    ) -> Connection[Interface]:
        return _list(
            info, "Interface", first=first, after=after, search=search, where={"network": network, "kind": kind}
        )

    @strawberry.field
    def projects(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        department: str | None = None,
        stage: ProjectStage | None = None,
    ) -> Connection[Project]:
        return _list(
            info,
            "Project",
            first=first,
            after=after,
            search=search,
            where={"stage": stage},
            anchor=("Department", department, "LED_BY"),
        )

    @strawberry.field
    def needs(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        department: str | None = None,
    ) -> Connection[Need]:
        return _list(
            info, "Need", first=first, after=after, search=search, where={}, anchor=("Department", department, "NEEDS")
        )

    @strawberry.field
    def import_batches(
        self, info: Ctx, first: int | None = None, after: str | None = None, search: str | None = None
    ) -> Connection[ImportBatch]:
        return _list(info, "ImportBatch", first=first, after=after, search=search, where={})

    @strawberry.field
    def stats(self, info: Ctx) -> Stats:
        counts = info.context.service.stats(info.context.caller)
        return Stats(
            nodes=[LabelCount(name=k, count=v) for k, v in counts["nodes"].items()],
            edges=[LabelCount(name=k, count=v) for k, v in counts["edges"].items()],
        )
