"""A file with thousands of bad values: the table shows the first of each column and
counts the rest, and the full list goes to a report workbook beside the file (printing
200,000 issues one by one once took over a minute)."""

import time
from pathlib import Path

from openpyxl import load_workbook

from tests.cli.conftest import Run
from tests.cli.test_bad_input import _row, _write

BAD_ROWS = 600


def test_many_bad_values_are_summarised_and_listed_in_full(run: Run, tmp_path: Path, store: Path) -> None:
    rows = [_row(**{"信息资源代码": f"101330100/{i:03d}", "数据类型": "=Z型"}) for i in range(1, BAD_ROWS + 1)]
    bad = _write(tmp_path / "目录.csv", rows)
    result = run("import", str(bad))
    assert result.exit_code == 2, result.output
    assert f"and {BAD_ROWS - 20:,} more like these" in result.output
    assert sum(1 for line in result.output.splitlines() if "'=Z型'" in line) == 20
    report = tmp_path / "目录.csv.issues.xlsx"
    assert "the report was written to" in result.output and report.exists()
    listed = load_workbook(report, read_only=True)["Issues"]
    rows_listed = list(listed.iter_rows(min_row=2, values_only=True))
    assert len(rows_listed) == BAD_ROWS
    assert sorted(int(r[0]) for r in rows_listed) == list(range(2, BAD_ROWS + 2))
    assert {r[2] for r in rows_listed} == {"=Z型"}, "kept as text, never a formula"
    assert not store.exists()


def test_a_hostile_workbook_is_not_reproduced_in_its_report(run: Run, tmp_path: Path) -> None:
    """--report on a merge bomb: the report is the summary and the issue list, written in
    moments, instead of openpyxl expanding the bomb to copy the sheet."""
    from tests.importers.hostile import CORPUS

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(CORPUS["merge-bomb-full-sheet.xlsx"]())
    report = tmp_path / "report.xlsx"
    started = time.monotonic()
    result = run("import", "--report", str(report), str(bomb))
    assert time.monotonic() - started < 20
    assert result.exit_code == 2
    book = load_workbook(report)
    assert book.sheetnames == ["Summary", "Sheet", "Issues"]
    assert book["Sheet"].max_row == 1 and book["Sheet"]["A1"].value is None, "the bomb's sheet is not copied"
    assert book["Issues"].max_row >= 2
