"""A catalogue with ten bad cells: all ten reported with row and column, nothing written."""

import csv
import re
from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from registry.schema.codes import make_credit_code
from tests.cli.conftest import Run

HEADERS = [
    "信息资源分类",
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源摘要",
    "信息资源格式",
    "信息项名称",
    "数据类型",
    "共享类型",
    "共享条件",
    "共享方式",
    "是否向社会开放",
    "更新周期",
    "发布日期",
]
PROVIDER = ("杭州市数据资源管理局", make_credit_code("11", "330100", "00257061"))
GOOD = ["基础信息资源", "居民户籍信息", "101330100/001", *PROVIDER, "户籍人口基础信息", "数据库/oracle"]


def _row(**changes: str) -> list[str]:
    values = dict(
        zip(
            HEADERS,
            [*GOOD, "姓名", "C", "有条件共享", "用于政务服务身份核验", "共享平台/接口", "否", "每日", "2023-05-01"],
            strict=True,
        )
    )
    values.update(changes)
    return [values[h] for h in HEADERS]


# (row in the file, header, changes): each resource is one row with exactly one bad cell
BAD = [
    (3, "信息资源提供方代码", {"信息资源代码": "101330100/002", "信息资源提供方代码": "91330100MA27XL6T1X"}),
    (4, "共享类型", {"信息资源代码": "101330100/003", "共享类型": "部分共享"}),
    (5, "共享条件", {"信息资源代码": "101330100/004", "共享条件": ""}),
    (6, "信息资源名称", {"信息资源代码": "101330100/005", "信息资源名称": ""}),
    (7, "发布日期", {"信息资源代码": "101330100/006", "发布日期": "2023-13-45"}),
    (8, "更新周期", {"信息资源代码": "101330100/007", "更新周期": "每两天"}),
    (9, "共享方式", {"信息资源代码": "101330100/008", "共享方式": "飞鸽传书"}),
    (10, "数据类型", {"信息资源代码": "101330100/009", "数据类型": "Z型"}),
    (11, "是否向社会开放", {"信息资源代码": "101330100/010", "是否向社会开放": "也许"}),
    (12, "信息资源代码", {"信息资源代码": "资源#01"}),
]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _reported(output: str) -> set[tuple[int, str]]:
    found = set()
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if len(cells) == 5 and cells[1].isdigit():
            found.add((int(cells[1]), cells[2]))
    return found


def test_ten_bad_cells_are_all_reported_and_nothing_is_written(run: Run, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.csv", [_row()])
    assert run("import", str(good)).exit_code == 0
    before = run("stats").output

    bad = _write(tmp_path / "bad.csv", [_row(), *(_row(**changes) for _, _, changes in BAD)])
    result = run("import", str(bad))

    assert result.exit_code == 2, result.output
    assert _reported(result.output) == {(row, column) for row, column, _ in BAD}
    assert "10 invalid value(s)" in result.output
    assert "Traceback" not in result.output
    assert run("stats").output == before


def test_skip_invalid_loads_the_good_rows(run: Run, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", [_row(), *(_row(**changes) for _, _, changes in BAD)])
    result = run("import", "--skip-invalid", str(bad))
    assert result.exit_code == 0, result.output
    assert "10 invalid value(s) skipped" in result.output
    shown = run("show", "101330100/001")
    assert shown.exit_code == 0 and "居民户籍信息" in shown.output
    assert run("show", "101330100/003").exit_code == 1


def test_user_errors_are_messages_not_tracebacks(run: Run, tmp_path: Path) -> None:
    missing = run("import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    unknown = run("import", "--format", "dbase", str(_write(tmp_path / "a.csv", [_row()])))
    assert unknown.exit_code == 2 and "dbase" in unknown.output
    odd = tmp_path / "notes.txt"
    odd.write_text("hello", encoding="utf-8")
    undetected = run("import", str(odd))
    assert undetected.exit_code == 2 and "cannot tell the format" in undetected.output
    not_a_store = tmp_path / "garbage.db"
    not_a_store.write_bytes(b"this is not a database" * 100)
    broken = CliRunner().invoke(main, ["--store", str(not_a_store), "stats"])
    assert broken.exit_code == 1 and "cannot open the registry file" in broken.output
    for result in (missing, unknown, undetected, broken):
        assert result.exception is None or isinstance(result.exception, SystemExit)
