"""``registry review``: list findings with their status, dismiss and confirm with a reason,
export the confirmed ones; the same decisions the web page records."""

from pathlib import Path

from openpyxl import load_workbook

from registry import demo
from registry.importers import read
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from tests.cli.conftest import Run


def _demo(store: Path) -> None:
    sqlite = SQLiteStore(store)
    service = RegistryService(sqlite)
    for path in demo.files():
        service.load(read(path), Caller.system("demo"))
    sqlite.close()


def _ids(output: str, rule: str) -> list[str]:
    cells = (line.split("│")[1].strip() for line in output.splitlines() if line.count("│") > 1)
    return [cell for cell in cells if cell.startswith(rule)]


def test_review_from_the_command_line(run: Run, store: Path, tmp_path: Path) -> None:
    _demo(store)
    listed = run("--lang", "zh", "review", "list", "--rule", "NET-3")
    assert listed.exit_code == 0, listed.output
    first, second = _ids(listed.output, "NET-3-")
    assert listed.output.count("待复核") == 2

    dismissed = run("--lang", "zh", "review", "dismiss", first, "--reason", "该专网已列入2025年迁移计划")
    assert dismissed.exit_code == 0, dismissed.output
    assert f"已记录：{first} 已驳回" in dismissed.output
    assert _ids(run("--lang", "zh", "review", "list", "--status", "dismissed").output, "NET-3-") == [first]
    still_open = run("--lang", "zh", "review", "list", "--status", "open", "--rule", "NET-3")
    assert _ids(still_open.output, "NET-3-") == [second]

    assert run("--lang", "zh", "review", "confirm", second, "--reason", "须迁移至电子政务外网").exit_code == 0
    report = tmp_path / "已确认问题.xlsx"
    exported = run("--lang", "zh", "review", "export", str(report))
    assert exported.exit_code == 0 and "1 条已确认问题" in exported.output
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == second and rows[1][7] == "须迁移至电子政务外网"

    unknown = run("--lang", "zh", "review", "dismiss", "NET-3-000000000000", "--reason", "无")
    assert unknown.exit_code == 1 and "没有编号为 NET-3-000000000000 的问题" in unknown.output
    missing_reason = run("--lang", "zh", "review", "dismiss", second)
    assert missing_reason.exit_code == 2 and "--reason" in missing_reason.output
