"""CSV files for ``neo4j-admin database import full``: the fastest way to put a national
registry into a Neo4j cluster for analysis (an offline bulk load, no transactions).

One nodes file per kind (``nodes-Dataset.csv``) and one relationships file per type
(``relationships-PROVIDES.csv``), each with neo4j-admin's typed header: ``:ID`` (one
identifier space, ``Dataset:10201/001``), the properties as ``name:type`` (``long``,
``double``, ``boolean``, ``date``, ``string[]``), ``:LABEL``; ``:START_ID``, ``:END_ID``,
``:TYPE`` and the edge's properties. ``_props`` holds every property as JSON, exactly.
List elements are joined by ``;`` (neo4j-admin's default array delimiter); a ``;`` inside
an element becomes ``；``. Text that a spreadsheet would run as a formula (starting with
= + - @) carries a leading ``'`` (``registry.textsafe``); ``_props`` keeps it as it is.
Files are written side by side as rows arrive: one open file per kind and type.

The command (see README): ``neo4j-admin database import full --nodes=nodes-Dataset.csv
... --relationships=relationships-PROVIDES.csv ... --multiline-fields=true neo4j``.
"""

import csv
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from registry.exporters.output import Written
from registry.exporters.properties import Kind, edge_columns, graph_labels, node_columns, text
from registry.exporters.selection import Selection, node_id
from registry.schema.model import EDGE_SPECS
from registry.textsafe import safe_cell

_TYPES: dict[Kind, str] = {
    "string": "string",
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "date": "date",
    "strings": "string[]",
    "json": "string",
}
ARRAY_DELIMITER = ";"


def node_header(label: str) -> list[str]:
    props = [f"{name}:{_TYPES[kind]}" for name, kind in node_columns(label).items()]
    return [":ID", "key:string", *props, "_props:string", ":LABEL"]


def relationship_header(edge_type: str) -> list[str]:
    props = [f"{name}:{_TYPES[kind]}" for name, kind in edge_columns(edge_type).items()]
    return [":START_ID", ":END_ID", *props, "_props:string", ":TYPE"]


def _cell(value: Any, kind: Kind) -> Any:
    if value is None:
        return ""
    if kind == "strings" and isinstance(value, list):
        return safe_cell(ARRAY_DELIMITER.join(text(v).replace(ARRAY_DELIMITER, "；") for v in value))
    if kind in ("long", "double", "boolean", "date"):
        return text(value)
    return safe_cell(text(value))


def _props_json(props: dict[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


class _Files:
    """One CSV writer per kind or type, opened at its first row, so memory stays a file handle each."""

    def __init__(self, folder: Path, stack: ExitStack, written: Written) -> None:
        self.folder, self.stack, self.written = folder, stack, written
        self.writers: dict[str, Any] = {}

    def writer(self, name: str, header: list[str]) -> Any:
        found = self.writers.get(name)
        if found is None:
            path = self.folder / f"{name}.csv"
            handle = self.stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            found = self.writers[name] = csv.writer(handle)
            found.writerow(header)
            self.written.files.append(path)
        return found


def write(selection: Selection, folder: Path) -> Written:
    """Write into ``folder`` (created; files of an earlier export there are replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("nodes-*.csv"), *folder.glob("relationships-*.csv")]:
        old.unlink()
    written = Written()
    with ExitStack() as stack:
        files = _Files(folder, stack, written)
        for node in selection.nodes(graph_labels()):
            columns = node_columns(node.label)
            row = [node_id(node.ref), safe_cell(node.key)]
            row += [_cell(node.props.get(name), kind) for name, kind in columns.items()]
            row += [_props_json(node.props), node.label]
            files.writer(f"nodes-{node.label}", node_header(node.label)).writerow(row)
            written.nodes += 1
        for edge in selection.edges(list(EDGE_SPECS)):
            columns = edge_columns(edge.type)
            row = [node_id(edge.src), node_id(edge.dst)]
            row += [_cell(edge.props.get(name), kind) for name, kind in columns.items()]
            row += [_props_json(edge.props), edge.type]
            files.writer(f"relationships-{edge.type}", relationship_header(edge.type)).writerow(row)
            written.edges += 1
    written.notes.append(import_command(written.files))
    return written


def import_command(files: list[Path]) -> str:
    """The neo4j-admin command line for these files (run with the database stopped)."""
    parts = ["neo4j-admin database import full"]
    for path in files:
        option = "--nodes" if path.name.startswith("nodes-") else "--relationships"
        parts.append(f"{option}={path}")
    parts += ["--multiline-fields=true", "--overwrite-destination=true", "neo4j"]
    return " ".join(parts)
