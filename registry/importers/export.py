"""Export a whole registry as a native document, and read an export's records back.

The graph sections of an export are the live registry as a department would declare it
(readable, re-importable anywhere with ``registry import``). The ``records`` section is
the store verbatim: every node and edge with its properties, created/updated provenance
and retired flag, and the stored history. Restoring records into an empty store
reproduces the source exactly, whichever store either side is, which is how a registry
moves from the embedded store to Neo4j and back. Restoring into a store that already
holds something is refused: merging two histories cannot be exact.

This module only converts: the service hands it the rows to export (``service.rows(caller)``,
so an export holds only what its caller may see) and writes the records it reads back
(``service.restore``); it never touches a store.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.importers.documents import dump
from registry.schema.document import DOCUMENT_VERSION, SCHEMA_ID, RecordsDoc, RefDoc
from registry.schema.records import EdgeRecord, EdgeRef, HistoryEntry, NodeRecord, NodeRef, Provenance
from registry.schema.rows import GraphRows
from registry.service.errors import InvalidInput

_SECTIONS = {
    "Department": "departments",
    "System": "systems",
    "Dataset": "datasets",
    "DataElement": "data_elements",
    "Interface": "interfaces",
    "Project": "projects",
    "Need": "needs",
    "SharingRequest": "requests",
}


def _ref(ref: NodeRef) -> dict[str, str]:
    return {"label": ref.label, "key": ref.key}


def export_document(rows: GraphRows, *, records: bool = True) -> dict[str, Any]:
    nodes = list(rows.iter_nodes(include_retired=True))
    edges = list(rows.iter_edges(include_retired=True))
    doc: dict[str, Any] = {"$schema": SCHEMA_ID, "version": DOCUMENT_VERSION}
    doc.update(_graph_sections([n for n in nodes if not n.retired], [e for e in edges if not e.retired]))
    if records:
        doc["records"] = _records(nodes, edges, rows.iter_history())
    return doc


def _graph_sections(nodes: list[NodeRecord], edges: list[EdgeRecord]) -> dict[str, list[dict[str, Any]]]:
    items: dict[NodeRef, dict[str, Any]] = {}
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in _SECTIONS.values()}
    fields: dict[NodeRef, dict[str, Any]] = {}
    for node in nodes:
        if node.label == "Field":
            fields[node.ref] = {k: v for k, v in node.props.items() if k != "dataset"}
        elif node.label in _SECTIONS:
            item = dict(node.props)
            items[node.ref] = item
            sections[_SECTIONS[node.label]].append(item)
    out: dict[NodeRef, list[EdgeRecord]] = defaultdict(list)
    for edge in edges:
        out[edge.src].append(edge)
    for ref, item in items.items():
        for edge in out.get(ref, ()):
            _attach(item, edge, fields, out)
    for edge in edges:
        target = items.get(edge.dst)
        if target is None:
            continue
        if edge.type == "OPERATES":
            target.setdefault("department", edge.src.key)
        elif edge.type == "PROVIDES":
            target.setdefault("provider", edge.src.key)
        elif edge.type == "NEEDS":
            target.setdefault("by_department" if edge.src.label == "Department" else "by_system", edge.src.key)
        elif edge.type == "REQUESTS":
            target.setdefault("requester", edge.src.key)
    return {name: section for name, section in sections.items() if section}


def _attach(
    item: dict[str, Any],
    edge: EdgeRecord,
    fields: Mapping[NodeRef, dict[str, Any]],
    out: Mapping[NodeRef, list[EdgeRecord]],
) -> None:
    """Write an outgoing edge into the item of its source, as the document spells it."""
    key = edge.dst.key
    if edge.type == "HOLDS":
        item.setdefault("holds", []).append(key)
    elif edge.type == "HAS_FIELD" and edge.dst in fields:
        item.setdefault("fields", []).append(_field(fields[edge.dst], out.get(edge.dst, ())))
    elif edge.type == "EXPOSED_VIA":
        item.setdefault("interfaces", []).append(key)
    elif edge.type == "SHARED_WITH":
        share = {"department" if edge.dst.label == "Department" else "system": key, **edge.props}
        item.setdefault("shared_with", []).append(share)
    elif edge.type == "LED_BY":
        item.setdefault("led_by", key)
    elif edge.type == "CO_BUILT_BY":
        item.setdefault("co_built_by", []).append(key)
    elif edge.type == "BUILDS":
        item.setdefault("builds", []).append(key)
    elif edge.type == "FOR":
        item.setdefault("for_element" if edge.dst.label == "DataElement" else "for_dataset", key)
    elif edge.type == "ADDRESSED_TO":
        item.setdefault("provider", key)
    elif edge.type == "AUTHORITATIVE_SOURCE":
        source = {"department" if edge.dst.label == "Department" else "dataset": key}
        item.setdefault("authoritative_sources", []).append(source)


def _field(props: dict[str, Any], edges: Iterable[EdgeRecord]) -> dict[str, Any]:
    field = dict(props)
    for edge in edges:
        if edge.type == "MEANS":
            field.setdefault("element", edge.dst.key)
        elif edge.type == "DERIVED_FROM":
            dataset, _, name = edge.dst.key.partition("#")
            field.setdefault("derived_from", []).append({"dataset": dataset, "field": name, **edge.props})
    return field


def _records(nodes: list[NodeRecord], edges: list[EdgeRecord], history: Iterable[HistoryEntry]) -> dict[str, Any]:
    batches: dict[str, dict[str, str]] = {}

    def batch(prov: Provenance) -> str:
        if prov.batch not in batches:
            batches[prov.batch] = {"source": prov.source, "by": prov.by, "at": prov.at}
        return prov.batch

    node_rows = [
        {
            "label": n.label,
            "key": n.key,
            "props": n.props,
            "created": batch(n.created),
            "updated": batch(n.updated),
            "retired": n.retired,
        }
        for n in nodes
    ]
    edge_rows = [
        {
            "type": e.type,
            "src": _ref(e.src),
            "dst": _ref(e.dst),
            "props": e.props,
            "created": batch(e.created),
            "updated": batch(e.updated),
            "retired": e.retired,
        }
        for e in edges
    ]
    history_rows = [
        {
            "seq": h.seq,
            "subject": h.subject,
            "op": h.op,
            "changes": h.changes,
            "batch": batch(h.prov),
            "node": _ref(h.node) if h.node else None,
            "edge": {"type": h.edge.type, "src": _ref(h.edge.src), "dst": _ref(h.edge.dst)} if h.edge else None,
        }
        for h in history
        if h.op != "create"
    ]
    return {"batches": batches, "nodes": node_rows, "edges": edge_rows, "history": history_rows}


def write_document(doc: Mapping[str, Any], path: Path | str) -> Path:
    """JSON, or YAML when the name ends in .yaml/.yml."""
    path = Path(path)
    dump(dict(doc), path)
    return path


@dataclass(frozen=True)
class Records:
    """An export's records as the store keeps them, ready for ``service.restore``."""

    nodes: list[NodeRecord]
    edges: list[EdgeRecord]
    history: list[HistoryEntry]

    def counts(self) -> dict[str, int]:
        return {"nodes": len(self.nodes), "edges": len(self.edges), "history": len(self.history)}


