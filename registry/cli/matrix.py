"""The department x department sharing matrix as a planner reads it: providers down the
side, consumers across the top, the number of datasets shared in each cell; as a table,
a CSV pivot or an XLSX heat map."""

from dataclasses import dataclass
from pathlib import Path

import click
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from rich.table import Table

from registry.analysis.gaps import SharingMatrix
from registry.i18n import t


@dataclass
class MatrixGrid:
    """A square matrix: the same departments, in the same order, down the side (providers)
    and across the top (consumers)."""

    departments: list[tuple[str, str]]
    counts: dict[str, dict[str, int]]

    def cell(self, provider: str, consumer: str) -> int:
        return self.counts.get(provider, {}).get(consumer, 0)

    def header(self) -> list[str]:
        return [t("matrix.corner"), *(name for _, name in self.departments), t("col.total")]

    def rows(self) -> list[list[str | int]]:
        out: list[list[str | int]] = []
        for code, name in self.departments:
            cells = [self.cell(code, consumer) for consumer, _ in self.departments]
            out.append([name, *cells, sum(cells)])
        return out

    def table(self, title: str) -> Table:
        """Columns are numbered like the rows, so a terminal shows the whole square; zero
        cells are blank, so the pattern of who shares with whom stands out."""
        table = Table(title=title, title_justify="left", show_lines=False)
        table.add_column(t("matrix.corner"), overflow="fold")
        for number in range(1, len(self.departments) + 1):
            table.add_column(str(number), justify="right")
        table.add_column(t("col.total"), justify="right")
        for number, row in enumerate(self.rows(), start=1):
            name, *cells = row
            table.add_row(f"{number} {name}", *("" if c == 0 else str(c) for c in cells[:-1]), str(cells[-1]))
        return table


def matrix_grid(result: SharingMatrix) -> MatrixGrid:
    """The departments that provide or receive anything, by name."""
    names = {d["code"]: d["name"] for d in result.departments}
    involved = {p for p, row in result.counts.items() if any(row.values())}
    involved |= {c for row in result.counts.values() for c, n in row.items() if n}
    ordered = sorted(involved, key=lambda code: (names.get(code, code), code))
    return MatrixGrid(departments=[(code, names.get(code, code)) for code in ordered], counts=result.counts)


def write_matrix_xlsx(grid: MatrixGrid, path: Path) -> None:
    """One sheet, heat-coloured from white (0) to red (the most shared), names as text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("matrix.sheet")
    for column, title in enumerate(grid.header(), start=1):
        cell = sheet.cell(1, column, title)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(grid.rows(), start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
                cell.font = Font(bold=True)
    last_row = last_column = len(grid.departments) + 1
    if grid.departments:
        area = f"B2:{get_column_letter(last_column)}{last_row}"
        sheet.conditional_formatting.add(
            area,
            ColorScaleRule(  # type: ignore[no-untyped-call]  # openpyxl's stubs leave it untyped
                start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color="F8696B"
            ),
        )
    sheet.column_dimensions["A"].width = 28
    for column in range(2, last_column + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.freeze_panes = "B2"
    try:
        workbook.save(path)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
