"""Finding one's way around the catalogue: search across kinds with facets, and
autocomplete. Every answer comes from the service for the caller, so hidden entries are
neither listed nor counted."""

from datetime import datetime
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from registry.graphql.enums import NodeKind
from registry.graphql.mutations import WriteResult, write_result
from registry.graphql.nodes import Ctx
from registry.i18n import ENUM_LABELS
from registry.schema.records import NodeRef
from registry.service import browse as browsing
from registry.service import changes as feed
from registry.service import search as searching
from registry.service import subscriptions as hooks
from registry.service import timeline
from registry.service.freshness import report_data_update, report_interface_update


@strawberry.type(description="One search hit: the entry, its owning department and where the query matched.")
class SearchHit:
    kind: str
    key: str
    name: str
    score: float
    department: str | None
    department_name: str | None
    matched: str


@strawberry.type(description="How many hits have one value of a facet.")
class FacetValue:
    value: str
    count: int


@strawberry.type(description="Counts of the hits by one property (department, category, share type, ...).")
class Facet:
    name: str
    values: list[FacetValue]


@strawberry.type(description="Ranked hits (one page), their total and facet counts over all of them.")
class SearchResult:
    total_count: int
    hits: list[SearchHit]
    facets: list[Facet]
    end_cursor: str | None


@strawberry.input(description="Narrow a search to one value of a facet.")
class FacetFilter:
    name: str
    value: str


def _hit(hit: searching.Hit) -> SearchHit:
    return SearchHit(
        kind=hit.label,
        key=hit.key,
        name=hit.name,
        score=hit.score,
        department=hit.department,
        department_name=hit.department_name,
        matched=hit.matched,
    )


@strawberry.type(description="The standard labels of one enumeration value, for dashboards to show.")
class EnumLabel:
    enum: str
    value: str
    zh: str
    en: str


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Chinese and English labels of every enumeration value the API returns.")
    def enum_labels(self) -> list[EnumLabel]:
        return [
            EnumLabel(enum=enum.__name__, value=value, zh=zh, en=en)
            for enum, labels in ENUM_LABELS.items()
            for value, (zh, en) in labels.items()
        ]

    @strawberry.field(
        description="Search names, codes, abstracts, descriptions and synonyms across kinds "
        f"({', '.join(searching.SEARCH_LABELS)}), ranked, with facets ({', '.join(searching.FACETS)})."
    )
    def search(
        self,
        info: Ctx,
        query: str,
        kinds: list[str] | None = None,
        filters: list[FacetFilter] | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SearchResult:
        result = searching.search(
            info.context.service,
            info.context.caller,
            query,
            kinds=kinds,
            filters={f.name: f.value for f in filters or ()},
            first=first,
            after=after,
        )
        return SearchResult(
            total_count=result.total,
            hits=[_hit(h) for h in result.hits],
            facets=[
                Facet(name=name, values=[FacetValue(value=v, count=n) for v, n in values.items()])
                for name, values in result.facets.items()
            ],
            end_cursor=result.next_cursor,
        )

    @strawberry.field(description="Autocomplete: entries whose name starts with (then contains) the text.")
    def suggest(self, info: Ctx, text: str, limit: int = 10) -> list[SearchHit]:
        return [_hit(h) for h in searching.suggest(info.context.service, info.context.caller, text, limit=limit)]


@strawberry.type(description="One change in the registry: who, when, which file and batch, what.")
class ChangeEntry:
    at: str
    by: str
    source: str
    batch: str
    op: str = strawberry.field(description="created, updated, retired or revived")
    kind: str
    key: str
    name: str | None
    department: str | None
    subject: str
    changes: JSON = strawberry.field(description="Each changed property with [old, new].")


@strawberry.type(description="An entry's properties as they stood at a time, rebuilt from history.")
class Snapshot:
    kind: str
    key: str
    live: bool
    as_of: str
    properties: JSON


@strawberry.type(description="A 信息项 added, removed or changed between two dates or batches.")
class FieldChange:
    name: str
    key: str
    change: str
    properties: JSON


@strawberry.enum(description="Which tree to browse.")
class Tree(Enum):
    CATEGORY = "category"
    DEPARTMENT = "department"


@strawberry.type(description="A node of a browse tree: its children and datasets, with counts.")
class BrowseNode:
    path: str
    name: str
    level: str
    count: int
    children: JSON
    datasets: JSON


@strawberry.type
class TimelineQuery:
    @strawberry.field(
        description="Browse the classification tree (基础/主题/部门, 类/项/目/细目) or the department tree; "
        "path is a category-code prefix or a department code (empty for the root)."
    )
    def browse(self, info: Ctx, tree: Tree = Tree.CATEGORY, path: str = "") -> BrowseNode:
        context = info.context
        if tree is Tree.CATEGORY:
            node = browsing.browse_categories(context.service, context.caller, path)
        else:
            node = browsing.browse_departments(context.service, context.caller, path or None)
        return BrowseNode(**node.as_dict())

    @strawberry.field(description="What changed between two times (dates, date-times), oldest first.")
    def changes(
        self,
        info: Ctx,
        since: str,
        until: str | None = None,
        department: str | None = None,
        kinds: list[str] | None = None,
        first: int = 1000,
    ) -> list[ChangeEntry]:
        found = feed.changes(
            info.context.service,
            info.context.caller,
            since=since,
            until=until,
            department=department,
            kinds=kinds,
            limit=first,
        )
        return [ChangeEntry(**c.as_dict()) for c in found]

    @strawberry.field(description="An entry as it stood at a date, date-time or import batch.")
    def entry_as_of(self, info: Ctx, kind: NodeKind, key: str, as_of: str) -> Snapshot:
        snap = timeline.as_of(info.context.service, info.context.caller, NodeRef(kind.value, key), as_of)
        return Snapshot(
            kind=snap.label, key=snap.key, live=snap.live, as_of=snap.as_of, properties=cast(JSON, snap.props)
        )

    @strawberry.field(description="信息项 of a dataset added, removed or changed between two dates or batches.")
    def field_changes(
        self, info: Ctx, dataset: str, to: str, from_: Annotated[str, strawberry.argument(name="from")]
    ) -> list[FieldChange]:
        found = timeline.field_changes(info.context.service, info.context.caller, dataset, from_, to)
        return [
            FieldChange(name=c.name, key=c.key, change=c.change, properties=cast(JSON, c.properties)) for c in found
        ]


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="Report that a dataset's data was updated (now, or at the given time).")
    def report_data_update(self, info: Ctx, dataset: str, at: datetime | None = None) -> WriteResult:
        context = info.context
        report = report_data_update(context.service, context.caller, dataset, at, source="graphql:reportDataUpdate")
        return write_result(info, report, [NodeRef("Dataset", dataset)])

    @strawberry.mutation(
        description="An interface reports that it delivered data (now, or at the given time): recorded on "
        "the interface and on the datasets exposed through it, with the checks of any write (an editor "
        "reports only for its own department's interfaces, e.g. with the token of the system behind it)."
    )
    def report_interface_update(self, info: Ctx, interface: str, at: datetime | None = None) -> WriteResult:
        context = info.context
        report = report_interface_update(
            context.service, context.caller, interface, at, source="graphql:reportInterfaceUpdate"
        )
        return write_result(info, report, [NodeRef("Interface", interface)])


