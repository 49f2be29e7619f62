"""What a department's data team meets every day: reports to send back, machine-readable
results for import jobs, Chinese messages, clear errors on a mistyped store, honest dry runs."""

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry import demo
from tests.cli import catalogue
from tests.cli.conftest import Run, summary

BAD = Path(demo.__file__).parent / "examples" / "bad-catalogue.csv"


def test_bundled_bad_example_gives_a_report_workbook(run: Run, tmp_path: Path, store: Path) -> None:
    report = tmp_path / "退回意见.xlsx"
    result = run("--lang", "zh", "import", str(BAD), "--report", str(report))
    assert result.exit_code == 2
    assert not store.exists() or "ImportBatch" not in run("stats").output
    workbook = load_workbook(report)
    assert workbook.sheetnames[0] == "汇总"
    summary_sheet = workbook["汇总"]
    assert summary_sheet["B2"].value == 10  # errors
    sheet = workbook["目录"]
    # row 2, column 共享类型 (J): '部分共享' highlighted, with the reason and the allowed values in Chinese
    cell = sheet["J2"]
    assert cell.value == "部分共享"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None and "无条件共享、有条件共享、不予共享" in cell.comment.text
    # a cell without a problem is left as it was
    assert sheet["B2"].value == "人口基本信息" and sheet["B2"].comment is None
    issues = workbook["问题清单"]
    assert issues.max_row == 11  # header + 10 issues


def test_report_keeps_a_department_xlsx_layout(run: Run, tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "importers" / "fixtures" / "zj_zrzy_catalogue_merged.xlsx"
    report = tmp_path / "report.xlsx"
    run("import", "--dry-run", str(source), "--report", str(report))
    original = load_workbook(source)
    annotated = load_workbook(report)
    assert original.sheetnames[0] in annotated.sheetnames
    before = original.worksheets[0]
    after = annotated[before.title]
    assert [[c.value for c in row] for row in before.iter_rows(max_row=5)] == [
        [c.value for c in row] for row in after.iter_rows(max_row=5)
    ]


def test_report_cells_are_never_formulas(run: Run, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(BAD.read_text(encoding="utf-8").replace("常住人口基本信息", "=cmd|' /C calc'!A0"), "utf-8")
    report = tmp_path / "r.xlsx"
    run("import", str(hostile), "--report", str(report))
    cell = load_workbook(report).worksheets[1]["F2"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


def test_json_result_per_file_for_import_jobs(run: Run, tmp_path: Path) -> None:
    refused = run("import", str(BAD), "--json")
    assert refused.exit_code == 2
    [result] = json.loads(refused.stdout)
    assert result["status"] == "refused" and result["batch"] is None
    assert len([i for i in result["issues"] if i["severity"] == "error"]) == 10
    assert {"row": 2, "column": "共享类型", "value": "部分共享"}.items() <= result["issues"][0].items()

    good = catalogue.write(tmp_path / "hz.csv", [1, 2])
    loaded = run("import", str(good), "--json")
    assert loaded.exit_code == 0, loaded.output
    [result] = json.loads(loaded.stdout)
    assert result["status"] == "loaded" and result["batch"].startswith("batch-")
    assert result["counts"]["created"] > 0 and result["by_kind"]["Dataset"] == {"created": 2}


def test_chinese_is_the_default_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from registry.cli import main

    monkeypatch.delenv("REGISTRY_LANG")
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "r.db"), "import", str(BAD)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "10 个无效值" in result.output and "不是有效的共享类型" in result.output
    english = CliRunner().invoke(
        main, ["--store", str(tmp_path / "r.db"), "import", str(BAD)], env={"COLUMNS": "250", "LANG": "en_US.UTF-8"}
    )
    assert "10 invalid value(s)" in english.output


def test_a_mistyped_store_is_an_error_not_an_empty_registry(run: Run, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from registry.cli import main

    typo = tmp_path / "regsitry.db"
    commands = (["duplicates"], ["gaps"], ["check"], ["stats"], ["show", "x"], ["export", str(tmp_path / "e.json")])
    for command in commands:
        result = CliRunner().invoke(main, ["--store", str(typo), *command])
        assert result.exit_code == 1, (command, result.output)
        assert "no registry at" in result.output
        assert not typo.exists()


def test_dry_run_says_the_retire_limit_would_be_hit(run: Run, tmp_path: Path) -> None:
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4, 5]))).exit_code == 0
    fewer = catalogue.write(tmp_path / "hz.csv", [1, 2])
    dry = run("import", "--dry-run", str(fewer))
    assert dry.exit_code == 0
    assert "the retire limit would be hit" in dry.output and "--force" in dry.output
    assert "居民户籍信息" not in dry.output.split("would be retired")[1]  # kept ones are not listed
    assert "婚姻登记信息" in dry.output  # retired ones are listed with their names
    real = run("import", str(fewer))
    assert real.exit_code == 1 and "--force" in real.output
    assert "pass force" not in real.output


