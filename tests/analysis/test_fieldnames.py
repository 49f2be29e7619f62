from registry.analysis.fieldnames import FieldNormaliser, fold


def test_id_number_spellings_meet() -> None:
    normaliser = FieldNormaliser.standard()
    tokens = {
        normaliser.token(n)
        for n in ("身份证号", "身份证号码", "公民身份号码", "公民身份证号", " 身份证号(18位)", "证件号码")
    }
    assert tokens == {"E:公民身份号码"}


def test_surface_noise_is_folded() -> None:
    assert fold("单位 名称") == fold("单位名称")
    assert fold("证书编号（必填）") == fold("证书编号")
    assert fold("ＡＢＣ编号") == fold("abc编号")


def test_attribute_suffix_variants_share_a_token() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("城镇公积金处罚编号") == normaliser.token("城镇公积金处罚代码") == "F:城镇公积金处罚#代码"
    assert normaliser.token("城镇公积金处罚有效期") == normaliser.token("城镇公积金处罚有效期限")
    assert normaliser.token("城镇公积金处罚编号") != normaliser.token("城镇公积金处罚名称")


def test_an_element_at_the_end_of_a_name_is_that_element_of_the_stem() -> None:
    read = FieldNormaliser.standard().read("申请人身份证号")
    assert (read.stem, read.klass) == ("申请人", "E:公民身份号码")
    assert not read.is_element and read.weight == 1.0


def test_ubiquitous_elements_and_administrative_columns_weigh_little() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.read("姓名").weight < 0.5
    assert normaliser.read("备注").weight < 0.5
    assert normaliser.read("城镇公积金处罚编号").weight == 1.0


def test_registry_data_elements_join_the_dictionary() -> None:
    normaliser = FieldNormaliser.standard()
    normaliser.add_element("DE0101", "不动产单元号", ["不动产单元编码"])
    assert normaliser.token("不动产单元号") == normaliser.token("不动产单元编码") == "E:DE0101"
    normaliser.add_element("DE0001", "公民身份号码", ["身份证号"])
    assert normaliser.token("证件号码") == "E:DE0001"
    assert normaliser.read("证件号码").weight < 0.5


def test_different_items_stay_apart() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("申请日期") != normaliser.token("办结日期")
    assert normaliser.token("姓名") != normaliser.token("企业名称")
