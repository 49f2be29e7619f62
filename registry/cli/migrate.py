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
from registry.cli.context import open_service, store_option
from registry.importers.documents import YAML_SUFFIXES
from registry.service.errors import InvalidInput
from registry.store.base import Store

DOCUMENT_SUFFIXES = (".json", *YAML_SUFFIXES)


def _is_empty(store: Store) -> bool:
    return next(iter(store.iter_nodes(include_retired=True)), None) is None


def restore_exports(paths: Sequence[Path], *, dry_run: bool, console: Console) -> list[Path]:
    """Restore the files that are exports (a ``records`` section) when the store is empty;
    return the paths left for the ordinary import. Only one export can be restored: a
    second one would meet a store that is no longer empty."""
    exports = [p for p in paths if p.suffix.lower() in DOCUMENT_SUFFIXES and _records_of(p)]
    if not exports:
        return list(paths)
    store = open_service(create=True).store
    try:
        return _restore_first(store, paths, exports[0], dry_run=dry_run, console=console)
    finally:
        store.close()


def _restore_first(store: Store, paths: Sequence[Path], chosen: Path, *, dry_run: bool, console: Console) -> list[Path]:
    if not _is_empty(store):
        return list(paths)
    if dry_run:
        records = importers.read_document(chosen)["records"]
        shown = ", ".join(f"{len(records.get(k) or [])} {k}" for k in ("nodes", "edges", "history"))
        console.print(f"would restore {chosen} into the empty store {store.url}: {shown}", markup=False, soft_wrap=True)
    else:
        try:
            counts = importers.restore_document(store, chosen)
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from None
        shown = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        console.print(
            f"restored {chosen} into {store.url}: {shown} (provenance and history kept)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return [p for p in paths if p != chosen]


def _records_of(path: Path) -> bool:
    try:
        return importers.has_records(importers.read_document(path))
    except InvalidInput:
        return False


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--no-records",
    is_flag=True,
    help="Write only the live graph as a declaration (no provenance, history or retired entries).",
)
@store_option
def export_command(file: Path, no_records: bool) -> None:
    """Write the whole registry to FILE as a native document (JSON, or YAML for .yaml/.yml).

    With its records section (the default), `registry import FILE` into an empty store,
    embedded or Neo4j, restores the registry exactly, provenance and history included.
    """
    if file.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise click.BadParameter(
            f"name it .json, .yaml or .yml, not {file.suffix or 'without a suffix'}", param_hint="FILE"
        )
    store = open_service().store
    try:
        document = importers.export_document(store, records=not no_records)
    finally:
        store.close()
    try:
        importers.write_document(document, file)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from None
    records = document.get("records") or {}
    shown = (
        ", ".join(f"{len(records.get(k) or [])} {k}" for k in ("nodes", "edges", "history")) or "graph sections only"
    )
    Console().print(
        f"exported {store.url} to {file}: {shown or 'graph sections only'}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
