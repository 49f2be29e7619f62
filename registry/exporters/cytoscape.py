"""Cytoscape JSON (``.cyjs``: Cytoscape desktop's File > Import > Network from File, and
cytoscape.js ``elements``; networkx reads it with ``cytoscape_graph``), written element by
element. A node's ``data`` holds ``id`` (and ``value``, which networkx reads), ``label``
(its kind), ``key``, ``name`` and its
properties; an edge's ``interaction`` is its type, as Cytoscape names it."""

import json
from pathlib import Path
from typing import Any

from registry.exporters.output import Written, text_file
from registry.exporters.selection import Selection, node_id
from registry.schema.model import NAME_PROPERTY

_HEAD = {
    "format_version": "1.0",
    "generated_by": "registry",
    "target_cytoscapejs_version": "~3.x",
    "data": {"name": "registry"},
    "directed": True,
    "multigraph": True,
}


def _element(data: dict[str, Any]) -> str:
    return json.dumps({"data": data}, ensure_ascii=False, separators=(",", ":"), default=str)


def write(selection: Selection, path: Path) -> Written:
    written = Written(files=[path])
    with text_file(path) as out:
        out.write(json.dumps(_HEAD, ensure_ascii=False)[:-1] + ',\n"elements": {"nodes": [\n')
        for node in selection.nodes():
            name = node.props.get(NAME_PROPERTY.get(node.label, "name"), node.key)
            ident = node_id(node.ref)
            data = {**node.props, "id": ident, "value": ident, "label": node.label, "key": node.key, "name": name}
            out.write(("," if written.nodes else "") + _element(data) + "\n")
            written.nodes += 1
        out.write('],\n"edges": [\n')
        for edge in selection.edges():
            data = {
                **edge.props,
                "id": f"e{written.edges + 1}",
                "source": node_id(edge.src),
                "target": node_id(edge.dst),
                "interaction": edge.type,
            }
            out.write(("," if written.edges else "") + _element(data) + "\n")
            written.edges += 1
        out.write("]}}\n")
    return written
