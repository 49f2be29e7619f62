"""An .xlsx workbook to grids of cell text, at a cost known before openpyxl builds anything.

An xlsx is a zip of XML, and both layers can lie: a member can claim to unpack to
gigabytes, a sheet's ``<dimension>`` can claim a million rows, one ``<mergeCell
ref="A1:XFD1048576"/>`` asks for 17 billion cells, and a row numbered 1048576 after row
1 makes openpyxl yield a million empty rows. So the zip directory is checked first
(members, declared sizes, compression ratio, no DTDs, whose entities are how XML bombs
work), then each sheet's XML is scanned for the grid it really describes: rows by their
numbers, each row's cells up to its rightmost one, and the merged ranges clipped to that
grid. Only a workbook within ``Limits`` is handed to openpyxl, in read-only mode (cells
streamed, not kept) with the sheet's declared dimension ignored; merged ranges are filled
here from the scan, the way Excel shows them (every cell takes the top-left value).
"""

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from openpyxl.utils.cell import column_index_from_string, range_boundaries

from registry.importers.limits import Limits, TooCostly

_PROLOG_BYTES = 4096
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br\s*=\s*["'](\d+)["']""")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_COLUMN = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d""")
_MERGE = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_PROLOG = (b"<!DOCTYPE", b"<!ENTITY")


class BrokenWorkbook(ValueError):
    """The workbook is not a valid xlsx; the message says what is wrong with it."""


@dataclass
class SheetShape:
    """What a sheet's XML describes: its rows (by number) and their widths, its merges."""

    rows: int = 0
    cells: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def merged_area(self) -> int:
        """Cells the merged ranges cover as declared: what openpyxl's full (not read-only)
        mode would create one object for each of."""
        return sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in self.merges)


def _check_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise TooCostly(f"the workbook has {len(members):,} parts, more than {limits.max_members:,}")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped:
        raise TooCostly(
            f"the workbook unpacks to {total:,} bytes, more than the {limits.max_unzipped:,} an import may read"
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise TooCostly(
                f"part {member.filename} unpacks {member.file_size // max(member.compress_size, 1):,} times "
                f"its packed size (at most {limits.max_ratio} for a workbook): a zip bomb is refused"
            )
        if member.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as handle:
                prolog = handle.read(_PROLOG_BYTES)
            if any(marker in prolog for marker in _PROLOG):
                raise BrokenWorkbook(f"part {member.filename} declares a DTD, which no workbook needs")


def scan_sheet(xml: bytes, sheet: str, limits: Limits) -> SheetShape:
    """The grid openpyxl would produce for this sheet, bounded without building it: rows
    up to the highest row number (openpyxl yields the missing ones empty), each as wide
    as the rightmost column any row uses. The counting runs in the regex engine (a
    million-row sheet in about a second), not in a Python loop per cell."""
    shape = SheetShape()
    rows = xml.count(b"<row ") + xml.count(b"<row>")
    if b":row" in xml:  # a namespace prefix (rare): counted by pattern instead
        rows = len(_ROW.findall(xml))
    if rows > limits.max_rows:
        raise TooCostly(f"sheet {sheet!r} has {rows:,} rows; at most {limits.max_rows:,} are read")
    numbers = _ROW_NUMBER.findall(xml)
    highest = max(map(int, numbers), default=0) + (rows - len(numbers))
    if highest > limits.max_rows:
        raise TooCostly(f"sheet {sheet!r} reaches row {highest:,}; at most {limits.max_rows:,} rows are read")
    cells = len(_CELL.findall(xml))
    columns = _CELL_COLUMN.findall(xml)
    widest = max((column_index_from_string(c.decode("ascii").upper()) for c in set(columns)), default=0)
    widest += cells - len(columns)
    shape.rows, shape.cells = highest, highest * widest
    if cells > limits.max_cells or shape.cells > limits.max_cells:
        raise TooCostly(
            f"sheet {sheet!r} spans {highest:,} rows by {widest:,} columns, more than the {limits.max_cells:,} "
            "cells an import reads"
        )
    refs = _MERGE.findall(xml)
    if len(refs) > limits.max_merges:
        raise TooCostly(f"sheet {sheet!r} has {len(refs):,} merged ranges; at most {limits.max_merges:,} are read")
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii", "replace"))
        except (TypeError, ValueError):
            raise BrokenWorkbook(f"sheet {sheet!r} has a merged range {ref!r} that is not a cell range") from None
        shape.merges.append((min_row or 1, min_col or 1, max_row or min_row or 1, max_col or min_col or 1))
    return shape


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    return sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _fill_merges(grid: list[list[str]], merges: Sequence[tuple[int, int, int, int]], limits: Limits) -> None:
    """Every cell of a merged range shows the top-left value, clipped to the cells the
    sheet has (a range past them adds nothing the user could see)."""
    budget = limits.max_cells
    for min_row, min_col, max_row, max_col in merges:
        if min_row > len(grid):
            continue
        top = grid[min_row - 1]
        value = top[min_col - 1] if min_col <= len(top) else ""
        for r in range(min_row, min(max_row, len(grid)) + 1):
            row = grid[r - 1]
            last = min(max_col, len(row))
            if last < min_col:
                continue
            budget -= last - min_col + 1
            if budget < 0:
                raise TooCostly(f"the merged ranges fill more than {limits.max_cells:,} cells")
            row[min_col - 1 : last] = [value] * (last - min_col + 1)


def check(data: bytes, limits: Limits) -> dict[str, SheetShape]:
    """Each sheet's shape by its part name, after the zip directory and every sheet passed
    ``limits``; ``BrokenWorkbook`` or ``TooCostly`` otherwise. Nothing is inflated but the
    first bytes of each XML part and the sheets themselves (within the unpacked bound)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_members(archive, limits)
        shapes: dict[str, SheetShape] = {}
        cells = 0
        for name in _sheet_paths(archive):
            shape = shapes[name] = scan_sheet(archive.read(name), name.rsplit("/", 1)[-1], limits)
            cells += shape.cells
            if cells > limits.max_cells:
                raise TooCostly(f"the workbook holds more than {limits.max_cells:,} cells")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise BrokenWorkbook(f"the zip container is damaged ({exc})") from None
    return shapes


def read_grids(data: bytes, limits: Limits, cell_text: Callable[[object], str]) -> list[tuple[str, list[list[str]]]]:
    """Each sheet's title and its grid of cell text; ``BrokenWorkbook`` or ``TooCostly`` when
    the workbook is broken or beyond the limits."""
    from openpyxl import load_workbook

    shapes = check(data, limits)
    grids: list[tuple[str, list[list[str]]]] = []
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()
            grid: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True):
                row = [cell_text(v) for v in values]
                for column, text in enumerate(row, start=1):
                    if len(text) > limits.max_cell_chars:
                        raise TooCostly(
                            f"sheet {sheet.title!r}, row {len(grid) + 1}, column {column} holds "
                            f"{len(text):,} characters, more than the {limits.max_cell_chars:,} a cell may"
                        )
                grid.append(row)
            shape = shapes.get(getattr(sheet, "_worksheet_path", "").lstrip("/"))
            if shape is not None:
                _fill_merges(grid, shape.merges, limits)
            grids.append((sheet.title, grid))
    finally:
        workbook.close()
    return grids
