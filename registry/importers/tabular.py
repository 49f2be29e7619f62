"""Spreadsheet-shaped files (CSV and XLSX) to rows of text cells with their row numbers.

Row numbers are the ones a user sees when opening the file in Excel (1-based, counting
the title and header rows), so every issue points at a cell the user can find. The
header row is found rather than assumed: catalogues often carry a title row or two
("XX局政务信息资源目录") above it. Cells of a merged range take the value of the range's
top-left cell, which is what the user sees in Excel.
"""

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from registry.importers.limits import DEFAULT, Limits, TooCostly
from registry.importers.source import BLOCK, Sniffed, decode, sha256, sniff_file
from registry.importers.workbook import BrokenWorkbook, read_grids
from registry.service.errors import Issue

HEADER_SEARCH_ROWS = 20
EXCEL_DIGITS_LIMIT = 10**15
"""From here on Excel cannot hold every digit of a number (it keeps 15)."""


@dataclass
class Table:
    file: str
    encoding: str | None = None
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    rows: Iterable[tuple[int, list[str]]] = field(default_factory=list)
    """Data rows; read lazily, once, when the table was streamed (``stream_table``)."""
    issues: list[Issue] = field(default_factory=list)
    sha256: str | None = None


def cell_text(value: Any) -> str:
    """Excel keeps numbers and dates typed; catalogues want their text. A whole number
    stored as a float (1.0) is shown by Excel as 1, and a date at midnight as the date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and abs(value) >= EXCEL_DIGITS_LIMIT:
        # Excel keeps 15 significant digits: show the number as Excel did, so a code that
        # went through a number column reads ...000 and is reported as such, instead of
        # the binary float's invented tail (...704) failing a check digit nobody typed.
        return str(int(Decimal(f"{value:.15g}")))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_table(path: Path, data: bytes, score: Callable[[Sequence[str]], int], limits: Limits = DEFAULT) -> Table:
    """``score`` counts how many cells of a row are known headers; the best-scoring row
    among the first few becomes the header row. A file beyond ``limits`` raises
    ``TooCostly`` before its grid is built."""
    if path.suffix.lower() == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        return Table(
            str(path),
            issues=[Issue(str(path), None, None, None, "old Excel .xls files cannot be read; save it as .xlsx or CSV")],
        )
    if data.startswith(b"PK"):
        try:
            grid = _best_sheet(read_grids(data, limits, cell_text), score)
        except BrokenWorkbook as exc:
            issue = Issue(str(path), None, None, None, f"not a readable .xlsx workbook: {exc}")
            return Table(str(path), issues=[issue])
        table = Table(str(path))
    else:
        decoded = decode(path, data)
        table = Table(str(path), encoding=decoded.encoding, issues=[decoded.issue] if decoded.issue else [])
        if decoded.text is None:
            return table
        try:
            grid = csv_grid(decoded.text, limits)
        except csv.Error as exc:
            reason = str(exc)
            if "field limit" in reason:
                reason = f"a cell holds more than {limits.max_cell_chars:,} characters"
            table.issues.append(Issue(str(path), None, None, None, f"not a readable CSV file: {reason}"))
            return table
    _split(table, grid, score)
    return table


def is_workbook(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(8)
    return path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or head.startswith((b"PK", b"\xd0\xcf\x11\xe0"))


def sniff_table(path: Path) -> Sniffed:
    """What a streamed table needs to know before its first pass: a CSV's encoding,
    checked over the whole file in blocks, and the file's digest."""
    if is_workbook(path):
        return Sniffed(None, None, sha256(path.read_bytes()))
    return sniff_file(path)


def bound_table(path: Path, sniffed: Sniffed, limits: Limits = DEFAULT) -> None:
    """Refuse a CSV beyond ``limits`` before it is parsed: its bytes bound its rows (a row
    ends at a newline) and its cells (a cell ends at a separator or a newline) from above,
    counted in blocks at the speed of reading; only a file whose bound is over a limit is
    read once with the csv module to count exactly (a quoted cell may hold newlines).
    A workbook is bounded by ``read_table`` itself before openpyxl builds anything."""
    if sniffed.encoding is None or is_workbook(path):
        return
    lines = separators = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
            separators += block.count(b",") + block.count(b"\t") + block.count(b";")
    if lines + 1 <= limits.max_rows and lines + 1 + separators <= limits.max_cells:
        return
    with path.open(encoding=sniffed.encoding, newline="") as text:
        first = next((line for line in text if line.strip()), "")
        text.seek(0)
        for _row in _csv_rows(text, max(",\t;", key=first.count) if first else ",", limits):
            pass


