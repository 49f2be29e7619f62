"""The workbook a data team sends back to a department: its own sheet with every bad cell
highlighted and the reason as a cell comment, a summary, and the full list of issues.

A department fixes its catalogue in the sheet it sent, not in a list of coordinates, so
the sheet is reproduced as it was (an XLSX keeps its layout, title rows and merged cells;
a CSV becomes one sheet of its rows) and only annotated. Every value is written as text,
never as a formula, so a hostile cell (``=cmd|...``) stays inert in the report.
"""

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from registry.i18n import Language, language, t
from registry.importers.catalogue import header_score
from registry.importers.limits import DEFAULT, TooCostly
from registry.importers.source import decode
from registry.importers.tabular import HEADER_SEARCH_ROWS, csv_grid, header_index
from registry.importers.workbook import BrokenWorkbook, check
from registry.service.errors import Issue

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
HEADER_FONT = Font(bold=True)
REPRODUCED_CELLS = 500_000
"""Largest sheet copied into the report (openpyxl's full mode keeps every cell as an
object); a larger one gets the summary and the full issue list only."""

_SEVERITY = {"error": "report.error", "warning": "report.warning"}


def _text(cell: Cell | MergedCell, value: object) -> None:
    """Write a value as plain text: openpyxl would store ``=...`` as a formula."""
    cell.value = None if value is None else str(value)
    if cell.value is not None:
        cell.data_type = "s"


@dataclass
class _Located:
    issue: Issue
    column: int | None


def write_issue_report(target: Path, source: Path, issues: Sequence[Issue], *, lang: Language | None = None) -> None:
    """Write the annotated workbook for one source file to ``target``."""
    lang = lang or language()
    own = [i for i in issues if Path(i.file).name == source.name or i.file == str(source)]
    workbook, sheet, headers, header_row = _own_sheet(source, lang)
    if sheet is not None:
        located = [_Located(i, _column_index(headers, i.column)) for i in own]
        _annotate(sheet, located, header_row, lang)
    _summary(workbook, source, own, lang)
    _issue_list(workbook, own, lang)
    workbook.save(target)


def _own_sheet(source: Path, lang: Language) -> tuple[Workbook, Worksheet | None, list[str], int | None]:
    """The department's sheet, or a fresh workbook when the source is not a sheet."""
    data = source.read_bytes()
    if data.startswith(b"PK"):
        # A hostile or huge workbook is not reproduced (openpyxl's full mode is what a
        # 4.7 KB merge bomb took down): only within the import limits and a size that
        # full mode reads in moments; otherwise the summary and the issue list stand alone.
        try:
            shapes = check(data, DEFAULT)
        except (BrokenWorkbook, TooCostly):
            return Workbook(), None, [], None
        if sum(shape.cells + shape.merged_area for shape in shapes.values()) > REPRODUCED_CELLS:
            return Workbook(), None, [], None
        try:
            workbook = load_workbook(io.BytesIO(data))
        except Exception:  # an unreadable workbook still gets its summary and issue list
            return Workbook(), None, [], None
        sheet = workbook.worksheets[0]
        for candidate in workbook.worksheets:
            found = _header_of(
                [[_plain(v) for v in row] for row in candidate.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
            )
            if found[0]:
                sheet = candidate
                return workbook, sheet, found[0], found[1]
        return workbook, sheet, [], None
    workbook = Workbook()
    active = workbook.active
    assert isinstance(active, Worksheet)
    sheet = active
    sheet.title = t("report.sheet", lang)
    decoded = decode(source, data)
    if decoded.text is None:
        return workbook, None, [], None
    try:
        grid = csv_grid(decoded.text)
    except (TooCostly, csv.Error):
        return workbook, None, [], None
    if sum(len(row) for row in grid) > REPRODUCED_CELLS:
        return workbook, None, [], None
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                _text(sheet.cell(r, c), value)
    headers, header_row = _header_of(grid[:HEADER_SEARCH_ROWS])
    return workbook, sheet, headers, header_row


def _plain(value: object) -> str:
    return "" if value is None else str(value).strip()


def _header_of(grid: list[list[str]]) -> tuple[list[str], int | None]:
    """The header row the catalogue reader takes, so cells are found where it found them."""
    index = header_index(grid, header_score)
    return ([], None) if index is None else (list(grid[index]), index + 1)


def _severity(issue: Issue) -> str:
    return "error" if issue.severity == "error" else "warning"


def _column_index(headers: list[str], column: str | None) -> int | None:
    if not column:
        return None
    for index, header in enumerate(headers, start=1):
        if header.strip() == column.strip():
            return index
    return None


def _annotate(sheet: Worksheet, located: Sequence[_Located], header_row: int | None, lang: Language) -> None:
    reasons: dict[tuple[int, int], list[Issue]] = {}
    for item in located:
        row = item.issue.row
        if not isinstance(row, int):
            continue
        column = item.column or 1
        reasons.setdefault((row, column), []).append(item.issue)
    for (row, column), found in reasons.items():
        cell = sheet.cell(row, column)
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = ERROR_FILL if worst == "error" else WARNING_FILL
        text = "\n".join(f"[{t(_SEVERITY.get(i.severity, 'report.error'), lang)}] {i.reason}" for i in found)
        cell.comment = Comment(text[:30000], "registry", width=320, height=120)
    if header_row:
        for cell in sheet[header_row]:
            cell.font = HEADER_FONT


def _summary(workbook: Workbook, source: Path, issues: Sequence[Issue], lang: Language) -> None:
    sheet = workbook.create_sheet(t("report.summary", lang), 0)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    rows: list[tuple[str, object]] = [
        (t("report.file", lang), source.name),
        (t("report.errors", lang), len(errors)),
        (t("report.warnings", lang), len(warnings)),
        (t("report.rows", lang), len({i.row for i in errors if i.row is not None})),
    ]
    for r, (name, value) in enumerate(rows, start=1):
        _text(sheet.cell(r, 1), name)
        sheet.cell(r, 1).font = HEADER_FONT
        sheet.cell(r, 2).value = value if isinstance(value, int) else None
        if not isinstance(value, int):
            _text(sheet.cell(r, 2), value)
    start = len(rows) + 2
    _text(sheet.cell(start, 1), t("report.column", lang))
    _text(sheet.cell(start, 2), t("report.count", lang))
    sheet.cell(start, 1).font = sheet.cell(start, 2).font = HEADER_FONT
    by_column = Counter(i.column or t("report.whole_file", lang) for i in errors)
    for offset, (column, count) in enumerate(by_column.most_common(), start=1):
        _text(sheet.cell(start + offset, 1), column)
        sheet.cell(start + offset, 2).value = count
    _text(sheet.cell(start + len(by_column) + 2, 1), t("report.note", lang))
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40


def _issue_list(workbook: Workbook, issues: Sequence[Issue], lang: Language) -> None:
    sheet = workbook.create_sheet(t("report.issues", lang))
    headers = [t(f"report.{k}", lang) for k in ("row", "column", "value", "reason", "severity")]
    for c, header in enumerate(headers, start=1):
        _text(sheet.cell(1, c), header)
        sheet.cell(1, c).font = HEADER_FONT
    for r, issue in enumerate(issues, start=2):
        values = (
            issue.row,
            issue.column,
            issue.value,
            issue.reason,
            t("report.error" if issue.severity == "error" else "report.warning", lang),
        )
        for c, value in enumerate(values, start=1):
            _text(sheet.cell(r, c), "" if value is None else value)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (8, 20, 30, 70, 8), strict=True):
        sheet.column_dimensions[column].width = width
