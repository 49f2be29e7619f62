"""Finding one's way around the catalogue: search across kinds with facets, and
autocomplete. Every answer comes from the service for the caller, so hidden entries are
neither listed nor counted."""

import strawberry

from registry.graphql.nodes import Ctx
from registry.service import search as searching


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


@strawberry.type
class CatalogueQuery:
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
