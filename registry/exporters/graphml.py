"""GraphML (yEd, Gephi, networkx ``read_graphml``), written element by element.

Every node carries ``label`` (its kind) and ``key`` beside its properties, every edge
``type`` beside its own; dates are ISO text, lists JSON text. The attribute keys are
declared from the models before the first element, so nothing needs to be held back.
"""

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from registry.exporters.output import Written, text_file
from registry.exporters.properties import Kind, all_edge_columns, all_node_columns, text
from registry.exporters.selection import Selection, node_id

_TYPES: dict[Kind, str] = {"boolean": "boolean", "long": "long", "double": "double"}


def _keys(scope: str, prefix: str, columns: dict[str, Kind]) -> list[str]:
    return [
        f'  <key id="{prefix}_{name}" for="{scope}" attr.name="{name}" attr.type="{_TYPES.get(kind, "string")}"/>\n'
        for name, kind in columns.items()
    ]


def _data(prefix: str, props: dict[str, object]) -> str:
    shown = ((name, value) for name, value in props.items() if value is not None)
    return "".join(f'<data key="{prefix}_{name}">{escape(text(value))}</data>' for name, value in shown)


def write(selection: Selection, path: Path) -> Written:
    written = Written(files=[path])
    nodes = {"label": "string", "key": "string", **all_node_columns()}
    edges = {"type": "string", **all_edge_columns()}
    with text_file(path) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        )
        out.writelines(_keys("node", "n", nodes))
        out.writelines(_keys("edge", "e", edges))
        out.write('  <graph id="registry" edgedefault="directed">\n')
        for node in selection.nodes():
            props = {"label": node.label, "key": node.key, **node.props}
            out.write(f"    <node id={quoteattr(node_id(node.ref))}>{_data('n', props)}</node>\n")
            written.nodes += 1
        for edge in selection.edges():
            written.edges += 1
            ends = f"source={quoteattr(node_id(edge.src))} target={quoteattr(node_id(edge.dst))}"
            props = {"type": edge.type, **edge.props}
            out.write(f'    <edge id="e{written.edges}" {ends}>{_data("e", props)}</edge>\n')
        out.write("  </graph>\n</graphml>\n")
    return written
