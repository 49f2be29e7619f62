from registry.analysis.duplicates import DISAGREEING_NAMES, clusters
from registry.analysis.evaluation import Entry, catalogue
from registry.analysis.subjects import core, disagree, disagreement

LICENCE = ("许可证编号", "单位名称", "统一社会信用代码", "法定代表人", "经营范围", "发证日期", "有效期至", "发证机关")


def test_a_name_is_read_without_what_any_register_may_carry() -> None:
    assert core("全省兽药经营许可证信息") == "兽药经营许可"
    assert core("辖区执业律师名册") == "执业律师"
    assert core("婚姻登记（结婚）数据") == "婚姻登记"


def test_the_same_business_of_another_subject_disagrees() -> None:
    for a, b in [
        ("兽药经营许可证信息", "农药经营许可证信息"),
        ("离婚登记信息", "结婚登记数据"),
        ("医师执业注册信息", "护士执业注册信息"),
        ("危险化学品经营许可证信息", "危险化学品安全生产许可证信息"),
        ("食品经营许可数据", "公共场所卫生许可证信息"),
        ("限额以上批发和零售业企业名录", "规模以上工业企业名录"),
        ("建设工程规划许可证信息", "建筑工程施工许可证信息"),
    ]:
        assert disagree(a, b), (a, b)


def test_a_renamed_register_does_not_disagree() -> None:
    for a, b in [
        ("特种设备使用登记信息", "特种设备登记台账"),
        ("农药经营许可证信息", "农药经营单位许可名录"),
        ("规模以上工业企业名录", "规上工业企业基本情况"),
        ("建筑业企业资质证书信息", "建筑施工企业资质台账"),
        ("广东省不动产查封登记信息", "广东省房屋查封登记信息"),
        ("企业登记信息", "市场主体登记信息"),
        ("医师执业注册信息", "执业医师注册登记数据"),
        ("困难残疾人生活补贴和重度残疾人护理补贴信息", "残疾人两项补贴发放台账"),
        ("互联网上网服务营业场所信息", "网吧营业场所名录"),
    ]:
        assert not disagree(a, b), (a, b)


def test_disagreeing_names_lower_a_pair_and_say_why() -> None:
    different = catalogue([Entry("甲", "兽药经营许可证信息", LICENCE), Entry("乙", "农药经营许可证信息", LICENCE)])
    copied = catalogue([Entry("甲", "兽药经营许可证信息", LICENCE), Entry("乙", "兽药经营许可台账", LICENCE)])
    (pair,) = clusters(different)[0].pairs
    assert pair.parts["subject"] == DISAGREEING_NAMES
    assert pair.score == DISAGREEING_NAMES
    assert "兽药经营许可 / 农药经营许可" in pair.message
    (pair,) = clusters(copied)[0].pairs
    assert pair.parts["subject"] == 1.0
    assert pair.score == 1.0
    assert disagreement("兽药经营许可证信息", "兽药经营许可台账") is None
