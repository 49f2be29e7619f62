"""``registry duplicates | gaps | check | lineage``: the analyses from the command line.

Each runs on the operator's visible projection (``service.graph(caller)``; duplicates on
the same entries row by row, ``service.rows(caller)``) and prints a
table, or ``--json`` (the findings' ``to_dict``) or ``--csv`` (the table's columns plus
the evidence as JSON) for scripts and spreadsheets.
"""

import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table

from registry.analysis.duplicates import Proposal, check_proposal, find_duplicates
from registry.analysis.findings import Serialisable
from registry.analysis.gaps import KINDS, sharing_gaps, sharing_matrix
from registry.analysis.lineage import Direction, impact, lineage
from registry.analysis.placement import placement_findings
from registry.analysis.policy import policy_findings
from registry.analysis.workdays import CalendarRangeError
from registry.cli.context import open_service, operator, store_option
from registry.cli.dated import policy_options, settings
from registry.cli.matrix import matrix_grid, write_matrix_xlsx
from registry.i18n import label_of, t, t_or
from registry.schema.enums import Network, SecrecyLevel
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.textsafe import safe_cell

Column = tuple[str, Callable[[dict[str, Any]], Any]]


WIDE = 1000
"""Console width with ``--wide``: tables take their natural width, nothing is folded."""


def _wide(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _ctx.find_root().meta["registry.wide"] = True


def _output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--csv", "as_csv", is_flag=True, help="Write CSV (table columns plus evidence).")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Write the findings as JSON.")(func)
    func = click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        callback=_wide,
        help="Print tables at their full width (for a wide terminal or a file) instead of folding names.",
    )(func)
    return store_option(func)


def console() -> Console:
    wide = click.get_current_context(silent=True)
    return Console(width=WIDE) if wide and wide.find_root().meta.get("registry.wide") else Console()


def _code_width(values: Sequence[str]) -> int:
    """The longest code-like word (ASCII, no spaces) in a column: a column never gets
    narrower than that, so codes stay whole and the Chinese names beside them fold."""
    longest = 0
    for value in values:
        for word in value.split():
            if word.isascii():
                longest = max(longest, len(word))
    return min(longest, 40)


def table_of(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], out: Console | None = None) -> Table:
    """A table that keeps codes whole when the terminal allows it. Rich folds CJK text in
    steps of two cells and can then overrun the width by one, cropping the last column;
    such a layout is narrowed a little, and failing that the codes are folded too."""
    out = out or console()
    minimums = [_code_width([row[index] for row in rows]) or None for index in range(len(columns))]
    for shrink, keep_codes in [*((n, True) for n in range(8)), (0, False)]:
        table = Table(title=title, show_lines=False)
        for index, name in enumerate(columns):
            table.add_column(name, overflow="fold", min_width=minimums[index] if keep_codes else None)
        for row in rows:
            table.add_row(*row)
        if shrink:
            table.width = out.width - shrink
        if _fits(out, table):
            break
    return table


def _fits(out: Console, table: Table) -> bool:
    lines = out.render_lines(table, out.options, pad=False)
    border = next(("".join(seg.text for seg in line) for line in lines if any("┏" in seg.text for seg in line)), "")
    return border.rstrip().endswith("┓")


