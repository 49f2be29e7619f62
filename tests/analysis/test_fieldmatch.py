from registry.analysis.fieldmatch import IN_CONTEXT, ROLE, distinct, match, overlap, similarity, stem_similarity
from registry.analysis.fieldnames import FieldNormaliser

READ = FieldNormaliser.standard().read


def test_everyday_renames_are_near() -> None:
    for a, b in [
        ("城镇公积金处罚编号", "城镇公积金处罚代码"),
        ("城镇公积金处罚有效期", "城镇公积金处罚有效期限"),
        ("出生日期", "出生年月"),
        ("户籍地址", "户口所在地"),
        ("公民身份号码", "身份证号"),
        ("企业批准文号", "企业批文号"),
    ]:
        assert similarity(READ(a), READ(b)) >= 0.9, (a, b)


def test_a_dropped_qualifier_stays_close() -> None:
    assert 0.7 <= similarity(READ("城镇公积金处罚编号"), READ("公积金处罚编码")) < 0.95
    assert stem_similarity("城镇职工养老保险登记", "职工养老保险登记") > 0.8


def test_one_topic_different_attributes_are_apart() -> None:
    for a, b in [
        ("城镇公积金处罚编号", "城镇公积金处罚名称"),
        ("养老保险登记申请日期", "养老保险登记办结日期"),
        ("养老保险登记受理编号", "养老保险登记编号"),
        ("整改情况", "复核结果"),
    ]:
        assert similarity(READ(a), READ(b)) < 0.7, (a, b)


def test_an_element_with_and_without_its_role_is_a_weak_match_taken_once() -> None:
    assert similarity(READ("参保单位名称"), READ("单位名称")) == ROLE < 0.9
    pairs = match([READ("男方姓名"), READ("女方姓名")], [READ("姓名")])
    assert len(pairs) == 1


def test_matching_is_one_to_one_and_identical_names_win() -> None:
    left = [READ(n) for n in ("处罚编号", "处罚代码", "姓名")]
    right = [READ(n) for n in ("处罚编码", "姓名")]
    pairs = match(left, right)
    assert len(pairs) == 2
    assert {(p.a.raw, p.b.raw) for p in pairs} == {("处罚编号", "处罚编码"), ("姓名", "姓名")}
    mass = [sum(f.weight for f in distinct(side)) for side in (left, right)]
    assert 0 < overlap(pairs, *mass) <= 1


def test_a_qualifier_on_a_bare_noun_stays_close_but_not_before_an_attribute() -> None:
    assert similarity(READ("计划用途"), READ("用途")) >= 0.8
    assert similarity(READ("建设规模"), READ("规模")) >= 0.8
    assert similarity(READ("变更登记日期"), READ("登记日期")) < 0.7


def test_an_optional_attribute_word_may_be_dropped() -> None:
    for a, b in [("床位数", "床位"), ("供水量", "供水"), ("参保人数", "参保人"), ("车辆号码", "车辆")]:
        assert similarity(READ(a), READ(b)) >= 0.85, (a, b)
    pairs = match([READ("床位"), READ("床位数")], [READ("床位数")])
    assert [(p.a.raw, p.b.raw) for p in pairs] == [("床位数", "床位数")]


def test_abbreviations_and_synonymous_words_are_near() -> None:
    for a, b in [
        ("医保缴费基数", "医疗保险缴费基数"),
        ("质保金", "质量保证金"),
        ("项目审批日期", "项目核准时间"),
        ("经营场所", "经营地址"),
        ("缴费方式", "缴费类型"),
        ("经营者名称", "经营人名称"),
    ]:
        assert similarity(READ(a), READ(b)) >= 0.75, (a, b)
    assert similarity(READ("医保缴费基数"), READ("医疗救助金额")) < 0.7


def test_an_attribute_with_and_without_its_qualifier_is_a_weak_match() -> None:
    assert similarity(READ("驾驶证状态"), READ("状态")) == ROLE
    assert similarity(READ("检验有效期止"), READ("检验有效期")) >= 0.85
    assert similarity(READ("准驾车型代号"), READ("准驾车型")) >= 0.85
    assert similarity(READ("监护人姓名"), READ("监护人")) >= 0.85


def test_a_qualifier_the_other_dataset_is_named_by_was_dropped_as_implied() -> None:
    left = [READ("承包合同编号"), READ("承包方代表身份证号")]
    right = [READ("合同编号"), READ("代表证件号码")]
    assert match(left, right) == []
    pairs = match(left, right, titles=("农村土地承包经营权确权登记信息", "土地承包经营权登记台账"))
    assert {(p.a.raw, p.b.raw) for p in pairs} == {("承包合同编号", "合同编号"), ("承包方代表身份证号", "代表证件号码")}
    assert all(p.similarity >= IN_CONTEXT * 0.95 for p in pairs)


def test_a_qualifier_only_its_own_dataset_is_named_by_sets_two_registers_apart() -> None:
    left, right = [READ("执业证号")], [READ("公证员执业证号")]
    assert len(match(left, right)) == 1
    assert match(left, right, titles=("律师执业信息", "公证员执业信息")) == []
    assert len(match([READ("执业证号")], [READ("律师执业证号码")], titles=("律师执业信息", "律师名录"))) == 1


def test_an_element_and_the_broader_one_it_is_a_kind_of_are_a_weak_match() -> None:
    assert similarity(READ("住所"), READ("地址")) == ROLE
    assert similarity(READ("地址"), READ("注册地址")) == ROLE
    assert similarity(READ("户籍地址"), READ("通讯地址")) == ROLE
    assert similarity(READ("注册地址"), READ("户籍地址")) == 0.0
    pairs = match([READ("住所"), READ("姓名")], [READ("地址"), READ("性别")])
    assert [(p.a.raw, p.b.raw) for p in pairs] == [("住所", "地址")]


def test_licence_template_columns_are_read_by_their_head_concept() -> None:
    """Registers of licences and certificates name one column many ways: the number of
    a certificate, the authority that issued it, the date and the term; an organisation
    is named by its kind (学校名称, 经营者名称 for 单位名称)."""
    for a, b in [
        ("发证机关", "审批部门"),
        ("核发单位", "发证机关"),
        ("发证日期", "核发时间"),
        ("批准日期", "发证日期"),
        ("有效期", "有效期至"),
        ("有效期限", "有效期止"),
        ("许可证编号", "证书号"),
        ("离婚证字号", "离婚证号"),
        ("学校名称", "机构名称"),
        ("经营者名称", "企业名称"),
        ("单位地址", "注册地址"),
        ("主要负责人", "法定代表人"),
    ]:
        assert similarity(READ(a), READ(b)) >= 0.9, (a, b)


def test_a_certificate_number_is_qualified_by_the_whole_certificate() -> None:
    assert READ("办学许可证号").klass == "E:证照编号"
    assert READ("办学许可证号").stem == "办学许可证"
    assert similarity(READ("办学许可证号"), READ("许可证编号")) == ROLE
    assert similarity(READ("就业失业登记证号"), READ("就失业证号")) >= 0.75
    assert similarity(READ("律师执业证号"), READ("公证员执业证号")) == 0.0
    assert similarity(READ("结婚证号"), READ("离婚证号")) == 0.0
