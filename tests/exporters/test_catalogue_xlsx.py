"""The national catalogue sheet: each department's export imports back with no change."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry import importers
from registry.exporters import EXPORTS, Selection
from registry.schema.records import NodeRecord, Provenance
from registry.service import Caller, RegistryService
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]


def test_department_sheets_reimport_with_no_change(demo_service: RegistryService, tmp_path: Path) -> None:
    """The four departments providing the most datasets (each round trip reads the registry)."""
    admin = Caller.system()
    provided = {
        d.key: demo_service.count_linked(admin, "Dataset", d.ref, "PROVIDES")
        for d in demo_service.find(admin, "Department")
    }
    departments = sorted(provided, key=lambda code: -provided[code])[:4]
    exported = 0
    for code in departments:
        path = tmp_path / f"{code}.xlsx"
        written = EXPORTS["catalogue"].write(Selection(demo_service.rows(admin), code), path)
        if written.edges == 0:
            continue  # a department that provides nothing has an empty sheet
        declaration = importers.read(path)
        assert declaration.format == "catalogue" and declaration.errors == [], declaration.errors[:3]
        report = demo_service.load(declaration, admin, dry_run=True)
        totals = report.totals
        assert (totals["created"], totals["updated"], totals["retired"], totals["rejected"]) == (0, 0, 0, 0), code
        assert totals["unchanged"] > 0
        exported += 1
    assert exported == 4


def test_cells_are_text_so_no_formula_runs(tmp_path: Path) -> None:
    prov = Provenance(source="t", batch="b", by="t", at="2024-01-01")
    code = "11330000002487596U"
    nodes = [
        NodeRecord("Department", code, {"code": code, "name": "=cmd|' /C calc'!A0"}, prov, prov),
        NodeRecord("Dataset", "10201/001", {"resource_code": "10201/001", "name": "@SUM(1)"}, prov, prov),
        NodeRecord("Field", "10201/001#-1", {"dataset": "10201/001", "name": "-1"}, prov, prov),
    ]

    class Rows:
        def iter_nodes(self, labels: object = None, *, include_retired: bool = False):  # type: ignore[no-untyped-def]
            return iter(nodes)

        def iter_edges(self, types: object = None, *, include_retired: bool = False):  # type: ignore[no-untyped-def]
            from registry.schema.records import EdgeRecord

            return iter(
                [
                    EdgeRecord("PROVIDES", nodes[0].ref, nodes[1].ref, {}, prov, prov),
                    EdgeRecord("HAS_FIELD", nodes[1].ref, nodes[2].ref, {}, prov, prov),
                ]
            )

    path = tmp_path / "sheet.xlsx"
    EXPORTS["catalogue"].write(Selection(Rows(), code), path)  # type: ignore[arg-type]
    sheet = load_workbook(path).active
    assert sheet is not None
    row = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert {c.value for c in row if c.value} >= {"=cmd|' /C calc'!A0", "@SUM(1)", "-1"}
    assert all(c.data_type == "s" for c in row if c.value)


def test_the_sheet_needs_a_department(demo_service: RegistryService, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="department"):
        EXPORTS["catalogue"].write(Selection(demo_service.rows(Caller.system())), tmp_path / "x.xlsx")
