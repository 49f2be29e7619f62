"""Map the spellings departments actually write onto the canonical enumeration values.

Catalogues arrive with Chinese terms, English identifiers, numeric codes from older
templates and free-text variants (邮件方式, 介质方式 ...). Matching is on a normalised
form (stripped, full-width folded, case-folded) so stray spaces and 全角 characters in a
cell do not decide whether a value is understood.
"""

import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from registry.i18n import allowed, enum_name, t
from registry.schema.enums import (
    DataType,
    DepartmentLevel,
    FormatCategory,
    InterfaceKind,
    Network,
    ProjectStage,
    ReplyOutcome,
    ReportKind,
    ResourceCategory,
    SecrecyLevel,
    ShareMode,
    ShareType,
    SystemStatus,
    UpdateCycle,
)


def normalise(text: str) -> str:
    """NFKC folds full-width letters and digits; spaces inside a cell carry no meaning."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


_SYNONYMS: dict[type[StrEnum], dict[str, str]] = {
    Network: {
        "内网": "intranet",
        "电子政务内网": "intranet",
        "国家电子政务内网": "intranet",
        "政务内网": "intranet",
        "外网": "extranet",
        "电子政务外网": "extranet",
        "国家电子政务外网": "extranet",
        "政务外网": "extranet",
        "专网": "private",
        "部门专网": "private",
        "业务专网": "private",
        "部门业务专网": "private",
        "互联网": "internet",
        "公网": "internet",
    },
    SecrecyLevel: {
        "无": "none",
        "非涉密": "none",
        "公开": "none",
        "不涉密": "none",
        "": "none",
        "秘密": "secret",
        "机密": "confidential",
        "绝密": "top_secret",
    },
    ShareType: {
        "无条件共享": "unconditional",
        "无条件": "unconditional",
        "1": "unconditional",
        "有条件共享": "conditional",
        "有条件": "conditional",
        "2": "conditional",
        "不予共享": "not_shared",
        "不共享": "not_shared",
        "3": "not_shared",
        "not-shared": "not_shared",
        "notshared": "not_shared",
    },
    ShareMode: {
        "接口": "interface",
        "共享平台接口": "interface",
        "平台接口": "interface",
        "接口方式": "interface",
        "服务接口": "interface",
        "api": "interface",
        "数据库": "database",
        "共享平台数据库": "database",
        "库表": "database",
        "数据库方式": "database",
        "库表交换": "database",
        "文件": "file",
        "共享平台文件": "file",
        "文件方式": "file",
        "文件下载": "file",
        "邮件或介质": "mail_or_media",
        "邮件方式": "mail_or_media",
        "介质方式": "mail_or_media",
        "邮件": "mail_or_media",
        "介质": "mail_or_media",
        "光盘": "mail_or_media",
        "mail-or-media": "mail_or_media",
        "mail": "mail_or_media",
        "media": "mail_or_media",
        "01": "interface",
        "02": "database",
        "03": "file",
        "04": "mail_or_media",
        "1": "interface",
        "2": "database",
        "3": "file",
        "4": "mail_or_media",
        "其他": "other",
    },
    UpdateCycle: {
        "实时": "realtime",
        "每日": "daily",
        "每天": "daily",
        "日": "daily",
        "每周": "weekly",
        "周": "weekly",
        "每旬": "ten_days",
        "旬": "ten_days",
        "每月": "monthly",
        "月": "monthly",
        "每季度": "quarterly",
        "季度": "quarterly",
        "每季": "quarterly",
        "每半年": "half_yearly",
        "半年": "half_yearly",
        "每年": "yearly",
        "年": "yearly",
        "每年度": "yearly",
        "不定期": "irregular",
        "其他": "other",
        "其它": "other",
    },
    DataType: {
        "字符": "C",
        "字符型": "C",
        "数值": "N",
        "数值型": "N",
        "货币": "Y",
        "货币型": "Y",
        "日期": "D",
        "日期型": "D",
        "日期时间": "T",
        "日期时间型": "T",
        "逻辑": "L",
        "逻辑型": "L",
        "备注": "M",
        "备注型": "M",
        "通用": "G",
        "通用型": "G",
        "双精度": "B",
        "双精度型": "B",
        "整型": "I",
        "整数": "I",
        "浮点": "F",
        "浮点型": "F",
        "varchar": "C",
        "varchar2": "C",
        "char": "C",
        "string": "C",
        "text": "M",
        "number": "N",
        "numeric": "N",
        "decimal": "N",
        "int": "I",
        "integer": "I",
        "date": "D",
        "datetime": "T",
        "timestamp": "T",
        "boolean": "L",
        "bool": "L",
        "float": "F",
        "double": "B",
        "blob": "G",
        "clob": "M",
    },
    FormatCategory: {
        "电子文件": "electronic_file",
        "电子表格": "spreadsheet",
        "数据库": "database",
        "图形图像": "image",
        "图像": "image",
        "流媒体": "streaming",
        "自描述格式": "self_describing",
        "服务接口": "service_interface",
        "接口": "service_interface",
        "其他": "other",
    },
    DepartmentLevel: {
        "中央": "central",
        "国家": "central",
        "部委": "central",
        "国家级": "central",
        "省级": "provincial",
        "省": "provincial",
        "市级": "municipal",
        "市": "municipal",
        "县级": "county",
        "县": "county",
        "区县": "county",
    },
    InterfaceKind: {
        "接口": "api",
        "服务接口": "api",
        "数据库": "database",
        "文件": "file",
        "邮件或介质": "mail_or_media",
        "mail-or-media": "mail_or_media",
    },
    SystemStatus: {
        "规划": "planned",
        "拟建": "planned",
        "在建": "building",
        "建设中": "building",
        "试运行": "trial",
        "运行": "operating",
        "在用": "operating",
        "运行中": "operating",
        "停用": "retired",
        "下线": "retired",
    },
    ResourceCategory: {
        "基础": "basic",
        "基础信息资源": "basic",
        "基础类": "basic",
        "1": "basic",
        "主题": "thematic",
        "主题信息资源": "thematic",
        "主题类": "thematic",
        "2": "thematic",
        "部门": "departmental",
        "部门信息资源": "departmental",
        "部门类": "departmental",
        "3": "departmental",
        "其他": "other",
    },
    ProjectStage: {
        "立项": "proposed",
        "已批复": "approved",
        "批复": "approved",
        "建设": "building",
        "在建": "building",
        "试运行": "trial",
        "档案验收": "archive_accepted",
        "竣工验收": "completed",
        "已验收": "completed",
    },
    ReportKind: {
        "半年报告": "half_year",
        "半年报": "half_year",
        "半年度报告": "half_year",
        "年度报告": "annual",
        "年报": "annual",
    },
    ReplyOutcome: {
        "同意": "agreed",
        "同意共享": "agreed",
        "有条件同意": "agreed_with_conditions",
        "附条件同意": "agreed_with_conditions",
        "同意（附条件）": "agreed_with_conditions",
        "不同意": "refused",
        "不予共享": "refused",
        "拒绝": "refused",
    },
}

_LOOKUP: dict[type[StrEnum], dict[str, str]] = {
    enum: {
        **{normalise(m.value): m.value for m in enum},
        **{normalise(m.name): m.value for m in enum},
        **{normalise(k): v for k, v in table.items()},
    }
    for enum, table in _SYNONYMS.items()
}

_BOOLEAN = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "开放": True,
    "不开放": False,
    "向社会开放": True,
    "不向社会开放": False,
    "有条件开放": True,
}


E = TypeVar("E", bound=StrEnum)


@lru_cache(maxsize=4096)
def canonical(enum: type[E], raw: str) -> E:
    """The member ``raw`` names, or ValueError listing what was expected. Cached: a
    province writes the same few spellings millions of times, and normalising each one
    again was a quarter of reading a native document (a rejected value is not cached)."""
    key = normalise(raw)
    value = _LOOKUP.get(enum, {}).get(key)
    if value is None:
        try:
            return enum(raw.strip())
        except ValueError:
            pass
        raise ValueError(t("enum.unknown", value=raw, name=enum_name(enum), allowed=allowed(enum)))
    return enum(value)


def parse_bool(raw: str) -> bool:
    value = _BOOLEAN.get(normalise(raw))
    if value is None:
        raise ValueError(t("bool.unknown", value=raw))
    return value