def heading(name: str) -> str:
    """A column's heading in the user's language (CSV headers keep the stable English names)."""
    return t_or(f"head.{name}", name)


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV on stdout, every cell safe to open in a spreadsheet."""
    writer = csv.writer(sys.stdout)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def emit(title: str, findings: Sequence[Serialisable], columns: Sequence[Column], as_json: bool, as_csv: bool) -> None:
    rows = [f.to_dict() for f in findings]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if as_csv:
        write_csv(
            [name for name, _ in columns] + ["evidence"],
            [
                [_cell(get(row)) for _, get in columns] + [json.dumps(row.get("evidence", {}), ensure_ascii=False)]
                for row in rows
            ],
        )
        return
    out = console()
    if not rows:
        out.print(t("none_found", title=title))
        return
    out.print(
        table_of(
            f"{title} ({len(rows)})",
            [heading(name) for name, _ in columns],
            [[_cell(get(r)) for _, get in columns] for r in rows],
            out,
        )
    )


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _pairs(pairs: list[tuple[str, str, float]], shown: int = 8) -> list[str]:
    """Matched fields for a reviewer: renamed ones first, as 出生日期≈出生年月 0.95."""
    ordered = sorted(pairs, key=lambda p: p[0] == p[1])
    cells = [a if a == b else f"{a}≈{b} {s:.2f}" for a, b, s in ordered[:shown]]
    return cells + ([f"…(+{len(pairs) - shown})"] if len(pairs) > shown else [])


DUPLICATE_COLUMNS: list[Column] = [
    ("score", lambda r: f"{r['score']:.2f}"),
    ("members", lambda r: [f"{m['key']} {m['name']}" for m in r["members"]]),
    ("departments", lambda r: r["evidence"]["departments"]),
    ("projects", lambda r: r["evidence"]["projects"]),
    ("parts", lambda r: " ".join(f"{k}={v:.2f}" for k, v in r["evidence"]["parts"].items())),
    ("matched fields", lambda r: _pairs([(a, b, s) for a, b, s in r["evidence"]["matched"]])),
]
MATCH_COLUMNS: list[Column] = [
    ("score", lambda r: f"{r['score']:.2f}"),
    ("existing system", lambda r: f"{r['b']['key']} {r['b']['name']}"),
    ("department", lambda r: r["b"]["department_name"]),
    ("parts", lambda r: " ".join(f"{k}={v:.2f}" for k, v in r["parts"].items())),
    ("matched fields", lambda r: _pairs([(p["a"], p["b"], p["similarity"]) for p in r["matched"]])),
]
GAP_COLUMNS: list[Column] = [
    ("kind", lambda r: t_or(f"gapkind.{r['kind']}", r["kind"])),
    ("subject", lambda r: f"{r['subject_label']} {r['subject']}"),
    ("department", lambda r: r["department_name"]),
    ("finding", lambda r: r["message"]),
]
PLACEMENT_COLUMNS: list[Column] = [
    ("rule", lambda r: r["rule"]),
    ("severity", lambda r: t_or(f"severity.{r['severity']}", r["severity"])),
    ("system", lambda r: f"{r['system']} {r['system_name']}"),
    ("department", lambda r: r["department_name"]),
    ("secrecy", lambda r: label_of(SecrecyLevel, r["secrecy_level"])),
    ("network", lambda r: label_of(Network, r["network"])),
    ("action", lambda r: r["action"]),
]
PROJECT_COLUMNS: list[Column] = [
    ("rule", lambda r: r["rule"]),
    ("severity", lambda r: r["severity"]),
    ("project", lambda r: f"{r['project']} {r['project_name']}"),
    ("department", lambda r: r["department_name"]),
    ("finding", lambda r: r["message"]),
]
REQUEST_COLUMNS: list[Column] = [
    ("rule", lambda r: r["rule"]),
    ("request", lambda r: r["subject"]),
    ("requester", lambda r: r["requester_name"]),
    ("provider", lambda r: r["provider_name"]),
    ("finding", lambda r: r["message"]),
]
SOURCE_COLUMNS: list[Column] = [
    ("rule", lambda r: r["rule"]),
    ("element", lambda r: f"{r['element']} {r['element_name']}"),
    ("department", lambda r: r["department_name"]),
    ("finding", lambda r: r["message"]),
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
    help="Score needed (default 0.45 for systems, 0.5 for datasets).",
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
    rows = open_service().rows(operator())
    if proposal is not None:
        try:
            plan = Proposal(**json.load(proposal))
        except (ValueError, TypeError) as exc:
            raise click.ClickException(
                f"the proposal must be a JSON object with name, description, functions, fields: {exc}"
            ) from None
        emit(
            "existing systems the proposal would duplicate",
            check_proposal(rows, plan, threshold=threshold),
            MATCH_COLUMNS,
            as_json,
            as_csv,
        )
        return
    found = find_duplicates(rows, kind=kind.capitalize(), threshold=threshold)
    emit(f"duplicate {kind}s", found, DUPLICATE_COLUMNS, as_json, as_csv)


@click.command("gaps")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Only gaps of this kind.")
@click.option("--department", default=None, help="Only gaps concerning this department (code).")
@click.option("--matrix", is_flag=True, help="Print the department x department sharing matrix instead.")
@click.option(
    "--xlsx",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the sharing matrix to FILE.xlsx, coloured as a heat map.",
)
@_output_options
def gaps_command(
    kind: str | None, department: str | None, matrix: bool, xlsx: Path | None, as_json: bool, as_csv: bool
) -> None:
    """Needs nobody meets or that policy or the network blocks, unused data, incomplete items."""
    service = open_service()
    graph = service.graph(operator())
    if matrix or xlsx is not None:
        result = sharing_matrix(graph)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        grid = matrix_grid(result)
        if xlsx is not None:
            write_matrix_xlsx(grid, xlsx)
            click.echo(t("matrix.written", path=xlsx), err=True)
        if as_csv:
            write_csv(grid.header(), grid.rows())
        elif matrix:
            console().print(grid.table(t("matrix.title", total=result.total(), departments=len(grid.departments))))
        return
    emit(t("title.gaps"), sharing_gaps(graph, kind=kind, department=department), GAP_COLUMNS, as_json, as_csv)


@click.command("check")
@policy_options
@_output_options
def check_command(as_json: bool, as_csv: bool, as_of: datetime | None, **periods: int) -> None:
    """Network placement (NET-1..NET-5), catalogue completeness (SHR-1), project rules
    (PRJ-1..PRJ-4), sharing-request deadlines (REQ-1..REQ-4) and authoritative sources
    (SRC-1..SRC-3); exits 1 when anything is found, so it can gate a pipeline."""
    today, deadlines = settings(as_of, **periods)
    service = open_service()
    graph = service.graph(operator())
    placement = placement_findings(graph)
    incomplete = sharing_gaps(graph, kind="incomplete_item")
    try:
        found = policy_findings(graph, as_of=today, deadlines=deadlines)
    except CalendarRangeError as exc:
        raise click.ClickException(str(exc)) from None
    requests = found.requests
    policy: dict[str, Sequence[Any]] = {"projects": found.projects, "requests": requests, "sources": found.sources}
    if as_json:
        payload = {"placement": [f.to_dict() for f in placement], "completeness": [g.to_dict() for g in incomplete]}
        payload |= {name: [f.to_dict() for f in found] for name, found in policy.items()}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif as_csv:
        rows = [
            [f.rule, f.severity, f.system, f.system_name, f.department_name or "", f.message, _evidence(f)]
            for f in placement
        ] + [
            [g.rule or "SHR-1", "warning", g.subject, "", g.department_name or "", g.message, _evidence(g)]
            for g in incomplete
        ]
        rows += [
            [f.rule, f.severity, f.subject, _policy_name(f), _policy_department(f), f.message, _evidence(f)]
            for found in policy.values()
            for f in found
        ]
        write_csv(["rule", "severity", "subject", "name", "department", "finding", "evidence"], rows)
    else:
        emit(t("title.placement"), placement, PLACEMENT_COLUMNS, False, False)
        emit(t("title.completeness"), incomplete, GAP_COLUMNS, False, False)
        emit(t("title.projects"), policy["projects"], PROJECT_COLUMNS, False, False)
        emit(t("title.requests"), requests, REQUEST_COLUMNS, False, False)
        emit(t("title.sources"), policy["sources"], SOURCE_COLUMNS, False, False)
    if placement or incomplete or any(policy.values()):
        sys.exit(1)


def _policy_name(finding: Any) -> str:
    """The name of a policy finding's subject: the project, the data element, the dataset asked for."""
    return str(
        getattr(finding, "project_name", None)
        or getattr(finding, "element_name", None)
        or getattr(finding, "target_name", None)
        or ""
    )


