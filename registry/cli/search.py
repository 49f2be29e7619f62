"""``registry search TEXT``: one search box over every kind of entry, with facets."""

import json
from enum import Enum

import click
from rich.console import Console
from rich.table import Table

from registry.cli.context import open_service, operator, store_option
from registry.i18n import label_of, t, t_or
from registry.schema.enums import Network, ResourceCategory, SecrecyLevel, ShareType, UpdateCycle
from registry.service import InvalidInput
from registry.service.search import FACETS, SEARCH_LABELS, SearchResult, as_dict, search


@click.command("search")
@click.argument("text")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(SEARCH_LABELS), help="Only these kinds (repeatable).")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FACET=VALUE",
    help=f"Only hits with this facet value (repeatable); facets: {', '.join(FACETS)}.",
)
@click.option("--first", default=20, show_default=True, type=click.IntRange(1, 200), help="Hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Hits and facets as JSON.")
@store_option
def search_command(text: str, kinds: tuple[str, ...], filters: tuple[str, ...], first: int, as_json: bool) -> None:
    """Search departments, systems, datasets, fields, data elements and projects by name,
    code, abstract or synonym (Chinese or not), ranked, with facet counts."""
    wanted: dict[str, str] = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FACET=VALUE", param_hint="--filter")
        wanted[name.strip()] = value.strip()
    service = open_service()
    try:
        result = search(service, operator(), text, kinds=kinds or None, filters=wanted, first=first)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(as_dict(result), ensure_ascii=False, indent=2))
        return
    console = Console()
    if not result.hits:
        console.print(t("none_found", title=t("search.title", text=text)))
        return
    table = Table(title=t("search.results", text=text, total=result.total), title_justify="left")
    for column in ("kind", "key", "name", "department"):
        table.add_column(t_or(f"search.col.{column}", column), overflow="fold")
    for hit in result.hits:
        table.add_row(t_or(f"label.{hit.label}", hit.label), hit.key, hit.name, hit.department_name or "")
    console.print(table)
    for name, values in result.facets.items():
        shown = ", ".join(f"{_facet_value(result, name, value)} ({count})" for value, count in list(values.items())[:8])
        console.print(f"  {t_or(f'facet.{name}', name)}: {shown}", highlight=False)


FACET_ENUMS: dict[str, type[Enum]] = {
    "category": ResourceCategory,
    "share_type": ShareType,
    "update_cycle": UpdateCycle,
    "network": Network,
    "secrecy_level": SecrecyLevel,
}


def _facet_value(result: SearchResult, facet: str, value: str) -> str:
    if facet == "department":
        return result.department_names.get(value, value)
    if facet == "kind":
        return t_or(f"label.{value}", value)
    enum = FACET_ENUMS.get(facet)
    return label_of(enum, value) if enum else value
