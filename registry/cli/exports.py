"""``registry export --format F``: the registry for graph tools and open-data portals.

The CLI's operator sees everything; ``--clearance`` exports what a caller of that
clearance may see (for a public portal, ``public``), and the summary says how much was
left out: the operator may know that count, since the operator can see those entries.
"""

from pathlib import Path

import click
from rich.console import Console

from registry.cli.context import open_service, operator
from registry.exporters import EXPORTS, Selection
from registry.i18n import t
from registry.schema.enums import Clearance
from registry.service import Caller, NotFound, RegistryService
from registry.service.caller import Role


def _graph_counts(service: RegistryService, caller: Caller) -> tuple[int, int]:
    stats = service.stats(caller)
    return sum(n for k, n in stats["nodes"].items() if k != "ImportBatch"), sum(stats["edges"].values())


def _part_counts(service: RegistryService, caller: Caller, department: str | None, fmt: str) -> tuple[int, int]:
    """What the caller sees of what the format writes: the whole graph (from the cached
    stats), a department's part, or the open datasets."""
    if EXPORTS[fmt].open_only:
        if department is None:
            return service.count(caller, "Dataset", where={"open_to_public": True}), 0
        nodes = Selection(service.rows(caller), department).nodes(["Dataset"])
        return sum(1 for n in nodes if n.props.get("open_to_public") is True), 0
    if department is None:
        return _graph_counts(service, caller)
    part = Selection(service.rows(caller), department)
    return sum(1 for _ in part.nodes()), sum(1 for _ in part.edges())


def _check_target(fmt: str, target: Path) -> None:
    suffixes = EXPORTS[fmt].suffixes
    if not suffixes:
        if target.exists() and not target.is_dir():
            raise click.BadParameter(t("export.folder", format=fmt, target=target), param_hint="FILE")
    elif target.suffix.lower() not in suffixes:
        shown = ", ".join(suffixes)
        raise click.BadParameter(
            t("export.suffix", format=fmt, suffixes=shown, suffix=target.suffix or "-"), param_hint="FILE"
        )


def export_format(fmt: str, target: Path, department: str | None, clearance: str | None) -> None:
    _check_target(fmt, target)
    if EXPORTS[fmt].per_department and department is None:
        raise click.BadParameter(t("export.department_needed", format=fmt), param_hint="--department")
    service = open_service()
    try:
        me = operator()
        caller = me if clearance is None else Caller(me.identity, Role.REVIEWER, Clearance.parse(clearance))
        if department is not None:
            try:
                service.get(caller, "Department", department.strip().upper())
            except NotFound:
                raise click.ClickException(t("export.no_department", code=department)) from None
            department = department.strip().upper()
        try:
            written = EXPORTS[fmt].write(Selection(service.rows(caller), department), target)
        except OSError as exc:
            raise click.ClickException(f"{target}: {exc.strerror or exc}") from None
        console = Console()
        console.print(
            t(
                "export.written",
                location=service.location,
                target=target,
                format=fmt,
                nodes=written.nodes,
                edges=written.edges,
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if clearance is not None:
            mine = _part_counts(service, me, department, fmt)
            theirs = _part_counts(service, caller, department, fmt)
            console.print(
                t(
                    "export.left_out",
                    clearance=clearance,
                    nodes=mine[0] - theirs[0],
                    edges=mine[1] - theirs[1],
                ),
                markup=False,
                highlight=False,
            )
        for note in written.notes:
            console.print(note, markup=False, highlight=False, soft_wrap=True)
    finally:
        service.close()
