"""The one translation table: Chinese first, English on request.

Everything a person reads (CLI tables and messages, enumeration values shown to users,
spreadsheet headers) is looked up here by a stable id, so a wording is changed in one
place and both languages stay side by side. Machine output (``--json``, GraphQL enums,
the store) keeps the stable English identifiers; it may carry these labels beside them.

The language is, in order: what ``set_language`` was given (the CLI's ``--lang``),
``$REGISTRY_LANG``, then the locale (``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` starting with
``en`` selects English). Anything else, an unset locale included, is Chinese: the
registry's users are Chinese government departments.
"""

import os
from enum import Enum
from typing import Literal

from registry.schema.enums import (
    DataType,
    DepartmentLevel,
    FormatCategory,
    InterfaceKind,
    Network,
    ProjectStage,
    ResourceCategory,
    SecrecyLevel,
    ShareMode,
    ShareType,
    SystemStatus,
    UpdateCycle,
)

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_chosen: Language | None = None


def set_language(language: str | None) -> None:
    """Fix the language for this process (``None`` goes back to the environment)."""
    global _chosen
    _chosen = _parse(language) if language else None


def _parse(value: str) -> Language:
    return "en" if value.strip().lower().startswith("en") else "zh"


def language() -> Language:
    if _chosen is not None:
        return _chosen
    explicit = os.environ.get("REGISTRY_LANG")
    if explicit:
        return _parse(explicit)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


# Standard Chinese labels of every enumeration value, with the English beside them.
ENUM_LABELS: dict[type[Enum], dict[str, tuple[str, str]]] = {
    Network: {
        "intranet": ("电子政务内网", "e-government intranet"),
        "extranet": ("电子政务外网", "e-government extranet"),
        "private": ("部门专网", "department-private network"),
        "internet": ("互联网", "internet"),
    },
    SecrecyLevel: {
        "none": ("非涉密", "not classified"),
        "secret": ("秘密", "secret"),
        "confidential": ("机密", "confidential"),
        "top_secret": ("绝密", "top secret"),
    },
    ShareType: {
        "unconditional": ("无条件共享", "unconditional"),
        "conditional": ("有条件共享", "conditional"),
        "not_shared": ("不予共享", "not shared"),
    },
    ShareMode: {
        "interface": ("共享平台接口", "platform interface"),
        "database": ("共享平台数据库", "platform database"),
        "file": ("共享平台文件", "platform file"),
        "mail_or_media": ("邮件或介质", "mail or media"),
        "other": ("其他", "other"),
    },
    UpdateCycle: {
        "realtime": ("实时", "real time"),
        "daily": ("每日", "daily"),
        "weekly": ("每周", "weekly"),
        "ten_days": ("每旬", "every ten days"),
        "monthly": ("每月", "monthly"),
        "quarterly": ("每季度", "quarterly"),
        "half_yearly": ("每半年", "half-yearly"),
        "yearly": ("每年", "yearly"),
        "irregular": ("不定期", "irregular"),
        "other": ("其他", "other"),
    },
    DataType: {
        "C": ("字符型", "character"),
        "N": ("数值型", "numeric"),
        "Y": ("货币型", "money"),
        "D": ("日期型", "date"),
        "T": ("日期时间型", "date and time"),
        "L": ("逻辑型", "logical"),
        "M": ("备注型", "memo"),
        "G": ("通用型", "general"),
        "B": ("双精度型", "double"),
        "I": ("整型", "integer"),
        "F": ("浮点型", "float"),
    },
    FormatCategory: {
        "electronic_file": ("电子文件", "electronic file"),
        "spreadsheet": ("电子表格", "spreadsheet"),
        "database": ("数据库", "database"),
        "image": ("图形图像", "image"),
        "streaming": ("流媒体", "streaming media"),
        "self_describing": ("自描述格式", "self-describing format"),
        "service_interface": ("服务接口", "service interface"),
        "other": ("其他", "other"),
    },
    DepartmentLevel: {
        "central": ("中央", "central"),
        "provincial": ("省级", "provincial"),
        "municipal": ("市级", "municipal"),
        "county": ("县级", "county"),
    },
    InterfaceKind: {
        "api": ("服务接口", "API"),
        "database": ("数据库", "database"),
        "file": ("文件", "file"),
        "mail_or_media": ("邮件或介质", "mail or media"),
    },
    SystemStatus: {
        "planned": ("规划", "planned"),
        "building": ("在建", "under construction"),
        "trial": ("试运行", "trial operation"),
        "operating": ("运行", "operating"),
        "retired": ("停用", "retired"),
    },
    ResourceCategory: {
        "basic": ("基础信息资源", "basic resource"),
        "thematic": ("主题信息资源", "thematic resource"),
        "departmental": ("部门信息资源", "departmental resource"),
        "other": ("其他", "other"),
    },
    ProjectStage: {
        "proposed": ("立项", "proposed"),
        "approved": ("已批复", "approved"),
        "building": ("在建", "under construction"),
        "trial": ("试运行", "trial operation"),
        "archive_accepted": ("档案验收", "archive accepted"),
        "completed": ("竣工验收", "completed"),
    },
}