def stream_table(
    path: Path, score: Callable[[Sequence[str]], int], sniffed: Sniffed, limits: Limits = DEFAULT
) -> Table:
    """``read_table`` for a CSV that is read as its rows are used, within the same
    ``limits`` (checked row by row), so that a province's catalogue is never held whole.
    ``sniffed`` is ``sniff_table``'s finding, made once for every pass over the file.
    Workbooks are read whole: Excel's row limit keeps them small."""
    if is_workbook(path):
        table = read_table(path, path.read_bytes(), score, limits)
        table.sha256 = sniffed.sha256
        return table
    table = Table(str(path), encoding=sniffed.encoding, issues=[sniffed.issue] if sniffed.issue else [])
    table.sha256 = sniffed.sha256
    if sniffed.encoding is None:
        return table
    text = path.open(encoding=sniffed.encoding, newline="")
    first = next((line for line in text if line.strip()), "")
    text.seek(0)
    delimiter = max(",\t;", key=first.count) if first else ","
    rows = _csv_rows(text, delimiter, limits)
    head_rows = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
    _split(table, head_rows, score, rest=rows)
    if table.header_row is None:
        text.close()
    return table


def _csv_rows(handle: TextIO, delimiter: str, limits: Limits) -> Iterator[list[str]]:
    """Rows of a CSV, each checked against ``limits`` before it is handed on."""
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        count = cells = 0
        max_rows, max_cells, max_chars = limits.max_rows, limits.max_cells, limits.max_cell_chars
        try:
            for row in reader:
                count += 1
                cells += len(row)
                if count > max_rows or cells > max_cells:
                    raise TooCostly(
                        f"row {reader.line_num}: the file has more than {max_rows:,} rows or {max_cells:,} cells"
                    )
                if row and max(map(len, row)) > max_chars:
                    column = next(i for i, cell in enumerate(row, start=1) if len(cell) > max_chars)
                    raise TooCostly(
                        f"row {reader.line_num}, column {column} holds {len(row[column - 1]):,} characters, more "
                        f"than the {max_chars:,} a cell may"
                    )
                yield list(map(str.strip, row))
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise TooCostly(f"row {reader.line_num}: a cell holds more than {max_chars:,} characters") from None
            raise


def csv_grid(text: str, limits: Limits = DEFAULT) -> list[list[str]]:
    sample = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=sample.count) if sample else ","
    grid: list[list[str]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        cells += len(row)
        if len(grid) >= limits.max_rows or cells > limits.max_cells:
            raise TooCostly(
                f"row {reader.line_num}: the file has more than {limits.max_rows:,} rows or {limits.max_cells:,} cells"
            )
        for column, cell in enumerate(row, start=1):
            if len(cell) > limits.max_cell_chars:
                raise TooCostly(
                    f"row {reader.line_num}, column {column} holds {len(cell):,} characters, more than the "
                    f"{limits.max_cell_chars:,} a cell may"
                )
        grid.append([cell.strip() for cell in row])
    return grid


def _best_sheet(sheets: list[tuple[str, list[list[str]]]], score: Callable[[Sequence[str]], int]) -> list[list[str]]:
    """The sheet whose first rows look most like a catalogue's header."""
    best: list[list[str]] = []
    best_score = -1
    for _title, grid in sheets:
        found = max((score(row) for row in grid[:HEADER_SEARCH_ROWS]), default=0)
        if found > best_score:
            best, best_score = grid, found
    return best


def header_index(head: Sequence[Sequence[str]], score: Callable[[Sequence[str]], int]) -> int | None:
    """The index of the best-scoring row (the first of equals), or None when no row names
    a catalogue column."""
    if not head:
        return None
    scores = [score(row) for row in head]
    index = max(range(len(head)), key=lambda i: (scores[i], -i))
    return index if scores[index] > 0 else None


def _split(
    table: Table, grid: list[list[str]], score: Callable[[Sequence[str]], int], rest: Iterator[list[str]] | None = None
) -> None:
    """``rest``: the rows after ``grid`` when the file is streamed; then the table's rows
    are read as they are used."""
    head = grid[:HEADER_SEARCH_ROWS]
    if not head:
        table.issues.append(Issue(table.file, None, None, None, "the file is empty"))
        return
    index = header_index(head, score)
    if index is None:
        table.issues.append(
            Issue(table.file, None, None, None, "no header row found: none of the first rows names catalogue columns")
        )
        return
    table.header_row = index + 1
    table.headers = list(grid[index])
    data = _data_rows(len(table.headers), index + 2, grid[index + 1 :], rest or iter(()))
    table.rows = data if rest is not None else list(data)


def _data_rows(
    width: int, start: int, first: list[list[str]], rest: Iterator[list[str]]
) -> Iterator[tuple[int, list[str]]]:
    """Non-empty rows numbered as Excel shows them, cut or padded to the header's width."""
    for number, row in enumerate(itertools.chain(first, rest), start=start):
        if any(row):
            yield number, (row + [""] * (width - len(row)))[:width] if len(row) != width else row
