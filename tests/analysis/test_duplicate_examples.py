"""Duplicate construction as a planner describes it, on catalogues small enough to read:
the rarity of a field cannot be learnt from four departments, so the score must not
depend on it."""

import numpy as np

from registry.analysis.duplicates import DEFAULT_THRESHOLD, clusters, score_pairs
from registry.analysis.matrix import ItemMatrix

FOUR_DEPARTMENTS = [
    ("浙江省公安厅", "人口基础信息", ["公民身份号码", "姓名", "性别", "出生日期", "户籍地址", "民族", "籍贯"]),
    (
        "浙江省人力资源和社会保障厅",
        "户籍人口信息",
        ["身份证号", "姓名", "性别", "出生年月", "户口所在地", "民族", "籍贯"],
    ),
    (
        "浙江省民政厅",
        "婚姻登记信息",
        ["男方姓名", "男方身份证号", "女方姓名", "女方身份证号", "登记日期", "登记机关", "结婚证字号", "登记类型"],
    ),
    (
        "浙江省市场监督管理局",
        "企业登记信息",
        ["统一社会信用代码", "企业名称", "法定代表人", "注册资本", "成立日期", "住所", "经营范围", "登记机关"],
    ),
]


def catalogue(datasets: list[tuple[str, str, list[str]]]) -> ItemMatrix:
    """A matrix of datasets given as (department, name, field names)."""
    names: dict[str, int] = {}
    ids = [names.setdefault(f, len(names)) for _, _, fields in datasets for f in fields]
    return ItemMatrix.from_fields(
        "Dataset",
        keys=[f"DS{i:03d}" for i in range(len(datasets))],
        names=[name for _, name, _ in datasets],
        texts=[""] * len(datasets),
        departments=[dept for dept, _, _ in datasets],
        projects=[None] * len(datasets),
        field_names=list(names),
        field_indptr=np.cumsum([0] + [len(fields) for _, _, fields in datasets]),
        field_ids=np.asarray(ids),
    )


def test_the_four_department_example_is_found_with_its_renamed_fields() -> None:
    (found,) = clusters(catalogue(FOUR_DEPARTMENTS))
    assert [m.name for m in found.members] == ["人口基础信息", "户籍人口信息"]
    assert found.score >= DEFAULT_THRESHOLD
    matched = {(p.a, p.b): p.similarity for p in found.pairs[0].matched}
    assert 0.9 <= matched[("出生日期", "出生年月")] < 1
    assert 0.9 <= matched[("户籍地址", "户口所在地")] < 1
    assert matched[("姓名", "姓名")] == 1


def test_a_pair_scores_the_same_alone_and_among_many() -> None:
    """Field weights are priors, not rarities learnt from the registry: the holdings part
    of a pair is identical whether the registry has 2 datasets or 40."""
    pair = FOUR_DEPARTMENTS[:2]
    others = [
        (f"某市第{k}局", f"业务台账{k}", [f"业务{k}事项编号", f"业务{k}事项名称", "姓名", "公民身份号码", "联系电话"])
        for k in range(38)
    ]
    alone = score_pairs(catalogue(pair), np.array([[0, 1]]))
    among = score_pairs(catalogue(pair + others), np.array([[0, 1]]))
    assert alone.parts["holdings"][0] == among.parts["holdings"][0]
    assert abs(float(alone.total[0]) - float(among.total[0])) < 0.05


def test_a_county_column_added_by_a_copy_costs_less_than_a_field_of_data() -> None:
    """烟草专卖零售许可 kept again by a county: its district column barely lowers the pair,
    while a field of data added instead lowers it as any unmatched field does (issue 9,
    round 7)."""
    fields = ["许可证号", "企业名称", "负责人", "经营地址", "经营范围", "供货单位", "发证日期", "有效期限"]

    def holdings(added: str) -> float:
        matrix = catalogue(
            [
                ("市烟草专卖局", "烟草专卖零售许可证信息", fields),
                ("县烟草专卖局", "卷烟零售户许可数据", [*fields, added]),
            ]
        )
        return float(score_pairs(matrix, np.array([[0, 1]])).parts["holdings"][0])

    assert holdings("所属区县") > 0.95
    assert holdings("年销售额") < 0.85
