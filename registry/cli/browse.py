"""``registry browse``: the classification tree or the department tree, with counts."""

import json

import click
from rich.console import Console
from rich.table import Table

from registry.cli.context import open_service, operator, store_option
from registry.i18n import t
from registry.service import InvalidInput, NotFound
from registry.service.browse import browse_categories, browse_departments


@click.command("browse")
@click.argument("path", default="")
@click.option("--departments", is_flag=True, help="Browse the department tree (PATH: a department code).")
@click.option("--json", "as_json", is_flag=True)
@store_option
def browse_command(path: str, departments: bool, as_json: bool) -> None:
    """The catalogue classification (基础/主题/部门信息资源, 类/项/目/细目 by category code)
    or the department tree; PATH goes one level down."""
    service = open_service()
    try:
        node = (
            browse_departments(service, operator(), path or None)
            if departments
            else browse_categories(service, operator(), path)
        )
    except (InvalidInput, NotFound) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(node.as_dict(), ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(f"[bold]{node.name}[/bold] {node.path} {node.level}  {t('browse.count', n=node.count)}")
    if node.children:
        table = Table(show_header=True)
        for column in ("path", "name", "count"):
            table.add_column(t(f"browse.col.{column}"), overflow="fold")
        for child in node.children:
            table.add_row(child["path"], child["name"], str(child["count"]))
        console.print(table)
    for dataset in node.datasets:
        console.print(f"  {dataset['key']}  {dataset['name']}", highlight=False)
