"""The bundled demo registry: files as departments actually send them, loaded through the
ordinary import path so the demo exercises exactly what a user's own files do.

``registry.yaml`` (native format) is the registry office's file: departments, systems,
projects, data elements, needs, sharing and lineage. ``catalogues/`` holds one national
catalogue per department (CSV, one XLSX), with the datasets' attributes and 信息项. The
planted problems are described in README.md beside this module.
"""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
CATALOGUE_SUFFIXES = (".csv", ".xlsx")


def files() -> list[Path]:
    """Load order: the catalogues first (each one a department's complete list of
    datasets), then the registry office's document that relates them."""
    catalogues = sorted(p for p in (DEMO_DIR / "catalogues").iterdir() if p.suffix in CATALOGUE_SUFFIXES)
    return [*catalogues, DEMO_DIR / "registry.yaml"]
