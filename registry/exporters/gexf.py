"""GEXF 1.2 (Gephi, networkx ``read_gexf``), written element by element.

A node's GEXF label is its name (what Gephi shows); its kind and key are attributes, as
are its properties. An edge's label is its type. Attributes are declared from the models.
"""

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from registry.exporters.output import Written, text_file
from registry.exporters.properties import Kind, all_edge_columns, all_node_columns, text
from registry.exporters.selection import Selection, node_id
from registry.schema.model import NAME_PROPERTY

_TYPES: dict[Kind, str] = {"boolean": "boolean", "long": "long", "double": "double"}


def _attributes(scope: str, columns: dict[str, Kind]) -> str:
    rows = "".join(
        f'      <attribute id="{name}" title="{name}" type="{_TYPES.get(kind, "string")}"/>\n'
        for name, kind in columns.items()
    )
    return f'    <attributes class="{scope}">\n{rows}    </attributes>\n'


def _values(props: dict[str, object]) -> str:
    shown = "".join(
        f"<attvalue for={quoteattr(name)} value={quoteattr(text(value))}/>"
        for name, value in props.items()
        if value is not None
    )
    return f"<attvalues>{shown}</attvalues>" if shown else ""


def write(selection: Selection, path: Path) -> Written:
    written = Written(files=[path])
    nodes: dict[str, Kind] = {"node_label": "string", "key": "string", **all_node_columns()}
    edges: dict[str, Kind] = {"type": "string", **all_edge_columns()}
    with text_file(path) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
        out.write(f'  <meta lastmodifieddate="{datetime.now(UTC):%Y-%m-%d}"><creator>registry</creator></meta>\n')
        out.write('  <graph mode="static" defaultedgetype="directed">\n')
        out.write(_attributes("node", nodes))
        out.write(_attributes("edge", edges))
        out.write("    <nodes>\n")
        for node in selection.nodes():
            name = node.props.get(NAME_PROPERTY.get(node.label, "name"), node.key)
            values = _values({"node_label": node.label, "key": node.key, **node.props})
            out.write(f"      <node id={quoteattr(node_id(node.ref))} label={quoteattr(text(name))}>{values}</node>\n")
            written.nodes += 1
        out.write("    </nodes>\n    <edges>\n")
        for edge in selection.edges():
            written.edges += 1
            ends = f"source={quoteattr(node_id(edge.src))} target={quoteattr(node_id(edge.dst))}"
            values = _values({"type": edge.type, **edge.props})
            out.write(f'      <edge id="{written.edges}" {ends} label="{escape(edge.type)}">{values}</edge>\n')
        out.write("    </edges>\n  </graph>\n</gexf>\n")
    return written
