"""Closed vocabularies of the catalogue standard.

Values are stable English identifiers (they are what the store and the API carry);
the Chinese terms and their field variants are mapped onto them in ``synonyms``.
Every vocabulary that real catalogues extend has an ``other`` member so that a value
outside the standard is kept and flagged rather than rejected.
"""

from enum import IntEnum, StrEnum


class Network(StrEnum):
    INTRANET = "intranet"
    EXTRANET = "extranet"
    PRIVATE = "private"
    INTERNET = "internet"


class SecrecyLevel(StrEnum):
    NONE = "none"
    SECRET = "secret"  # 秘密
    CONFIDENTIAL = "confidential"  # 机密
    TOP_SECRET = "top_secret"  # 绝密

    @property
    def rank(self) -> int:
        return _SECRECY_RANK[self]

    @property
    def classified(self) -> bool:
        return self is not SecrecyLevel.NONE


_SECRECY_RANK = {
    SecrecyLevel.NONE: 0,
    SecrecyLevel.SECRET: 1,
    SecrecyLevel.CONFIDENTIAL: 2,
    SecrecyLevel.TOP_SECRET: 3,
}


class MlpsLevel(IntEnum):
    """等级保护 level (GB/T 22239-2019): a separate scale from 密级, never mixed with it."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4
    L5 = 5


class ShareType(StrEnum):
    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"


class ShareMode(StrEnum):
    INTERFACE = "interface"  # 共享平台 接口
    DATABASE = "database"  # 共享平台 数据库
    FILE = "file"  # 共享平台 文件
    MAIL_OR_MEDIA = "mail_or_media"  # 邮件或介质
    OTHER = "other"


class UpdateCycle(StrEnum):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    TEN_DAYS = "ten_days"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    IRREGULAR = "irregular"
    OTHER = "other"


class DataType(StrEnum):
    """信息项 data types of the 2017 guide, by their one-letter codes."""

    CHAR = "C"
    NUMBER = "N"
    MONEY = "Y"
    DATE = "D"
    DATETIME = "T"
    LOGICAL = "L"
    MEMO = "M"
    GENERAL = "G"
    DOUBLE = "B"
    INTEGER = "I"
    FLOAT = "F"


class FormatCategory(StrEnum):
    ELECTRONIC_FILE = "electronic_file"  # 电子文件
    SPREADSHEET = "spreadsheet"  # 电子表格
    DATABASE = "database"  # 数据库
    IMAGE = "image"  # 图形图像
    STREAMING = "streaming"  # 流媒体
    SELF_DESCRIBING = "self_describing"  # 自描述格式
    SERVICE_INTERFACE = "service_interface"  # 服务接口
    OTHER = "other"


class DepartmentLevel(StrEnum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class InterfaceKind(StrEnum):
    API = "api"
    DATABASE = "database"
    FILE = "file"
    MAIL_OR_MEDIA = "mail_or_media"


class SystemStatus(StrEnum):
    PLANNED = "planned"
    BUILDING = "building"
    TRIAL = "trial"
    OPERATING = "operating"
    RETIRED = "retired"


class ResourceCategory(StrEnum):
    BASIC = "basic"  # 基础信息资源
    THEMATIC = "thematic"  # 主题信息资源
    DEPARTMENTAL = "departmental"  # 部门信息资源
    OTHER = "other"


class ProjectStage(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    BUILDING = "building"
    TRIAL = "trial"
    ARCHIVE_ACCEPTED = "archive_accepted"
    COMPLETED = "completed"


class ReportKind(StrEnum):
    """Construction progress reports of an e-government project: the half-year report is
    due at the end of July, the annual report at the end of the following January."""

    HALF_YEAR = "half_year"  # 半年报告
    ANNUAL = "annual"  # 年度报告


class ReplyOutcome(StrEnum):
    """A provider's answer to a sharing request (共享申请答复)."""

    AGREED = "agreed"  # 同意共享
    AGREED_WITH_CONDITIONS = "agreed_with_conditions"  # 有条件同意
    REFUSED = "refused"  # 不予共享

    @property
    def agreed(self) -> bool:
        return self is not ReplyOutcome.REFUSED


class ReviewDecision(StrEnum):
    """What a reviewer decided about a finding."""

    CONFIRMED = "confirmed"  # 确认: a real problem, reported to the departments
    DISMISSED = "dismissed"  # 驳回: not a problem, with the reason why


class Clearance(IntEnum):
    """How much a caller may see, on the same ranks as ``SecrecyLevel`` so the two compare
    directly. Intranet clearance starts at SECRET: the intranet carries 机密 and below, so
    anything held only there is invisible to a PUBLIC caller."""

    PUBLIC = 0
    SECRET = 1
    CONFIDENTIAL = 2
    TOP_SECRET = 3

    @classmethod
    def parse(cls, value: "str | int | Clearance") -> "Clearance":
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(m.name.lower() for m in cls)
            raise ValueError(f"unknown clearance {value!r}; expected one of {names}") from None
