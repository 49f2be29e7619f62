"""``registry duplicates | gaps | check | lineage``: the analyses from the command line.

Each runs on the operator's visible projection (``service.graph(caller)``) and prints a
table, or ``--json`` (the findings' ``to_dict``) or ``--csv`` (the table's columns plus
the evidence as JSON) for scripts and spreadsheets.
"""

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table

from registry.analysis.duplicates import Proposal, check_proposal, find_duplicates
from registry.analysis.findings import Serialisable
from registry.analysis.gaps import KINDS, sharing_gaps, sharing_matrix
from registry.analysis.lineage import impact, lineage
from registry.analysis.placement import placement_findings
from registry.cli.context import open_service, operator, store_option
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService

Column = tuple[str, Callable[[dict[str, Any]], Any]]


def _output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--csv", "as_csv", is_flag=True, help="Write CSV (table columns plus evidence).")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Write the findings as JSON.")(func)
    return store_option(func)


def emit(title: str, findings: Sequence[Serialisable], columns: Sequence[Column], as_json: bool, as_csv: bool) -> None:
    rows = [f.to_dict() for f in findings]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow([name for name, _ in columns] + ["evidence"])
        for row in rows:
            writer.writerow(
                [_cell(get(row)) for _, get in columns] + [json.dumps(row.get("evidence", {}), ensure_ascii=False)]
            )
        return
    console = Console()
    if not rows:
        console.print(f"{title}: none found")
        return
    table = Table(title=f"{title} ({len(rows)})", show_lines=False)
    for name, _ in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(get(row)) for _, get in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


DUPLICATE_COLUMNS: list[Column] = [
    ("score", lambda r: f"{r['score']:.2f}"),
    ("members", lambda r: [f"{m['key']} {m['name']}" for m in r["members"]]),
    ("departments", lambda r: r["evidence"]["departments"]),
    ("projects", lambda r: r["evidence"]["projects"]),
    ("parts", lambda r: " ".join(f"{k}={v:.2f}" for k, v in r["evidence"]["parts"].items())),
    ("shared data", lambda r: [e["name"] for e in r["shared"][:8]] + (["…"] if len(r["shared"]) > 8 else [])),
]
MATCH_COLUMNS: list[Column] = [
    ("score", lambda r: f"{r['score']:.2f}"),
    ("existing system", lambda r: f"{r['b']['key']} {r['b']['name']}"),
    ("department", lambda r: r["b"]["department_name"]),
    ("parts", lambda r: " ".join(f"{k}={v:.2f}" for k, v in r["parts"].items())),
    ("shared data", lambda r: [e["name"] for e in r["shared"][:8]]),
]
GAP_COLUMNS: list[Column] = [
    ("kind", lambda r: r["kind"]),
    ("subject", lambda r: f"{r['subject_label']} {r['subject']}"),
    ("department", lambda r: r["department_name"]),
    ("finding", lambda r: r["message"]),
]
PLACEMENT_COLUMNS: list[Column] = [
    ("rule", lambda r: r["rule"]),
    ("severity", lambda r: r["severity"]),
    ("system", lambda r: f"{r['system']} {r['system_name']}"),
    ("department", lambda r: r["department_name"]),
    ("secrecy", lambda r: r["secrecy_level"]),
    ("network", lambda r: r["network"]),
    ("action", lambda r: r["action"]),
]
LINEAGE_COLUMNS: list[Column] = [
    ("direction", lambda r: r["direction"]),
    ("depth", lambda r: r["depth"]),
    ("field", lambda r: r["field_name"]),
    ("dataset", lambda r: f"{r['dataset']} {r['dataset_name']}"),
    ("department", lambda r: r["department_name"]),
    ("via", lambda r: r["via"]),
    ("processing", lambda r: r["processing_method"]),
]


@click.command("duplicates")
@click.option("--kind", type=click.Choice(["system", "dataset"]), default="system", show_default=True)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Score needed (default 0.45 for systems, 0.55 for datasets).",
)
@click.option(
    "--proposal",
    type=click.File(encoding="utf-8"),
    default=None,
    help="Check a planned system (JSON: "
    "name, description, functions, fields, department) against the existing ones instead.",
)
@_output_options
def duplicates_command(kind: str, threshold: float | None, proposal: Any, as_json: bool, as_csv: bool) -> None:
    """Systems or datasets that different departments or projects built twice."""
    service = open_service()
    graph = service.graph(operator())
    if proposal is not None:
        try:
            plan = Proposal(**json.load(proposal))
        except (ValueError, TypeError) as exc:
            raise click.ClickException(
                f"the proposal must be a JSON object with name, description, functions, fields: {exc}"
            ) from None
        emit(
            "existing systems the proposal would duplicate",
            check_proposal(graph, plan, threshold=threshold),
            MATCH_COLUMNS,
            as_json,
            as_csv,
        )
        return
    found = find_duplicates(graph, kind=kind.capitalize(), threshold=threshold)
    emit(f"duplicate {kind}s", found, DUPLICATE_COLUMNS, as_json, as_csv)


