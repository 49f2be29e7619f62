"""Export formats for graph tools and open-data portals, each registered by name.

An export is handed a ``Selection`` (the caller's rows from the service, whole registry
or one department's part) and a target path, and streams what it writes. ``docs/interop.md``
says what each format holds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from registry.exporters import catalogue_xlsx, cytoscape, gexf, graphml, neo4j_csv, opendata
from registry.exporters.output import Written
from registry.exporters.selection import Rows, Selection


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str
    suffixes: tuple[str, ...]
    """Expected suffixes of the target; empty for a folder."""
    write: Callable[[Selection, Path], Written]
    per_department: bool = False
    """Written for one department only (``--department`` required)."""
    open_only: bool = False
    """Writes the datasets open to the public only (what is left out is counted in those)."""


EXPORTS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("graphml", "GraphML (yEd, Gephi, networkx)", (".graphml",), graphml.write),
        ExportFormat("gexf", "GEXF 1.2 (Gephi)", (".gexf",), gexf.write),
        ExportFormat("cytoscape", "Cytoscape JSON (desktop, cytoscape.js)", (".cyjs", ".json"), cytoscape.write),
        ExportFormat("neo4j-csv", "CSV folder for neo4j-admin database import full", (), neo4j_csv.write),
        ExportFormat(
            "dcat-us",
            "DCAT-US data.json of the datasets open to the public",
            (".json",),
            opendata.write_dcat_us,
            open_only=True,
        ),
        ExportFormat(
            "dcat-ap",
            "DCAT-AP JSON-LD of the datasets open to the public",
            (".jsonld", ".json"),
            opendata.write_dcat_ap,
            open_only=True,
        ),
        ExportFormat(
            "catalogue",
            "catalogue sheet (XLSX) of one department",
            (".xlsx",),
            catalogue_xlsx.write,
            per_department=True,
        ),
    )
}

__all__ = ["EXPORTS", "ExportFormat", "Rows", "Selection", "Written"]
