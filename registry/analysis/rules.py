"""The policy rules the registry checks, each with the instrument and clause it comes from.

A finding names its rule id and carries this citation, so a reviewer can see why it was
raised without looking anything up; ``docs/policy-rules.md`` lists the same rules, and a
test keeps the two in step. Rule ids are stable: dashboards and reviews refer to them.
"""

from dataclasses import dataclass

from registry.analysis.findings import Serialisable

MEASURES_55 = "《国家电子政务工程建设项目管理暂行办法》（国家发展和改革委员会令第55号，2007）"
NOTICE_2544 = "《关于进一步加强国家电子政务工程建设项目管理工作的通知》（发改高技〔2008〕2544号）"
DECREE_809 = "《政务数据共享条例》（国务院令第809号，2025年8月1日起施行）"


@dataclass(frozen=True)
class Rule(Serialisable):
    id: str
    title: str
    source: str
    clause: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "PRJ-1",
            "项目调整未经批准：投资调整超过批复总投资15%或建设目标变更",
            f"{MEASURES_55}；{NOTICE_2544}",
            "概算调整与建设内容、目标变更须报原审批部门批准（调整超过批复总投资15%视为重大调整）",
        ),
        Rule(
            "PRJ-2",
            "在建项目缺少半年或年度建设进度报告",
            f"{MEASURES_55}；{NOTICE_2544}",
            "项目建设单位于每年7月底前报送半年建设进度报告、次年1月底前报送年度建设进度报告",
        ),
        Rule(
            "PRJ-3",
            "竣工验收先于档案验收",
            f"{MEASURES_55}；{NOTICE_2544}",
            "项目档案验收合格后方可进行竣工验收",
        ),
        Rule(
            "PRJ-4",
            "试运行前未开展信息安全风险评估",
            f"{MEASURES_55}；{NOTICE_2544}",
            "系统试运行前应完成信息安全风险评估",
        ),
        Rule(
            "REQ-1",
            "共享申请未在期限内答复",
            DECREE_809,
            "数据提供部门自收到共享申请之日起在规定工作日内（默认10个工作日）予以答复",
        ),
        Rule(
            "REQ-2",
            "同意共享后未在期限内完成共享",
            DECREE_809,
            "同意共享的，自答复之日起在规定工作日内（默认20个工作日）完成数据共享",
        ),
        Rule(
            "REQ-3",
            "不予共享未说明理由和依据",
            DECREE_809,
            "不同意共享的，应当说明理由并提供法律、行政法规或政策依据",
        ),
        Rule(
            "REQ-4",
            "无条件共享的数据未即时共享",
            DECREE_809,
            "无条件共享的政务数据，申请后即时共享（默认1个工作日内）",
        ),
        Rule(
            "SRC-1",
            "重复收集：另一部门自行收集已有权威来源的数据",
            DECREE_809,
            "通过共享获取政务数据能够满足履职需要的，政府部门不得重复收集（一数一源）",
        ),
        Rule(
            "SRC-2",
            "同一数据元声明了两个以上权威来源部门",
            DECREE_809,
            "明确牵头收集政务数据的政府部门，一数一源",
        ),
        Rule(
            "SRC-3",
            "多部门持有的数据元未明确权威来源",
            DECREE_809,
            "明确牵头收集政务数据的政府部门，一数一源",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
