"""A small department catalogue written on the fly, in the national layout."""

import csv
from pathlib import Path

from registry.schema.codes import make_credit_code

PROVIDER = ("杭州市数据资源管理局", make_credit_code("11", "330100", "00257061"))
HEADERS = [
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源摘要",
    "信息项名称",
    "数据类型",
    "共享类型",
    "共享方式",
    "更新周期",
]
RESOURCES = {
    1: ("居民户籍信息", ["公民身份号码", "姓名"]),
    2: ("企业登记信息", ["统一社会信用代码", "企业名称"]),
    3: ("婚姻登记信息", ["身份证号", "登记日期"]),
    4: ("社会保险参保信息", ["身份证号码", "参保状态"]),
    5: ("不动产登记信息", ["不动产单元号", "坐落"]),
}


def code(n: int) -> str:
    return f"101330100/{n:03d}"


def write(path: Path, keep: list[int], abstracts: dict[int, str] | None = None) -> Path:
    """The catalogue listing resources ``keep`` (numbers from RESOURCES)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in keep:
            name, items = RESOURCES[n]
            abstract = (abstracts or {}).get(n, f"{name}（杭州市）")
            for item in items:
                writer.writerow([name, code(n), *PROVIDER, abstract, item, "C", "无条件共享", "共享平台/接口", "每日"])
    return path