ENUM_NAMES: dict[type[Enum], tuple[str, str]] = {
    Network: ("部署网络", "network"),
    SecrecyLevel: ("密级", "secrecy level"),
    ShareType: ("共享类型", "share type"),
    ShareMode: ("共享方式", "share mode"),
    UpdateCycle: ("更新周期", "update cycle"),
    DataType: ("数据类型", "data type"),
    FormatCategory: ("信息资源格式", "resource format"),
    DepartmentLevel: ("部门层级", "department level"),
    InterfaceKind: ("接口类型", "interface kind"),
    SystemStatus: ("系统状态", "system status"),
    ResourceCategory: ("信息资源分类", "resource category"),
    ProjectStage: ("项目阶段", "project stage"),
}

PROPERTY_NAMES: dict[str, tuple[str, str]] = {
    "abstract": ("信息资源摘要", "abstract"),
    "approvals": ("批复", "approvals"),
    "approved_budget": ("批复总投资", "approved budget"),
    "approved_on": ("批复日期", "approved on"),
    "archive_accepted_on": ("档案验收日期", "archive accepted on"),
    "at": ("时间", "at"),
    "by": ("操作人", "by"),
    "category": ("信息资源分类", "category"),
    "category_code": ("分类代码", "category code"),
    "code": ("代码", "code"),
    "code_recognised": ("代码符合编码规则", "code recognised"),
    "completion_accepted_on": ("竣工验收日期", "completion accepted on"),
    "counts": ("计数", "counts"),
    "data_type": ("数据类型", "data type"),
    "dataset": ("信息资源代码", "dataset"),
    "declassified": ("已解密", "declassified"),
    "description": ("描述", "description"),
    "format": ("格式", "format"),
    "format_category": ("格式分类", "format category"),
    "format_type": ("格式类型", "format type"),
    "functions": ("功能", "functions"),
    "id": ("标识", "id"),
    "kind": ("类型", "kind"),
    "legal_basis": ("法律或政策依据", "legal basis"),
    "length": ("长度", "length"),
    "level": ("层级", "level"),
    "mlps_level": ("等级保护级别", "graded protection level"),
    "name": ("名称", "name"),
    "network": ("部署网络", "network"),
    "open_condition": ("开放条件", "open condition"),
    "open_to_public": ("是否向社会开放", "open to public"),
    "parent": ("上级部门", "parent"),
    "processing_method": ("加工处理方法", "processing method"),
    "project": ("所属项目", "project"),
    "protocol": ("协议", "protocol"),
    "public_service": ("面向公众服务", "public service"),
    "published_on": ("发布日期", "published on"),
    "purpose": ("用途", "purpose"),
    "region": ("行政区划", "region"),
    "related_resource_codes": ("关联资源代码", "related resources"),
    "reports": ("报告", "reports"),
    "requested_on": ("提出日期", "requested on"),
    "resource_code": ("信息资源代码", "resource code"),
    "risk_assessment_on": ("安全风险评估日期", "risk assessment on"),
    "secrecy_level": ("密级", "secrecy level"),
    "sha256": ("文件摘要", "sha256"),
    "share_condition": ("共享条件", "share condition"),
    "share_mode": ("共享方式", "share mode"),
    "share_type": ("共享类型", "share type"),
    "source": ("来源", "source"),
    "stage": ("阶段", "stage"),
    "status": ("状态", "status"),
    "synonyms": ("同义词", "synonyms"),
    "traceability_requirement": ("信息可追溯要求", "traceability requirement"),
    "trial_started_on": ("试运行开始日期", "trial started on"),
    "update_cycle": ("更新周期", "update cycle"),
    "url": ("地址", "URL"),
    "created": ("创建", "created"),
    "updated": ("更新", "updated"),
}


def property_name(name: str, lang: Language | None = None) -> str:
    """A property's name for people; one not in the table is shown as its identifier."""
    pair = PROPERTY_NAMES.get(name)
    return _pick(pair, lang) if pair else name


_BY_VALUE: dict[str, dict[str, tuple[str, str]]] = {}
for _enum, _labels in ENUM_LABELS.items():
    for _value, _pair in _labels.items():
        _BY_VALUE.setdefault(_value, {})[_enum.__name__] = _pair


