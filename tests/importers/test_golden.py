"""Each importer's declaration for a small real-looking file, against tests/golden/."""

from pathlib import Path
from typing import Any

import pytest

from registry import importers
from registry.analysis.findings import jsonable
from registry.service import Declaration
from tests.golden import check

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parents[1] / "data"
CASES = {
    "catalogue_csv": FIXTURES / "zj_scjg_catalogue.csv",
    "catalogue_gbk": FIXTURES / "zj_gat_catalogue_gbk.csv",
    "catalogue_xlsx_merged": FIXTURES / "zj_zrzy_catalogue_merged.xlsx",
    "catalogue_bad_cells": FIXTURES / "bad_ten_cells.csv",
    "native_yaml": FIXTURES / "zj_registry.yaml",
    "ckan_package_search": DATA / "ckan_package_search.json",
    "ckan_dump": DATA / "ckan_dump.jsonl",
    "dcat_us": DATA / "dcat_us_data.json",
    "dcat_ap_turtle": DATA / "dcat_ap_catalogue.ttl",
}


def declared(declaration: Declaration) -> dict[str, Any]:
    """A declaration as plain data in a stable order; file paths as names only."""
    return {
        "format": declaration.format,
        "sha256": declaration.sha256,
        "nodes": sorted(
            ({"label": n.LABEL, "key": n.key(), "props": jsonable(n.props())} for n in declaration.nodes),
            key=lambda n: (n["label"], n["key"]),
        ),
        "edges": sorted(
            (
                {"type": e.type, "src": str(e.src), "dst": str(e.dst), "props": jsonable(e.props)}
                for e in declaration.edges
            ),
            key=lambda e: (e["type"], e["src"], e["dst"]),
        ),
        "scopes": [{"department": s.department, "label": s.label} for s in declaration.scopes],
        "issues": [
            {**jsonable(i), "file": Path(i.file).name} for i in sorted(declaration.issues, key=lambda i: str(i))
        ],
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_declaration_matches_its_golden_file(name: str) -> None:
    path = CASES[name]
    if not path.exists():
        pytest.fail(f"fixture {path} is gone; drop its case or regenerate")
    check(f"importers/{name}", declared(importers.read(path, skip_invalid=True)))
