"""``registry show KEY``: one entry with its relations, provenance and history, so "where
did this come from and who changed it" is answered from the command line."""

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, get_args

import click
from rich.console import Console
from rich.table import Table

from registry.cli.context import open_service, operator, store_option
from registry.i18n import label_of, property_name, t, t_or
from registry.schema.model import NAME_PROPERTY, NODE_MODELS
from registry.schema.records import EdgeRecord, HistoryEntry, NodeRecord, NodeRef, Provenance
from registry.service import Caller, NotFound, RegistryService

CANDIDATES_SHOWN = 20
VALUE_WIDTH = 60


def _name(record: NodeRecord) -> str:
    return str(record.props.get(NAME_PROPERTY[record.label], ""))


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _candidates(records: Sequence[NodeRecord], key: str) -> str:
    lines = [f"  {r.label:<12} {r.key}  {_name(r)}" for r in records[:CANDIDATES_SHOWN]]
    if len(records) > CANDIDATES_SHOWN:
        lines.append(f"  … and {len(records) - CANDIDATES_SHOWN} more")
    return f"{key!r} matches {len(records)} entries; name one with --label and its key:\n" + "\n".join(lines)


def resolve(service: RegistryService, caller: Caller, key: str, label: str | None) -> NodeRecord:
    """By exact key first (keys are unique per label), then by name, so both
    ``registry show 91330000…`` and ``registry show 浙江省公安厅`` work."""
    labels = [label] if label else list(NODE_MODELS)
    exact = [r for lbl in labels for r in service.get_many(caller, lbl, [key]).values()]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise click.ClickException(_candidates(exact, key))
    named = [r for lbl in labels for r in service.find(caller, lbl, text=key, limit=CANDIDATES_SHOWN + 1)]
    same_name = [r for r in named if _name(r) == key]
    if len(same_name) == 1:
        return same_name[0]
    if named:
        raise click.ClickException(_candidates(same_name or named, key))
    raise NotFound(f"no entry with key or name {key!r}")


def _provenance(prov: Provenance) -> str:
    return t("show.provenance", at=prov.at, by=prov.by, source=prov.source, batch=prov.batch)


def _enum_of(label: str, name: str) -> type[Enum] | None:
    """The enumeration a model property holds (``ShareType`` for ``share_type``), if any."""
    model = NODE_MODELS.get(label)
    field = model.model_fields.get(name) if model else None
    if field is None:
        return None
    for candidate in (field.annotation, *get_args(field.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


def _value(label: str, name: str, value: Any) -> str:
    """Enumerated values with their standard label beside the stored identifier."""
    enum = _enum_of(label, name)
    if enum is not None and value is not None:
        shown = label_of(enum, value)
        return shown if shown == str(value) else f"{shown} ({value})"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _properties(record: NodeRecord) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in sorted(record.props.items()):
        table.add_row(property_name(name), _value(record.label, name, value))
    table.add_row(property_name("created"), _provenance(record.created))
    table.add_row(property_name("updated"), _provenance(record.updated))
    return table


def _edges(service: RegistryService, caller: Caller, record: NodeRecord, edges: Sequence[EdgeRecord]) -> Table:
    others: dict[str, set[str]] = {}
    for edge in edges:
        other = edge.dst if edge.src == record.ref else edge.src
        others.setdefault(other.label, set()).add(other.key)
    names = {
        NodeRef(label, k): _name(r)
        for label, keys in others.items()
        for k, r in service.get_many(caller, label, keys).items()
    }
    table = Table(title=t("show.relations", n=len(edges)), title_justify="left")
    for column in ("", "relation", "entry", "name", "properties"):
        table.add_column(t_or(f"show.col.{column}", column), overflow="fold")
    for edge in sorted(edges, key=lambda e: (e.src != record.ref, e.type, e.src, e.dst)):
        outgoing = edge.src == record.ref
        other = edge.dst if outgoing else edge.src
        props = ", ".join(f"{k}={_short(v)}" for k, v in sorted(edge.props.items()))
        table.add_row("→" if outgoing else "←", edge.type, str(other), names.get(other, ""), props)
    return table


def _change(entry: HistoryEntry) -> str:
    if entry.op in ("retire", "revive") and not entry.changes:
        return ""
    parts = []
    for name, (old, new) in sorted(entry.changes.items()):
        parts.append(f"{name}: {_short(new)}" if old is None else f"{name}: {_short(old)} → {_short(new)}")
    return "; ".join(parts)


def _history(entries: Sequence[HistoryEntry], limit: int) -> Table:
    shown = entries[-limit:] if limit else entries
    title = t("show.history", n=len(entries)) + (t("show.latest", n=len(shown)) if len(shown) < len(entries) else "")
    table = Table(title=title, title_justify="left")
    for column in ("when", "by", "source / batch", "change", "subject", "what"):
        table.add_column(t_or(f"show.col.{column}", column), overflow="fold")
    for entry in shown:
        table.add_row(
            entry.prov.at,
            entry.prov.by,
            f"{entry.prov.source}\n{entry.prov.batch}",
            entry.op,
            entry.subject,
            _change(entry),
        )
    return table


@click.command("show")
@click.argument("key")
@click.option(
    "--label",
    type=click.Choice(list(NODE_MODELS), case_sensitive=False),
    help="Kind of entry, when a key is ambiguous.",
)
@click.option("--history", "history_limit", default=20, show_default=True, help="Latest changes to list (0: all).")
@store_option
def show_command(key: str, label: str | None, history_limit: int) -> None:
    """Show one entry by key (or exact name): properties, relations, provenance, history."""
    service = open_service()
    caller = operator()
    if label:
        label = next(lbl for lbl in NODE_MODELS if lbl.lower() == label.lower())
    try:
        record = resolve(service, caller, key, label)
        edges = service.edges(caller, [record.ref], direction="both")
        history = service.history(caller, record.ref)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    console = Console()
    console.print(f"[bold]{record.label}[/bold] {record.key}  {_name(record)}", highlight=False)
    console.print(_properties(record))
    console.print(_edges(service, caller, record, edges))
    console.print(_history(history, history_limit))