@click.command("gaps")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only gaps of this kind.")
@click.option("--department", default=None, help="Only gaps concerning this department (code).")
@click.option("--matrix", is_flag=True, help="Print the department x department sharing matrix instead.")
@_output_options
def gaps_command(kind: str | None, department: str | None, matrix: bool, as_json: bool, as_csv: bool) -> None:
    """Needs nobody meets or that policy or the network blocks, unused data, incomplete items."""
    service = open_service()
    graph = service.graph(operator())
    if matrix:
        result = sharing_matrix(graph)
        names = {d["code"]: d["name"] for d in result.departments}
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        rows = [(names[p], names[c], n) for p, row in result.counts.items() for c, n in row.items()]
        if as_csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(["provider", "consumer", "datasets"])
            writer.writerows(rows)
            return
        table = Table(title=f"datasets shared between departments ({result.total()})")
        for column in ("provider", "consumer", "datasets"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(v) for v in row))
        Console().print(table)
        return
    emit("sharing gaps", sharing_gaps(graph, kind=kind, department=department), GAP_COLUMNS, as_json, as_csv)


@click.command("check")
@_output_options
def check_command(as_json: bool, as_csv: bool) -> None:
    """Network placement (NET-1..NET-5) and catalogue completeness (SHR-1); exits 1 when
    anything is found, so it can gate a pipeline."""
    service = open_service()
    graph = service.graph(operator())
    placement = placement_findings(graph)
    incomplete = sharing_gaps(graph, kind="incomplete_item")
    if as_json:
        payload = {"placement": [f.to_dict() for f in placement], "completeness": [g.to_dict() for g in incomplete]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        emit("network placement", placement, PLACEMENT_COLUMNS, False, as_csv)
        if not as_csv:
            emit("catalogue completeness (SHR-1)", incomplete, GAP_COLUMNS, False, False)
    if placement or incomplete:
        sys.exit(1)


@click.command("lineage")
@click.argument("key")
@click.option("--up", "direction", flag_value="up", help="Only where the data came from.")
@click.option("--down", "direction", flag_value="down", help="Only what is derived from it.")
@click.option("--depth", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option("--impact", "show_impact", is_flag=True, help="What breaks if this system or dataset goes away.")
@_output_options
def lineage_command(
    key: str, direction: str | None, depth: int, show_impact: bool, as_json: bool, as_csv: bool
) -> None:
    """Upstream and downstream of a field, dataset or system (by key or name)."""
    service = open_service()
    caller = operator()
    ref = resolve(service, caller, key)
    graph = service.graph(caller)
    try:
        if show_impact:
            result = impact(graph, ref)
            if as_json or as_csv:
                click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            else:
                Console().print(result.message)
                for label, values in (
                    ("datasets lost", result.datasets_lost),
                    ("derived datasets", result.derived_datasets),
                    ("systems", result.systems),
                    ("needs", result.needs),
                ):
                    Console().print(f"  {label}: {', '.join(values) or '-'}")
                Console().print(f"  departments: {', '.join(d['name'] for d in result.departments) or '-'}")
            return
        result = lineage(graph, ref, direction=direction or "both", depth=depth)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    emit(f"lineage of {ref}", result.steps, LINEAGE_COLUMNS, False, as_csv)


def findings_report(service: RegistryService, caller: Caller) -> RenderableType | None:
    """What the analyses find, as a block for ``registry demo``."""
    graph = service.graph(caller)
    duplicates = find_duplicates(graph, kind="System") + find_duplicates(graph, kind="Dataset")
    gaps = [g for g in sharing_gaps(graph) if g.kind != "incomplete_item"]
    placement = placement_findings(graph)
    if not (duplicates or gaps or placement):
        return None
    lines: list[RenderableType] = [
        f"[bold]What the analyses found[/bold]: {len(duplicates)} duplicate groups, {len(gaps)} sharing gaps, "
        f"{len(placement)} placement findings"
    ]
    lines += [f"  - {f.message}" for f in [*duplicates[:3], *gaps[:5], *placement[:5]]]
    lines.append("  details: registry duplicates | registry gaps | registry check")
    return Group(*lines)


LINEAGE_LABELS = ("Field", "Dataset", "System")


def resolve(service: RegistryService, caller: Caller, key: str) -> NodeRef:
    """A field, dataset or system by exact key, else by exact name."""
    hits = [r.ref for r in service.lookup(caller, key) if r.label in LINEAGE_LABELS]
    if not hits:
        hits = [
            r.ref
            for label in LINEAGE_LABELS
            for r in service.find(caller, label, text=key, limit=20)
            if r.props.get("name") == key
        ]
    if len(hits) != 1:
        found = ", ".join(str(h) for h in hits) if hits else "nothing"
        raise click.ClickException(f"{key!r} must name exactly one field, dataset or system; found {found}")
    return hits[0]
