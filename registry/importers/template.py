"""A blank department catalogue that imports first time.

Departments fill in a sheet with the standard headers (2017 编制指南 layout, one row per
信息项), an instructions sheet, and drop-down lists for every enumerated column, fed from
the same labels the importer accepts. Code and date columns are formatted as text, so
Excel cannot turn an 18-digit 统一社会信用代码 into a number and lose its last digits.
"""

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from registry.i18n import ENUM_LABELS
from registry.importers.catalogue import COLUMNS, REQUIRED
from registry.schema.enums import DataType, FormatCategory, ResourceCategory, ShareMode, ShareType, UpdateCycle

TEMPLATE_ROWS = 2000
"""Rows prepared with drop-downs and text formats; a department with more can copy them."""


@dataclass(frozen=True)
class ColumnGuide:
    column: str
    meaning: str
    example: str
    choices: type[Enum] | tuple[str, ...] | None = None
    text: bool = False
    """Formatted as text (codes and dates keep every character as typed)."""
    strict: bool = True
    """Drop-down values only; otherwise a warning, as for 信息资源格式 ("数据库/oracle")."""


GUIDE: tuple[ColumnGuide, ...] = (
    ColumnGuide("category", "信息资源分类：基础、主题或部门信息资源", "基础信息资源", ResourceCategory),
    ColumnGuide("name", "信息资源名称", "人口基本信息"),
    ColumnGuide("resource_code", "信息资源代码，按编制指南填写（如 10101/001），原样保留", "10101/001", text=True),
    ColumnGuide("provider", "信息资源提供方（部门全称）", "浙江省公安厅"),
    ColumnGuide("provider_code", "提供方的 18 位统一社会信用代码", "11330000002487676F", text=True),
    ColumnGuide("abstract", "信息资源摘要：内容、用途", "常住人口基本信息"),
    ColumnGuide("format", "信息资源格式：格式分类，可加 / 写格式类型", "数据库/oracle", FormatCategory, strict=False),
    ColumnGuide("item", "信息项名称：每行一个信息项；同一资源的其他列可只在首行填写", "公民身份号码"),
    ColumnGuide("data_type", "数据类型（可写 字符型(18) 同时给出长度）", "字符型", DataType, strict=False),
    ColumnGuide("length", "信息项长度（整数）", "18"),
    ColumnGuide("element", "对应的数据元名称（可选）", "公民身份号码"),
    ColumnGuide("element_code", "数据元编码（可选）", "DE01001", text=True),
    ColumnGuide("share_type", "共享类型", "有条件共享", ShareType),
    ColumnGuide("share_condition", "共享条件；有条件共享须写条件，不予共享须写法律或政策依据", "用于社会保障业务办理"),
    ColumnGuide("share_mode", "共享方式", "共享平台接口", ShareMode, strict=False),
    ColumnGuide("interface", "技术接口：接口编码或地址", "https://data.example.gov.cn/api/rk", text=True),
    ColumnGuide("open_to_public", "是否向社会开放", "否", ("是", "否")),
    ColumnGuide("open_condition", "开放条件", ""),
    ColumnGuide("update_cycle", "更新周期", "每日", UpdateCycle),
    ColumnGuide("published_on", "发布日期，写作 2023-05-01", "2023-05-01", text=True),
    ColumnGuide("related", "关联资源代码，多个用 ; 分隔", "10101/002", text=True),
    ColumnGuide("processing_method", "加工处理方法", "按月汇总去重"),
    ColumnGuide("traceability", "信息可追溯要求", "记录来源系统和采集时间"),
)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")


def header(guide: ColumnGuide) -> str:
    """The standard header; required columns carry a ``*``, which the importer ignores."""
    name = COLUMNS[guide.column][0]
    return f"*{name}" if guide.column in REQUIRED else name


def choices(guide: ColumnGuide) -> list[str]:
    if guide.choices is None:
        return []
    if isinstance(guide.choices, tuple):
        return list(guide.choices)
    return [zh for zh, _ in ENUM_LABELS[guide.choices].values()]


def write_template(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "信息资源目录"
    lists = workbook.create_sheet("选项")
    for index, guide in enumerate(GUIDE, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(1, index, header(guide))
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if guide.column in REQUIRED else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = max(12, len(header(guide)) * 2 + 2)
        if guide.text:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row, index).number_format = "@"
        values = choices(guide)
        if values:
            for offset, value in enumerate(values, start=1):
                lists.cell(offset, index, value)
            rule = DataValidation(
                type="list",
                formula1=f"=选项!${letter}$1:${letter}${len(values)}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if guide.strict else "warning",
                errorTitle=header(guide).lstrip("*"),
                error="请从下拉列表中选择" if guide.strict else "不在标准取值中，请确认",
            )
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    _instructions(workbook)
    workbook.save(path)


def _instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("填写说明", 0)
    rows = [
        ("政务信息资源目录 填写说明", "", "", ""),
        ("每行一个信息项；同一信息资源的资源列可只在首行填写，也可每行重复。带 * 的列必填。", "", "", ""),
        ("列名", "说明", "可填的值", "示例"),
    ]
    rows += [(header(g), g.meaning, "、".join(choices(g)), g.example) for g in GUIDE]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(r, c, value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r in (1, 3):
                cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (20, 50, 50, 28), strict=True):
        sheet.column_dimensions[letter].width = width
