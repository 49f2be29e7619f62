import numpy as np

from registry.analysis.titles import TitleSpace, core


def test_the_core_drops_a_level_in_front_and_container_words_behind() -> None:
    assert core("全区食品经营许可证发放台账") == "食品经营许可证发放"
    assert core("县气象预警信息一览表") == "气象预警"
    assert core("上海市道路运输经营业户数据") == "道路运输经营业户"
    assert core("辖区执业医师花名册") == "执业医师"


def test_a_word_that_starts_with_a_level_character_is_kept() -> None:
    assert core("市场主体登记信息") == "市场主体登记"
    assert core("区划调整信息") == "区划调整"


def test_a_name_is_contained_when_every_character_of_its_core_is_in_the_other() -> None:
    space = TitleSpace(
        ["婚姻登记信息", "婚姻登记业务明细", "收养登记信息", "危险化学品经营许可证信息", "危化品经营单位许可台账"]
    )
    left, right = np.array([0, 0, 3]), np.array([1, 2, 4])
    assert space.contained(left, right).tolist() == [True, False, False]
    assert space.contained(np.array([4]), np.array([3])).tolist() == [False]


def test_contained_pairs_are_found_without_comparing_every_pair() -> None:
    names = ["医师执业注册信息", "辖区执业医师花名册", "护士执业注册信息", "婚姻登记信息", "婚姻登记业务明细"]
    found = {tuple(p) for p in TitleSpace(names).contained_pairs().tolist()}
    assert found == {(0, 1), (3, 4)}
