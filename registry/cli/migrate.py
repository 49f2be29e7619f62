"""``registry export`` and the restore half of ``registry import``: moving a whole registry
between stores (embedded file <-> Neo4j) without losing provenance or history.

An export is a native document: the live graph as readable sections, plus a ``records``
section holding the store verbatim. Importing such a document into an empty store restores
the records exactly; into a store that already holds a registry, it is imported as an
ordinary declaration (its graph sections), since two histories cannot be merged exactly.
"""

from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console

from registry import importers
from registry.cli.context import open_service, operator, store_option
from registry.cli.exports import export_format
from registry.exporters import EXPORTS
from registry.importers.documents import YAML_SUFFIXES
from registry.service import Caller, Declaration, InvalidInput, RegistryService

DOCUMENT_SUFFIXES = (".json", *YAML_SUFFIXES)


def restorable(service: RegistryService, declarations: Sequence[Declaration]) -> int | None:
    """Which of the files, all read and validated already, to restore rather than import:
    the first export (a ``records`` section) when the store is empty. Only one can be: a
    second would meet a store that is no longer empty, and is imported as a declaration."""
    first = next((i for i, d in enumerate(declarations) if d.records is not None), None)
    if first is None or not service.is_empty():
        return None
    return first


def restore_export(
    service: RegistryService,
    caller: Caller,
    path: Path,
    declaration: Declaration,
    *,
    dry_run: bool,
    console: Console,
) -> None:
    """Restore an export's records exactly; everything is checked before the one write.
    The file was parsed and validated once, with every other file of the import."""
    if declaration.records is None:
        raise InvalidInput(f"{path} has no records section to restore; import it as a declaration instead")
    if declaration.errors:
        raise InvalidInput(f"{path}: an export with invalid values cannot be restored exactly; nothing was written")
    records = importers.records_of(declaration.records)
    shown = ", ".join(f"{n} {kind}" for kind, n in records.counts().items())
    if dry_run:
        message = f"would restore {path} into the empty store {service.location}: {shown}"
    else:
        service.restore(caller, records.nodes, records.edges, records.history)
        message = f"restored {path} into {service.location}: {shown} (provenance and history kept)"
    console.print(message, markup=False, highlight=False, soft_wrap=True)


@click.command("export")
@click.argument("file", type=click.Path(writable=True, path_type=Path))
@click.option(
    "--no-records",
    is_flag=True,
    help="Write only the live graph as a declaration (no provenance, history or retired entries).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["native", *EXPORTS], case_sensitive=False),
    default="native",
    show_default=True,
    help="native, or a format for graph tools and open-data portals (docs/interop.md).",
)
@click.option("--department", help="Export only this department's part (its 统一社会信用代码).")
@click.option("--clearance", help="Export what a caller of this clearance may see (public, secret, ...).")
@store_option
def export_command(file: Path, no_records: bool, fmt: str, department: str | None, clearance: str | None) -> None:
    """Write the whole registry to FILE as a native document (JSON, or YAML for .yaml/.yml).

    With its records section (the default), `registry import FILE` into an empty store,
    embedded or Neo4j, restores the registry exactly, provenance and history included.
    Other formats (--format) write what docs/interop.md describes; neo4j-csv writes a folder.
    """
    if fmt.lower() != "native":
        export_format(fmt.lower(), file, department, clearance)
        return
    if file.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise click.BadParameter(
            f"name it .json, .yaml or .yml, not {file.suffix or 'without a suffix'}", param_hint="FILE"
        )
    service = open_service()
    try:
        document = importers.export_document(service.rows(operator()), records=not no_records)
    finally:
        service.close()
    try:
        importers.write_document(document, file)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from None
    records = document.get("records") or {}
    shown = (
        ", ".join(f"{len(records.get(k) or [])} {k}" for k in ("nodes", "edges", "history")) or "graph sections only"
    )
    Console().print(
        f"exported {service.location} to {file}: {shown or 'graph sections only'}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