def test_skip_invalid_counts_what_was_left_out(run: Run) -> None:
    result = run("import", "--skip-invalid", str(BAD))
    assert result.exit_code == 0, result.output
    row = summary(result.output.split("Import summary")[1], BAD.name)
    assert row["rejected"] == 5  # five resources, every one with a bad row, all left out
    assert "7 invalid row(s); 5 entries were left out" in result.output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from click.testing import CliRunner

    from registry.cli import main

    store = tmp_path_factory.mktemp("demo") / "registry.db"
    result = CliRunner().invoke(main, ["--store", str(store), "demo"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return store, result.output


def _cli(store: Path, *args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from registry.cli import main

    result = CliRunner().invoke(main, ["--store", str(store), *args], env={"COLUMNS": "250"})
    return result.exit_code, result.stdout


def test_check_csv_has_every_finding_the_table_has(demo_run: tuple[Path, str]) -> None:
    import csv
    import io

    store, _ = demo_run
    code, out = _cli(store, "check", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    code_json, out_json = _cli(store, "check", "--json")
    payload = json.loads(out_json)
    assert code == code_json == 1
    assert len(payload["placement"]) + len(payload["completeness"]) == 4
    assert len(rows) == sum(len(section) for section in payload.values())
    assert {r["rule"] for r in rows} == {f["rule"] for section in payload.values() for f in section}
    assert {"NET-1", "NET-3", "SHR-1", "PRJ-1", "REQ-1", "SRC-1"} <= {r["rule"] for r in rows}


def test_demo_summary_counts_what_it_lists(demo_run: tuple[Path, str]) -> None:
    store, output = demo_run
    summary_line = next(line for line in output.splitlines() if line.startswith("What the analyses found"))
    _, gaps_json = _cli(store, "gaps", "--json")
    assert f"{len(json.loads(gaps_json))} sharing gaps" in summary_line
    _, systems = _cli(store, "duplicates", "--json")
    _, datasets = _cli(store, "duplicates", "--kind", "dataset", "--json")
    groups = len(json.loads(systems)) + len(json.loads(datasets))
    assert f"{groups} duplicate groups" in summary_line
    listed = output.split("What the analyses found")[1]
    if groups > 5:
        assert f"… and {groups - 5} more: registry duplicates" in listed


def test_matrix_as_pivot_csv_and_heat_map(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    import csv
    import io

    store, _ = demo_run
    _, out = _cli(store, "gaps", "--matrix", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    header = rows[0]
    assert header[0] == "provider \\ consumer" and header[-1] == "total"
    assert len(rows) - 1 == len(header) - 2  # square: as many provider rows as consumer columns
    assert sum(int(r[-1]) for r in rows[1:]) == 62  # 56 declared, 6 from delivered sharing requests
    xlsx = tmp_path / "matrix.xlsx"
    code, _ = _cli(store, "gaps", "--xlsx", str(xlsx))
    assert code == 0
    sheet = load_workbook(xlsx).active
    assert sheet.conditional_formatting  # heat colouring
    assert sheet.cell(1, 2).value == header[1]


def test_codes_are_not_folded_and_wide_prints_whole_rows(demo_run: tuple[Path, str]) -> None:
    from click.testing import CliRunner

    from registry.cli import main

    store, _ = demo_run
    narrow = CliRunner().invoke(main, ["--store", str(store), "--lang", "zh", "check"], env={"COLUMNS": "80"})
    assert "100000-GA-XT002" in narrow.stdout
    wide = CliRunner().invoke(main, ["--store", str(store), "check", "--wide"], env={"COLUMNS": "80"})
    assert any("100000-GA-XT002 公安交通管理综合应用平台" in line for line in wide.stdout.splitlines())


def test_a_credit_code_excel_stored_as_a_number_is_named_as_such(run: Run, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["信息资源名称", "信息资源代码", "信息资源提供方", "信息资源提供方代码", "信息项名称"])
    sheet.append(["人口基本信息", "10101/001", "浙江省公安厅", 113300000024876760, "姓名"])  # Excel's float
    path = tmp_path / "number.xlsx"
    workbook.save(path)
    result = run("import", str(path), "--json")
    assert result.exit_code == 2
    [issue] = [i for i in json.loads(result.stdout)[0]["issues"] if i["column"] == "信息资源提供方代码"]
    assert issue["value"] == "113300000024877000"  # what Excel showed, not the float's tail
    assert "format the column as text" in issue["reason"]
