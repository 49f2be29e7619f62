"""``registry template``: the blank catalogue a department fills in and sends back."""

from pathlib import Path

import click

from registry.importers.template import write_template


@click.command("template")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def template_command(file: Path) -> None:
    """Write a blank department catalogue (XLSX) with the standard headers, an instructions
    sheet and drop-down lists for every enumerated column."""
    if file.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"name it .xlsx, not {file.suffix or 'without a suffix'}", param_hint="FILE")
    try:
        write_template(file)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from None
    click.echo(str(file))