def _pick(pair: tuple[str, str], lang: Language | None) -> str:
    return pair[0] if (lang or language()) == "zh" else pair[1]


def label(value: Enum, lang: Language | None = None) -> str:
    """The standard label of an enumeration member, in the user's language."""
    pair = ENUM_LABELS.get(type(value), {}).get(str(value.value))
    return _pick(pair, lang) if pair else str(value.value)


def label_of(enum: type[Enum], raw: object, lang: Language | None = None) -> str:
    """The label of a stored value (a plain string from the store); unknown values are
    shown as stored rather than hidden."""
    if raw is None or raw == "":
        return ""
    pair = ENUM_LABELS.get(enum, {}).get(str(raw))
    return _pick(pair, lang) if pair else str(raw)


def enum_name(enum: type[Enum], lang: Language | None = None) -> str:
    pair = ENUM_NAMES.get(enum)
    return _pick(pair, lang) if pair else enum.__name__


def allowed(enum: type[Enum], lang: Language | None = None) -> str:
    """The values a user may write, for an error message: the standard Chinese labels, or
    in English the identifiers (which every importer accepts as written)."""
    if (lang or language()) == "zh":
        return "、".join(label(member, "zh") for member in enum)
    return ", ".join(str(member.value) for member in enum)


def labels_json(enum: type[Enum], raw: object) -> dict[str, str]:
    """Both labels of a stored value, for machine output that keeps the identifier."""
    pair = ENUM_LABELS.get(enum, {}).get(str(raw))
    return {"zh": pair[0], "en": pair[1]} if pair else {"zh": str(raw), "en": str(raw)}