def records_of(records: RecordsDoc) -> Records:
    """A validated records section as store records; a batch named but not listed is an
    InvalidInput, found before anything is written."""
    provs = {bid: Provenance(source=b.source, batch=bid, by=b.by, at=b.at) for bid, b in records.batches.items()}

    def prov(batch: str) -> Provenance:
        found = provs.get(batch)
        if found is None:
            raise InvalidInput(f"records name batch {batch!r}, which records.batches does not list")
        return found

    def ref(r: RefDoc) -> NodeRef:
        return NodeRef(r.label, r.key)

    nodes = [NodeRecord(n.label, n.key, n.props, prov(n.created), prov(n.updated), n.retired) for n in records.nodes]
    edges = [
        EdgeRecord(e.type, ref(e.src), ref(e.dst), e.props, prov(e.created), prov(e.updated), e.retired)
        for e in records.edges
    ]
    history = [
        HistoryEntry(
            seq=h.seq,
            subject=h.subject,
            op=h.op,
            changes=h.changes,
            prov=prov(h.batch),
            node=ref(h.node) if h.node else None,
            edge=EdgeRef(h.edge.type, ref(h.edge.src), ref(h.edge.dst)) if h.edge else None,
        )
        for h in sorted(records.history, key=lambda h: h.seq)
    ]
    return Records(nodes, edges, history)