@strawberry.type(description="A webhook subscription (its secret is shown only when it is created).")
class SubscriptionInfo:
    id: str
    target_kind: str
    target: str
    events: list[str]
    url: str
    created: str
    deliveries: JSON = strawberry.field(description="The delivery log: each call, its attempts and outcome.")


@strawberry.type(description="A new subscription and the secret that signs its deliveries (shown once).")
class SubscriptionCreated:
    subscription: SubscriptionInfo
    secret: str


def _info(book: hooks.SubscriptionBook, subscription: hooks.Subscription) -> SubscriptionInfo:
    return SubscriptionInfo(
        id=subscription.id,
        target_kind=subscription.target_kind,
        target=subscription.target,
        events=subscription.events,
        url=subscription.url,
        created=subscription.created,
        deliveries=cast(JSON, [d.__dict__ for d in book.deliveries([subscription.id])]),
    )


@strawberry.type
class SubscriptionQuery:
    @strawberry.field(description="The caller's own webhook subscriptions with their delivery logs.")
    def my_subscriptions(self, info: Ctx) -> list[SubscriptionInfo]:
        book = hooks.book_for(info.context.service)
        return [_info(book, s) for s in book.of(info.context.caller.identity)]


@strawberry.type
class SubscriptionMutation:
    @strawberry.mutation(
        description="Subscribe a webhook to an entry (Label:key), a department or a data element; "
        f"events: {', '.join(hooks.EVENTS)} (default all)."
    )
    def subscribe(
        self, info: Ctx, target_kind: str, target: str, url: str, events: list[str] | None = None
    ) -> SubscriptionCreated:
        context = info.context
        book = hooks.book_for(context.service)
        created, secret = hooks.subscribe(
            context.service, context.caller, book, target_kind=target_kind, target=target, url=url, events=events
        )
        return SubscriptionCreated(subscription=_info(book, created), secret=secret)

    @strawberry.mutation(description="Remove one of the caller's subscriptions.")
    def unsubscribe(self, info: Ctx, id: str) -> bool:
        hooks.book_for(info.context.service).remove(id, info.context.caller.identity)
        return True