def _policy_department(finding: Any) -> str:
    return str(getattr(finding, "department_name", None) or getattr(finding, "provider_name", None) or "")


def _evidence(finding: Serialisable) -> str:
    return json.dumps(finding.to_dict().get("evidence", {}), ensure_ascii=False)


def _direction(value: str | None) -> Direction:
    """The --direction choice (click has checked it) as the analysis names it."""
    return "up" if value == "up" else "down" if value == "down" else "both"


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
        walked = lineage(graph, ref, direction=_direction(direction), depth=depth)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(walked.to_dict(), ensure_ascii=False, indent=2))
        return
    emit(f"lineage of {ref}", walked.steps, LINEAGE_COLUMNS, False, as_csv)


def findings_report(service: RegistryService, caller: Caller) -> RenderableType | None:
    """What the analyses find, as a block for ``registry demo``."""
    graph, rows = service.graph(caller), service.rows(caller)
    duplicates = find_duplicates(rows, kind="System") + find_duplicates(rows, kind="Dataset")
    gaps = sharing_gaps(graph)
    placement = placement_findings(graph)
    try:
        judged = policy_findings(graph)
        policy: list[Any] = [*judged.projects, *judged.requests, *judged.sources]
    except CalendarRangeError:
        policy = []
    if not (duplicates or gaps or placement or policy):
        return None
    incomplete = sum(1 for g in gaps if g.kind == "incomplete_item")
    lines: list[RenderableType] = [
        "[bold]"
        + t("demo.found", dups=len(duplicates), gaps=len(gaps), incomplete=incomplete, placement=len(placement))
        + "[/bold]",
        "[bold]" + t("demo.policy", n=len(policy)) + "[/bold]",
    ]
    groups: tuple[tuple[Sequence[Any], str], ...] = (
        (duplicates, "registry duplicates"),
        (gaps, "registry gaps"),
        (placement, "registry check"),
        (policy, "registry check"),
    )
    for group, command in groups:
        lines += [f"  - {f.message}" for f in group[:DEMO_SHOWN]]
        if len(group) > DEMO_SHOWN:
            lines.append("    " + t("demo.more", n=len(group) - DEMO_SHOWN, command=command))
    return Group(*lines)


DEMO_SHOWN = 5


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
