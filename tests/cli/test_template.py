"""``registry template``: a blank catalogue that a department fills in and that imports first time."""

from pathlib import Path

from openpyxl import load_workbook

from registry.schema.codes import make_credit_code
from tests.cli.conftest import Run, counts


def test_template_has_headers_instructions_and_drop_downs(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "目录模板.xlsx"
    result = run("template", str(path))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames[:2] == ["填写说明", "信息资源目录"]
    sheet = workbook["信息资源目录"]
    headers = [c.value for c in sheet[1]]
    assert {"*信息资源名称", "*信息资源代码", "*信息项名称", "共享类型", "更新周期"} <= set(headers)
    share_type = get_letter(headers, "共享类型")
    validations = {str(v.sqref).split(":")[0][:-1]: v for v in sheet.data_validations.dataValidation}
    assert validations[share_type].type == "list" and validations[share_type].errorStyle == "stop"
    options = workbook["选项"]
    column = [c.value for c in options[share_type] if c.value]
    assert column == ["无条件共享", "有条件共享", "不予共享"]
    code = get_letter(headers, "*信息资源提供方代码")
    assert sheet[f"{code}2"].number_format == "@"  # Excel keeps all 18 characters
    guide = [row[0].value for row in workbook["填写说明"].iter_rows(min_row=4)]
    assert guide == headers


def get_letter(headers: list[str], name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(headers.index(name) + 1)


def test_a_filled_template_imports_first_time(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    run("template", str(path))
    workbook = load_workbook(path)
    sheet = workbook["信息资源目录"]
    headers = [c.value for c in sheet[1]]
    code = make_credit_code("11", "330100", "00257061")
    rows = [
        {
            "*信息资源名称": "居民户籍信息",
            "*信息资源代码": "10101/001",
            "*信息资源提供方": "杭州市公安局",
            "*信息资源提供方代码": code,
            "*信息项名称": "公民身份号码",
            "数据类型": "字符型",
            "共享类型": "有条件共享",
            "共享条件": "用于社保业务办理",
            "共享方式": "共享平台接口",
            "更新周期": "每日",
            "是否向社会开放": "否",
            "信息资源分类": "基础信息资源",
            "信息资源格式": "数据库",
            "发布日期": "2024-03-01",
        },
        {"*信息资源代码": "10101/001", "*信息项名称": "姓名", "数据类型": "字符型"},
    ]
    for r, values in enumerate(rows, start=2):
        for name, value in values.items():
            sheet.cell(r, headers.index(name) + 1, value)
    workbook.save(path)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    found = counts(run("stats").output)
    assert found["Dataset"] == 1 and found["Field"] == 2
