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


def test_a_format_or_unit_after_an_underscore_and_a_yes_no_question_are_folded() -> None:
    assert fold("发证日期_YYYYMMDD") == fold("发证日期")
    assert fold("仓容_吨") == fold("仓容（吨）")
    assert fold("是否为庄稼医院") == fold("庄稼医院（是/否）")
    assert fold("user_id") != fold("user_name")


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


def test_the_start_and_end_of_a_term_are_attributes_of_their_own() -> None:
    normaliser = FieldNormaliser.standard()
    ends = {normaliser.token(n) for n in ("有效期至", "有效期止", "有效截止日期", "有效期截止日期", "有效期结束")}
    starts = {normaliser.token(n) for n in ("有效期起", "有效开始日期", "有效期开始", "有效期自")}
    assert len(ends) == len(starts) == 1
    assert ends != starts
    assert normaliser.token("承包期限起") == normaliser.token("承包起始日期")


def test_a_name_suffix_is_an_attribute_and_a_whole_name_an_element() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("名字") == "E:姓名"
    assert normaliser.token("景区名字") == normaliser.token("景区名称")


def test_filler_words_and_a_place_word_before_the_address_are_dropped() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("户籍所在地址") == normaliser.token("户籍地址") == "E:户籍地址"
    assert normaliser.token("生产经营场所地址") == normaliser.token("生产经营地址")
    assert normaliser.token("所属行业") == normaliser.token("行业")


def test_an_element_takes_every_spelling_of_the_attribute_it_ends_in() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.read("执业证书编码").klass == normaliser.read("执业证书编号").klass == "E:证照编号"
    assert normaliser.token("婚姻情况") == "E:婚姻状况"


def test_common_clerk_words_read_as_their_standard_form() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("发证日期") == normaliser.token("核发日期") == normaliser.token("颁证日期")
    assert normaliser.token("首次执业日期") == normaliser.token("初次执业时间")
    assert normaliser.token("户口类别") == normaliser.token("户籍性质")
    assert normaliser.token("车架号") == normaliser.token("车辆识别代号")


def test_a_name_offering_alternatives_reads_as_its_first() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("证件号码/统一社会信用代码") == "E:公民身份号码"
    assert normaliser.token("被执行人姓名／名称") == normaliser.token("被执行人姓名")
    assert normaliser.read("证件号码/统一社会信用代码").raw == "证件号码/统一社会信用代码"
    assert normaliser.token("生产规模（万吨/年）") == normaliser.token("生产规模")


def test_domain_words_departments_write_for_one_another() -> None:
    normaliser = FieldNormaliser.standard()
    assert normaliser.token("贸易方式") == normaliser.token("监管方式")
    assert normaliser.token("币制") == normaliser.token("币种")
    assert normaliser.token("社会保障卡号码") == normaliser.token("社保卡号")
    assert normaliser.token("社会保障号码") == "E:公民身份号码"
    assert normaliser.token("处罚决定书文号") == normaliser.token("处罚决定文号")
    assert normaliser.token("许可机关") == normaliser.token("审批机关")
    assert normaliser.read("合同总价").klass == normaliser.read("成交金额").klass == "金额"
    assert normaliser.token("厂牌型号") == normaliser.token("品牌型号")


def test_county_township_and_village_columns_weigh_as_administrative_columns() -> None:
    """A copy kept by a lower level of government adds the column its list is kept by
    (issue 9, round 7): it says where a row is kept, not what the data is."""
    normaliser = FieldNormaliser.standard()
    administrative = normaliser.read("备注").weight
    for name in ("所属区县", "所在乡镇", "乡镇（街道）", "所属县（市、区）", "村（社区）", "所属区县代码", "所在街道"):
        assert normaliser.read(name).weight == administrative, name
    assert normaliser.read("所属行业").weight == 1.0


def test_an_element_added_after_names_were_read_is_found_at_the_end_of_a_name() -> None:
    # the attribute search tries only the spelling lengths it knows: an element added
    # later, with a spelling ending in a character no spelling ended in before, must be
    # tried too
    normaliser = FieldNormaliser.standard()
    before = normaliser.read("申请人林木采伐许可证甾")
    assert before.klass == ""
    normaliser.add_element("DE0900", "林木采伐许可证甾")
    after = normaliser.read("申请人林木采伐许可证甾")
    assert (after.stem, after.klass) == ("申请人", "E:DE0900")
    normaliser.add_synonyms("林木采伐许可证甾", ["采伐证明书乂"])
    assert normaliser.read("申请人采伐证明书乂").klass == "E:DE0900"


def test_part_keys_limited_to_known_stems_keep_every_key_a_whole_key_can_equal() -> None:
    """Duplicate detection asks only for the part keys of stems some name has: it must
    lose none that equals another name's whole key, and build fewer than all."""
    normaliser = FieldNormaliser.standard()
    names = [
        "房屋坐落",
        "坐落",
        "不动产坐落地址",
        "户主姓名",
        "姓名",
        "企业登记机关名称",
        "登记机关名称",
        "机关名称",
        "营业执照号码",
        "执照号码",
        "出生日期",
        "申请受理日期",
        "受理日期",
    ]
    read = [normaliser.read(name) for name in names]
    wholes = {key for f in read for key in f.whole_keys}
    stems = {f.stem for f in read if f.stem}
    all_keys = [k for f in read for k in f.part_key_list()]
    limited = [k for f in read for k in f.part_key_list(stems)]
    assert [k for k in all_keys if k in wholes] == [k for k in limited if k in wholes]
    assert any(k in wholes for k in limited)
    assert len(limited) < len(all_keys)
    for f in read:
        assert set(f.part_key_list(stems)) <= f.part_keys
