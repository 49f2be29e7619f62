"""``registry stats``: how big the registry is, and which store and version answered."""

import click
from rich.console import Console
from rich.table import Table

from registry.cli.context import open_service, operator, store_option
from registry.i18n import t


def _counts(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, n in sorted(counts.items()):
        table.add_row(kind, str(n))
    table.add_section()
    table.add_row("total", str(sum(counts.values())), style="bold")
    return table


@click.command("stats")
@store_option
def stats_command() -> None:
    """Count entries per kind and relations per type."""
    service = open_service()
    stats = service.stats(operator())
    console = Console()
    console.print(f"store: {service.location}  version: {service.version()}", highlight=False, markup=False)
    for load in service.open_loads():
        message = t("store.open_load", source=load.source, batch=load.batch, at=load.at, by=load.by)
        console.print(message, style="yellow", highlight=False, markup=False)
    console.print(_counts("Entries", stats["nodes"]))
    console.print(_counts("Relations", stats["edges"]))
