"""The national catalogue sheet (政务信息资源目录, 2017 编制指南 layout) of one department, as
XLSX, in the layout the ``catalogue`` importer reads: importing it back changes nothing.

One row per 信息项, the resource columns repeated on every row (the importer checks they
agree), values as the importer's Chinese labels (有条件共享, 每日, 是/否, 电子表格/CSV).
Every cell is written as text, so a spreadsheet never runs a value as a formula and never
turns an 18-digit code into a number. Written with openpyxl's write-only workbook, row by
row. What the layout cannot carry is said in ``notes``: a dataset without 信息项 (the sheet
has no row for it) and a dataset's interfaces after the first.

A catalogue is its department's complete list: importing a sheet exported at a lower
clearance than the registry's would retire what was left out, so export at the clearance
of whoever will send it back.
"""

from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell

from registry.exporters.output import Written
from registry.exporters.selection import Selection
from registry.i18n import label_of
from registry.schema.enums import DataType, FormatCategory, ResourceCategory, ShareMode, ShareType, UpdateCycle
from registry.schema.records import NodeRecord, NodeRef

COLUMNS: tuple[tuple[str, str], ...] = (
    ("category", "信息资源分类"),
    ("name", "信息资源名称"),
    ("resource_code", "信息资源代码"),
    ("provider", "信息资源提供方"),
    ("provider_code", "信息资源提供方代码"),
    ("abstract", "信息资源摘要"),
    ("format", "信息资源格式"),
    ("item", "信息项名称"),
    ("data_type", "数据类型"),
    ("length", "信息项长度"),
    ("element", "数据元名称"),
    ("element_code", "数据元编码"),
    ("share_type", "共享类型"),
    ("share_condition", "共享条件"),
    ("share_mode", "共享方式"),
    ("interface", "技术接口"),
    ("open_to_public", "是否向社会开放"),
    ("open_condition", "开放条件"),
    ("update_cycle", "更新周期"),
    ("published_on", "发布日期"),
    ("related", "关联资源代码"),
    ("processing_method", "加工处理方法"),
    ("traceability", "信息可追溯要求"),
)
"""(importer column, header): the headers are the importer's own first names."""

_ENUMS: dict[str, type[Enum]] = {
    "category": ResourceCategory,
    "share_type": ShareType,
    "share_mode": ShareMode,
    "update_cycle": UpdateCycle,
    "data_type": DataType,
}


def _label(column: str, value: Any) -> str | None:
    if value is None:
        return None
    enum = _ENUMS.get(column)
    return label_of(enum, value, "zh") if enum is not None else str(value)


def _format(props: dict[str, Any]) -> str | None:
    category = props.get("format_category")
    if category is None:
        return None
    shown = label_of(FormatCategory, category, "zh")
    kind = props.get("format_type")
    return f"{shown}/{kind}" if kind else shown


def _dataset_cells(dataset: NodeRecord, department: NodeRecord, interface: NodeRecord | None) -> dict[str, Any]:
    p = dataset.props
    opened = p.get("open_to_public")
    return {
        "category": _label("category", p.get("category")),
        "name": p.get("name"),
        "resource_code": dataset.key,
        "provider": department.props.get("name"),
        "provider_code": department.key,
        "abstract": p.get("abstract"),
        "format": _format(p),
        "share_type": _label("share_type", p.get("share_type")),
        "share_condition": p.get("share_condition"),
        "share_mode": _label("share_mode", p.get("share_mode")),
        "interface": None if interface is None else interface.props.get("url") or interface.key,
        "open_to_public": None if opened is None else ("是" if opened else "否"),
        "open_condition": p.get("open_condition"),
        "update_cycle": _label("update_cycle", p.get("update_cycle")),
        "published_on": p.get("published_on"),
        "related": "; ".join(p.get("related_resource_codes") or []) or None,
    }


def _field_cells(field: NodeRecord, element: NodeRecord | None) -> dict[str, Any]:
    p = field.props
    return {
        "item": p.get("name"),
        "data_type": _label("data_type", p.get("data_type")),
        "length": p.get("length"),
        "element": None if element is None else element.props.get("name"),
        "element_code": None if element is None else element.key,
        "processing_method": p.get("processing_method"),
        "traceability": p.get("traceability_requirement"),
    }


def write(selection: Selection, path: Path) -> Written:
    """The department's sheet; ``selection`` must name the department."""
    if selection.department is None:
        raise ValueError("the catalogue sheet is one department's: name it with --department")
    written = Written(files=[path])
    department_ref = NodeRef("Department", selection.department)
    links: dict[str, dict[NodeRef, list[NodeRef]]] = defaultdict(lambda: defaultdict(list))
    for edge in selection.edges(["PROVIDES", "HAS_FIELD", "MEANS", "EXPOSED_VIA"]):
        links[edge.type][edge.src].append(edge.dst)
    nodes = {node.ref: node for node in selection.nodes(["Department", "Dataset", "Field", "DataElement", "Interface"])}
    department = nodes[department_ref]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("政务信息资源目录")
    sheet.append([_cell(sheet, header) for _, header in COLUMNS])
    empty = extra_interfaces = 0
    for dataset_ref in sorted(links["PROVIDES"].get(department_ref, [])):
        dataset = nodes.get(dataset_ref)
        if dataset is None:
            continue
        interfaces = sorted(ref for ref in links["EXPOSED_VIA"].get(dataset_ref, []) if ref in nodes)
        extra_interfaces += max(0, len(interfaces) - 1)
        resource = _dataset_cells(dataset, department, nodes[interfaces[0]] if interfaces else None)
        fields = sorted(ref for ref in links["HAS_FIELD"].get(dataset_ref, []) if ref in nodes)
        if not fields:
            empty += 1
            continue
        written.nodes += 1 + len(fields)
        for field_ref in fields:
            meant = [ref for ref in links["MEANS"].get(field_ref, []) if ref in nodes]
            cells = {**resource, **_field_cells(nodes[field_ref], nodes[meant[0]] if meant else None)}
            sheet.append([_cell(sheet, cells.get(column)) for column, _ in COLUMNS])
            written.edges += 1
    if empty:
        written.notes.append(f"{empty} 个信息资源没有信息项，目录表无法列出 / {empty} dataset(s) without fields")
    if extra_interfaces:
        written.notes.append(
            f"目录表每个资源只列一个技术接口，另有 {extra_interfaces} 个未列出 / "
            f"{extra_interfaces} further interface(s) not listed (one per resource)"
        )
    partial = path.with_name(path.name + ".partial")
    try:
        book.save(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _cell(sheet: Any, value: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=None if value is None else str(value))
    if value is not None:
        cell.data_type = "s"
    return cell
