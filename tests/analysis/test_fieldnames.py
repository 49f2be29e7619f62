from registry.analysis.fieldnames import FieldNormaliser, fold


def test_id_number_spellings_meet() -> None:
    normaliser = FieldNormaliser.standard()
    tokens = {
        normaliser.token(n) for n in ("身份证号", "身份证号码", "公民身份号码", "公民身份证号", " 身份证号(18位)")
    }
    assert len(tokens) == 1


def test_surface_noise_is_folded() -> None:
    assert fold("单位 名称") == fold("单位名称") == fold("单位名")
    assert fold("证书编号（必填）") == fold("证书号码")
    assert fold("ＡＢＣ编号") == fold("abc编号")


def test_registry_data_elements_join_the_synonyms() -> None:
    normaliser = FieldNormaliser.standard()
    normaliser.add_element("DE0101", "不动产单元号", ["不动产单元编码"])
    assert normaliser.token("不动产单元号") == normaliser.token("不动产单元编码") == "E:DE0101"
    assert normaliser.token("公民身份号码") == "F:公民身份号"


def test_different_items_stay_apart() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("申请日期") != normaliser.token("办结日期")
    assert normaliser.token("姓名") != normaliser.token("企业名称")