# Messages and headings, by id: (中文, English). ``{name}`` placeholders are filled by ``t``.
MESSAGES: dict[str, tuple[str, str]] = {
    "enum.unknown": (
        "{value!r} 不是有效的{name}（可填：{allowed}）",
        "{value!r} is not a known {name} (expected one of {allowed})",
    ),
    "bool.unknown": ("{value!r} 不是“是/否”", "{value!r} is not a yes/no value (是/否)"),
    "format.unknown": (
        "{value!r} 不是有效的信息资源格式（可填：{allowed}，例如 数据库/oracle）",
        "{value!r} is not a known resource format (expected one of {allowed}, e.g. 数据库/oracle)",
    ),
    "store.open_load": (
        "未完成的导入：{source}（批次 {batch}，{at} 由 {by} 开始）；重新导入同一文件即可完成",
        "unfinished load: {source} (batch {batch}, started {at} by {by}); import the same file again to complete it",
    ),
    "store.missing": (
        "找不到登记库 {path}：只有 import、demo 和 serve --init 会新建登记库；请检查 --store 或 $REGISTRY_STORE",
        "no registry at {path}: only import, demo and serve --init create one; check --store or $REGISTRY_STORE",
    ),
    "od.no_publisher": (
        "记录未写发布者；数据集导入但没有提供方",
        "the record names no publisher; the dataset is kept without provider",
    ),
    "od.publisher_code": ("发布者 {name!r}：{problem}", "publisher {name!r}: {problem}"),
    "od.publisher_without_code": (
        "发布者没有统一社会信用代码，不能成为部门；其数据集导入但没有提供方"
        "（给该机构加上 identifier 或 extra credit_code 即可关联）",
        "publisher has no 统一社会信用代码, so it cannot be a department; its datasets are kept "
        "without provider (give the organisation an identifier or extra credit_code to link them)",
    ),
    "od.no_title": ("记录没有标题", "the record has no title"),
    "od.code_taken": (
        "标识生成的信息资源代码 {code!r} 已被 {first} 的记录使用；本条跳过",
        "identifier gives 信息资源代码 {code!r}, already taken by the record at {first}; this one is skipped",
    ),
    "od.datastore_type": (
        "列 {name!r}：未知的 DataStore 类型；数据类型留空",
        "column {name!r}: unknown DataStore type; data type left empty",
    ),
    "od.not_a_date": ("{raw!r} 不是日期", "{raw!r} is not a date"),
    "od.date_unreadable": (
        "{raw!r} 不是可识别的日期（请写作 2015-02-27）；留空",
        "{raw!r} is not a date the importer understands (use 2015-02-27); left empty",
    ),
    "od.access_level": (
        "{level!r} 不是 accessLevel（public、restricted public、non-public）；留空",
        "{level!r} is not an accessLevel (public, restricted public, non-public); left empty",
    ),
    "od.no_identifier": (
        "记录没有标识，无法得到稳定的信息资源代码",
        "the record has no identifier, so it has no stable 信息资源代码",
    ),
    "od.identifier_unusable": (
        "标识 {identifier!r} 无法转为信息资源代码：{reason}",
        "identifier {identifier!r} cannot be made a 信息资源代码: {reason}",
    ),
    "od.not_catalogue": (
        "DCAT-US 目录应是含 dataset 列表的对象",
        "a DCAT-US catalogue is an object with a dataset list",
    ),
    "od.not_object": ("{what} 应是 JSON 对象", "a {what} is a JSON object"),
    "od.ckan_failed": ("CKAN 接口调用失败：{shown}", "the CKAN API call failed: {shown}"),
    "od.not_ckan": (
        "不是 CKAN package_search/package_show 响应或数据包列表",
        "not a CKAN package_search/package_show response or package list",
    ),
    "od.not_active": ("已跳过：不是有效的数据集（{state}）", "skipped: not an active dataset ({state})"),
    "od.remote_context": (
        "JSON-LD 的 @context 是网址，导入不会联网获取；请把上下文写在文件中",
        "the JSON-LD @context is a URL, which the importer does not fetch; put the context in the file",
    ),
    "od.not_rdf": ("不是有效的 {parser}：{reason}", "not valid {parser}: {reason}"),
    "od.no_datasets": ("图中没有 dcat:Dataset", "the graph has no dcat:Dataset"),
    "export.written": (
        "已导出 {location} 到 {target}（{format}）：{nodes} 个条目，{edges} 条关系",
        "exported {location} to {target} ({format}): {nodes} entries, {edges} relations",
    ),
    "export.left_out": (
        "按密级 {clearance} 未导出：{nodes} 个条目，{edges} 条关系",
        "left out for clearance {clearance}: {nodes} entries, {edges} relations",
    ),
    "export.suffix": (
        "{format} 文件应以 {suffixes} 结尾，而不是 {suffix}",
        "name a {format} file {suffixes}, not {suffix}",
    ),
    "export.folder": ("{format} 写入一个文件夹，{target} 是文件", "{format} writes a folder; {target} is a file"),
    "export.department_needed": (
        "{format} 按部门导出：请用 --department 指定部门",
        "{format} is per department: name one",
    ),
    "export.no_department": ("没有统一社会信用代码为 {code} 的部门", "no department with code {code}"),
    "none_found": ("{title}：未发现", "{title}: none found"),
    "and_more": ("……另有 {n} 项", "… and {n} more"),
    "col.file": ("文件", "file"),
    "col.row": ("行", "row"),
    "col.column": ("列", "column"),
    "col.value": ("值", "value"),
    "col.reason": ("原因", "reason"),
    "col.kind": ("类别", "kind"),
    "col.total": ("合计", "total"),
    "outcome.created": ("新增", "created"),
    "outcome.updated": ("更新", "updated"),
    "outcome.unchanged": ("未变", "unchanged"),
    "outcome.retired": ("注销", "retired"),
    "outcome.rejected": ("拒收", "rejected"),
    "import.summary": ("导入汇总", "Import summary"),
    "import.dry_summary": (
        "试运行：导入将做的改动（未写入任何内容）",
        "Dry run: what the import would change (nothing was written)",
    ),
    "import.by_kind": ("按类别", "By kind"),
    "import.invalid_title": ("{n} 个无效值；未写入任何内容", "{n} invalid value(s); nothing was written"),
    "import.invalid_skipped": ("{n} 个无效值已跳过", "{n} invalid value(s) skipped"),
    "import.warnings": ("{n} 条提示；这些值已保留", "{n} warning(s); the values were kept"),
    "import.refused": (
        "{n} 个无效值，涉及 {files} 个文件；未写入任何内容。请修正，或加 --skip-invalid 只导入有效的行。",
        "{n} invalid value(s) in {files} file(s); nothing was written. "
        "Fix them, or pass --skip-invalid to load the valid rows only.",
    ),
    "import.retired_list": ("{n} 个条目将被注销：", "{n} {entries} would be retired:"),
    "import.retired_done": ("{n} 个条目已注销：", "{n} {entries} retired:"),
    "import.limit_would_hit": (
        "超过注销上限：{detail}。正式导入将被拒绝，除非加 --force 或提高 --retire-limit。",
        "the retire limit would be hit: {detail}. The real import will refuse unless you pass --force "
        "or a higher --retire-limit.",
    ),
    "import.rejected_resources": (
        "拒收：{rows} 行无效，共 {resources} 个条目未导入（有错的信息资源整体不导入，其余只去掉有错的信息项）",
        "rejected: {rows} invalid row(s); {resources} entries were left out (a resource with a bad resource cell "
        "as a whole, otherwise only the bad 信息项)",
    ),
    "import.report_written": ("问题清单已写入 {path}", "the report was written to {path}"),
    "import.more_like_these": ("……另有 {n} 项同类问题", "and {n} more like these"),
    # the issue report workbook sent back to a department (registry.importers.issue_report)
    "report.summary": ("汇总", "Summary"),
    "report.issues": ("问题清单", "Issues"),
    "report.sheet": ("目录", "Catalogue"),
    "report.file": ("文件", "File"),
    "report.errors": ("错误", "Errors"),
    "report.warnings": ("提示", "Warnings"),
    "report.rows": ("涉及行数", "Rows affected"),
    "report.column": ("列", "Column"),
    "report.count": ("个数", "Count"),
    "report.row": ("行", "Row"),
    "report.value": ("值", "Value"),
    "report.reason": ("原因", "Reason"),
    "report.severity": ("级别", "Severity"),
    "report.error": ("错误", "error"),
    "report.warning": ("提示", "warning"),
    "report.whole_file": ("（整个文件）", "(whole file)"),
    "report.note": (
        "红色单元格为错误，黄色为提示；鼠标悬停可看原因。请在原表中修正后重新报送。",
        "Red cells are errors, yellow ones warnings; hover to read the reason. "
        "Fix them in your sheet and send it again.",
    ),
    "number.lost_digits": (
        "{value!r} 以数字形式保存，已丢失位数（Excel 只保留 15 位有效数字）；请将该列设置为文本格式后重新填写",
        "{value!r} was stored as a number and lost digits (Excel keeps 15 significant digits); "
        "format the column as text and enter it again",
    ),
    "label.Dataset": ("数据集", "dataset"),
    "label.DataElement": ("数据元", "data element"),
    "label.System": ("系统", "system"),
    "label.Field": ("信息项", "field"),
    "label.Department": ("部门", "department"),
    "attr.fields": ("信息项", "fields"),
    "attr.format": ("信息资源格式", "format"),
    "attr.interface": ("技术接口", "interface"),
    "attr.processing_method": ("加工处理方法", "processing method"),
    "attr.traceability_requirement": ("信息可追溯要求", "traceability requirement"),
    "gap.unmet_need": ("对{what}的需求：没有任何数据集提供", "need for {what}: no dataset provides it"),
    "gap.blocked_need": (
        "对{what}的需求：每个提供方都不予共享或不在共享范围内",
        "need for {what}: no provider may share it (each is not shared or out of scope for sharing)",
    ),
    "gap.boundary_need": (
        "对{what}的需求：只在电子政务内网提供，而需求方在内网之外",
        "need for {what}: provided only on the intranet, requested from outside it",
    ),
    "gap.unused_dataset": (
        "数据集 {name!r} 可共享（{share}），但没有任何部门使用",
        "dataset {name!r} is shareable ({share}) but nobody uses it",
    ),
    "gap.conditional_without_condition": (
        "数据集 {name!r} 为有条件共享，但未写明共享条件",
        "dataset {name!r} is shared conditionally but declares no condition",
    ),
    "gap.incomplete_item": ("SHR-1：目录项 {name!r} 缺少{missing}", "SHR-1: catalogue item {name!r} lacks {missing}"),
    "net.1": ("迁移到电子政务内网", "migrate to the e-government intranet"),
    "net.2": (
        "迁出电子政务网络，部署到批准承载绝密系统的网络",
        "move to a network approved for 绝密 systems, off the e-government networks",
    ),
    "net.3": ("从部门专网迁移到{target}", "migrate from the department-private network to the {target}"),
    "net.4": (
        "不得新建部门专网；应建在统一的电子政务网络上",
        "a new department-private network is not permitted; build on the unified networks",
    ),
    "net.5": (
        "面向公众的服务系统应部署在电子政务外网",
        "a public-service system is expected on the e-government extranet",
    ),
    "net.message": (
        "{rule}：{secrecy}系统 {name!r} 部署在{where}：{action}",
        "{rule}: {secrecy} system {name!r} runs on {where}: {action}",
    ),
    "net.undeclared": ("未申报的网络", "no declared network"),
    "impact.message": (
        "如果没有{label} {name!r}：失去 {lost} 个数据集，"
        "影响 {derived} 个派生数据集、{systems} 个系统和 {departments} 个其他部门",
        "without {label} {name!r}: {lost} {lost_word} lost, {derived} derived {derived_word}, "
        "{systems} {systems_word} and {departments} other {departments_word} affected",
    ),
    "matrix.title": (
        "部门间共享矩阵：{departments} 个部门之间共 {total} 个数据集共享关系（行：提供方，列：使用方，按行号编号）",
        "Sharing between {departments} departments: {total} datasets shared "
        "(rows: provider, columns: consumer, numbered like the rows)",
    ),
    "matrix.corner": ("提供方 \\ 使用方", "provider \\ consumer"),
    "matrix.sheet": ("共享矩阵", "Sharing matrix"),
    "matrix.written": ("共享矩阵已写入 {path}", "the sharing matrix was written to {path}"),
    "demo.found": (
        "分析结果：{dups} 组重复建设，{gaps} 个共享缺口"
        "（其中 {incomplete} 个目录项要素不全，SHR-1），{placement} 个网络部署问题",
        "What the analyses found: {dups} duplicate groups, {gaps} sharing gaps ({incomplete} of them incomplete "
        "catalogue items, SHR-1), {placement} placement findings",
    ),
    "demo.more": ("……另有 {n} 项，见 {command}", "… and {n} more: {command}"),
    "head.score": ("得分", "score"),
    "head.members": ("成员", "members"),
    "head.departments": ("部门", "departments"),
    "head.projects": ("项目", "projects"),
    "head.parts": ("分项得分", "parts"),
    "head.shared data": ("相同数据", "shared data"),
    "head.matched fields": ("匹配的信息项", "matched fields"),
    "dup.cluster": (
        "{departments} 的 {n} 个{kind}所存数据大体相同（最高得分 {score:.2f}）",
        "{n} {kind}s of {departments} hold largely the same data (best score {score:.2f})",
    ),
    "dup.pair": (
        "{kind}「{a}」与「{b}」有 {n} 个信息项对应{renamed}；"
        "持有数据 {holdings:.2f}，名称 {name:.2f}；得分 {score:.2f}",
        "{kind} {a!r} and {b!r} match {n} fields{renamed}; holdings {holdings:.2f}, name {name:.2f}; score {score:.2f}",
    ),
    "dup.subjects": (
        "；名称为同一业务的不同对象（{a} / {b}），得分已乘以 {factor:.1f}",
        "; the names are one business of different subjects ({a} / {b}): score multiplied by {factor:.1f}",
    ),
    "dup.proposal": (
        "拟建的「{a}」与「{b}」（{department}）重复：其 {n} 个信息项已在该系统中；得分 {score:.2f}",
        "the proposal {a!r} would duplicate {b!r} ({department}): {n} of its data items are held there already; "
        "score {score:.2f}",
    ),
    "dup.kind.Dataset": ("数据集", "dataset"),
    "dup.kind.System": ("系统", "system"),
    "head.existing system": ("已有系统", "existing system"),
    "head.department": ("部门", "department"),
    "head.kind": ("类别", "kind"),
    "head.subject": ("对象", "subject"),
    "head.finding": ("发现", "finding"),
    "head.rule": ("规则", "rule"),
    "head.severity": ("级别", "severity"),
    "head.system": ("系统", "system"),
    "head.secrecy": ("密级", "secrecy"),
    "head.network": ("部署网络", "network"),
    "head.action": ("整改建议", "action"),
    "head.direction": ("方向", "direction"),
    "head.depth": ("层级", "depth"),
    "head.field": ("信息项", "field"),
    "head.dataset": ("数据集", "dataset"),
    "head.via": ("途径", "via"),
    "head.processing": ("加工处理方法", "processing"),
    "title.placement": ("网络部署合规（NET-1～NET-5）", "network placement"),
    "title.completeness": ("目录项要素完整性（SHR-1）", "catalogue completeness (SHR-1)"),
    "title.gaps": ("共享缺口", "sharing gaps"),
    "title.projects": ("电子政务项目管理（PRJ-1～PRJ-4）", "e-government projects (PRJ-1..PRJ-4)"),
    "title.requests": ("共享申请答复与交付时限（REQ-1～REQ-4）", "sharing-request deadlines (REQ-1..REQ-4)"),
    "title.sources": ("一数一源（SRC-1～SRC-3）", "authoritative sources (SRC-1..SRC-3)"),
    "title.request_status": ("共享申请（截至 {day}）", "sharing requests as of {day}"),
    "demo.policy": (
        "政策规则：{n} 项（项目管理、共享申请时限、一数一源），见 registry check",
        "Policy rules: {n} findings (projects, sharing-request deadlines, authoritative sources): registry check",
    ),
    "head.project": ("项目", "project"),
    "head.request": ("共享申请", "request"),
    "head.requester": ("申请部门", "requester"),
    "head.provider": ("提供部门", "provider"),
    "head.element": ("数据元", "data element"),
    "head.asked for": ("申请数据", "asked for"),
    "head.submitted": ("提交日期", "submitted"),
    "head.stage": ("状态", "stage"),
    "head.due": ("期限", "due"),
    "head.overdue": ("逾期", "overdue"),
    "stage.awaiting_reply": ("待答复", "awaiting reply"),
    "stage.awaiting_delivery": ("待交付", "awaiting delivery"),
    "stage.delivered": ("已交付", "delivered"),
    "stage.refused": ("不予共享", "refused"),
    "request.overdue": ("逾期", "overdue"),
    "request.beyond_calendar": ("超出工作日历范围", "beyond the calendar"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "severity.advisory": ("建议", "advisory"),
    "gapkind.unmet_need": ("需求无人提供", "unmet_need"),
    "gapkind.blocked_need": ("需求被共享类型阻断", "blocked_need"),
    "gapkind.boundary_need": ("需求跨越网络边界", "boundary_need"),
    "gapkind.unused_dataset": ("可共享数据无人使用", "unused_dataset"),
    "gapkind.conditional_without_condition": ("有条件共享未写条件", "conditional_without_condition"),
    "gapkind.incomplete_item": ("目录项要素不全", "incomplete_item"),
    "show.provenance": (
        "{at}  由 {by}  来自 {source}（批次 {batch}）",
        "{at}  by {by}  from {source}  (batch {batch})",
    ),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "show.relations": ("关系（{n}）", "Relations ({n})"),
    "show.history": ("变更历史（{n} 次）", "History ({n} change(s))"),
    "show.latest": ("，最近 {n} 次", ", latest {n}"),
    "show.col.relation": ("关系", "relation"),
    "show.col.entry": ("条目", "entry"),
    "show.col.name": ("名称", "name"),
    "show.col.properties": ("属性", "properties"),
    "show.col.when": ("时间", "when"),
    "show.col.by": ("操作人", "by"),
    "show.col.source / batch": ("来源 / 批次", "source / batch"),
    "show.col.change": ("变更", "change"),
    "show.col.subject": ("对象", "subject"),
    "show.col.what": ("内容", "what"),
    "col.empty": ("{column}为空", "{column} is empty"),
    "cat.code_empty_no_resource": (
        "信息资源代码为空，上方也没有所属的信息资源行",
        "信息资源代码 is empty and no resource row above it",
    ),
    "cat.differs": (
        "与第 {row} 行为信息资源 {code} 填写的 {seen!r} 不一致",
        "differs from {seen!r} given for resource {code} at row {row}",
    ),
    "cat.item_twice": (
        "信息项 {name!r} 在 {code} 中重复出现（首次在第 {row} 行）",
        "信息项 {name!r} is listed twice in {code} (first at row {row})",
    ),
    "cat.length": ("{value!r} 不是整数长度", "{value!r} is not a whole number of characters"),
    "value.date": ("{value!r} 不是日期（请写作 2023-05-01）", "{value!r} is not a date (write it as 2023-05-01)"),
    "value.condition_needed": (
        "有条件共享须在“共享条件”中写明条件",
        "有条件共享 (conditional share) needs its condition in 共享条件",
    ),
    "value.basis_needed": (
        "不予共享须在“共享条件”中写明法律或政策依据",
        "不予共享 (not shared) needs its legal or policy basis in 共享条件",
    ),
    "number.lost_digits_hint": (
        "（该代码以数字格式保存，已丢失位数：请把该列设为文本格式后重新填写）",
        " (Excel stored the code as a number and lost digits: format the column as text and enter it again)",
    ),
    "code.length": (
        "统一社会信用代码应为 18 位，{code!r} 为 {n} 位",
        "统一社会信用代码 must have 18 characters, {code!r} has {n}",
    ),
    "code.alphabet": (
        "统一社会信用代码 {code!r} 含有不允许的字符 {bad!r}（不使用 I、O、S、V、Z）",
        "统一社会信用代码 {code!r} contains {bad!r}, not allowed (I, O, S, V, Z never appear)",
    ),
    "code.authority": (
        "统一社会信用代码 {code!r}：{first!r} 不是登记管理部门代码",
        "统一社会信用代码 {code!r}: {first!r} is not a registration authority code",
    ),
    "code.region": (
        "统一社会信用代码 {code!r}：{region!r} 不是行政区划代码",
        "统一社会信用代码 {code!r}: region {region!r} is not a division code",
    ),
    "code.org": (
        "统一社会信用代码 {code!r}：组织机构代码 {org!r} 未通过 GB 11714 校验",
        "统一社会信用代码 {code!r}: organisation code {org!r} fails its GB 11714 check digit",
    ),
    "code.check": (
        "统一社会信用代码 {code!r}：校验位为 {found!r}，应为 {expected!r}",
        "统一社会信用代码 {code!r}: check digit is {found!r}, expected {expected!r}",
    ),
    "code.resource_pattern": (
        "信息资源代码 {code!r} 不符合 2017 年编制指南的格式；已原样保留",
        "resource code {code!r} does not follow the 2017 guide's pattern; kept as given",
    ),
    "code.resource_chars": (
        "信息资源代码 {code!r} 含有编码规则不使用的字符",
        "信息资源代码 {code!r} contains characters no code scheme uses",
    ),
    "search.title": ("搜索“{text}”", "search for {text!r}"),
    "search.results": ("搜索“{text}”：共 {total} 条", "Search {text!r}: {total} hits"),
    "search.col.kind": ("类别", "kind"),
    "search.col.key": ("代码", "key"),
    "search.col.name": ("名称", "name"),
    "search.col.department": ("部门", "department"),
    "label.Project": ("项目", "project"),
    "facet.kind": ("类别", "kind"),
    "facet.department": ("部门", "department"),
    "facet.category": ("信息资源分类", "category"),
    "facet.share_type": ("共享类型", "share type"),
    "facet.update_cycle": ("更新周期", "update cycle"),
    "facet.network": ("部署网络", "network"),
    "facet.secrecy_level": ("密级", "secrecy"),
    "changes.title": ("{since} 以来的变更", "changes since {since}"),
    "changes.count": ("{since} 以来的变更：{n} 条", "Changes since {since}: {n}"),
    "changes.col.at": ("时间", "at"),
    "changes.col.by": ("操作人", "by"),
    "changes.col.op": ("变更", "change"),
    "changes.col.kind": ("类别", "kind"),
    "changes.col.key": ("代码", "key"),
    "changes.col.name": ("名称", "name"),
    "changes.col.what": ("内容", "what"),
    "op.created": ("新增", "created"),
    "op.updated": ("更新", "updated"),
    "op.retired": ("注销", "retired"),
    "op.revived": ("恢复", "revived"),
    "label.Interface": ("技术接口", "interface"),
    "label.Need": ("共享需求", "need"),
    "label.ImportBatch": ("导入批次", "import batch"),
    "gap.stale_dataset": (
        "数据集 {name!r} 更新周期为{cycle}，最近一次数据更新在 {last}，已逾期 {days} 天",
        "dataset {name!r} is updated {cycle}, last on {last}: {days} days overdue",
    ),
    "gapkind.stale_dataset": ("数据未按周期更新", "stale_dataset"),
    "browse.count": ("共 {n} 个数据集", "{n} datasets"),
    "browse.col.path": ("代码", "path"),
    "browse.col.name": ("名称", "name"),
    "browse.col.count": ("数据集", "datasets"),
    "demo.systems": ("系统按部署网络和密级", "Systems by network and 密级"),
    "demo.datasets": ("数据集按共享类型", "Datasets by 共享类型"),
    "demo.col.datasets": ("数据集", "datasets"),
    "demo.col.shared": ("已与他人共享", "shared with someone"),
    "demo.undeclared": ("（未填写）", "(not declared)"),
    "demo.loading": ("导入演示登记库", "Loading the demo registry"),
    "demo.found_rule": ("登记库的发现", "What the registry found"),
    "review.title": ("问题复核", "findings review"),
    "review.col.id": ("编号", "id"),
    "review.col.rule": ("规则", "rule"),
    "review.col.status": ("状态", "status"),
    "review.col.finding": ("问题", "finding"),
    "review.col.subjects": ("涉及条目", "entries"),
    "review.col.decision": ("复核意见", "decision"),
    "review.status.open": ("待复核", "open"),
    "review.status.confirmed": ("已确认", "confirmed"),
    "review.status.dismissed": ("已驳回", "dismissed"),
    "review.stale": ("（证据已变化）", " (evidence changed)"),
    "review.recorded": ("已记录：{id} {status}（{by}，{at}）", "recorded: {id} {status} ({by}, {at})"),
    "review.no_finding": (
        "没有编号为 {id} 的问题（registry review list 列出编号）",
        "no finding with id {id} (registry review list shows the ids)",
    ),
    "review.exported": ("已写入 {path}：{n} 条已确认问题", "wrote {path}: {n} confirmed findings"),
}


def t(message_id: str, lang: Language | None = None, /, **values: object) -> str:
    """The message in the user's language with its placeholders filled."""
    return _pick(MESSAGES[message_id], lang).format(**values)


def t_or(message_id: str, default: str, lang: Language | None = None) -> str:
    """The message, or ``default`` where the table has none (an identifier added by a new
    rule or kind is shown as it is until it gets its label here)."""
    pair = MESSAGES.get(message_id)
    return _pick(pair, lang) if pair else default


def plural(n: int, singular: str, plural_form: str) -> str:
    """English count words (``1 dataset``, ``2 datasets``); Chinese has none."""
    return singular if n == 1 else plural_form
