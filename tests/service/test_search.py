"""Search across kinds on the demo: ranking, facets, autocomplete, bad input, and clearance
(a public caller's hits and facet counts never include or count a hidden entry)."""

import pytest

from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, InvalidInput, RegistryService
from registry.service.search import search, suggest
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]

ADMIN = Caller.system("test")
PUBLIC = Caller.public()


def test_finds_entries_of_every_kind_by_chinese_name(demo_service: RegistryService) -> None:
    result = search(demo_service, ADMIN, "户籍", first=50)
    kinds = {hit.label for hit in result.hits}
    assert {"Dataset", "Field", "DataElement", "System"} <= kinds
    assert result.facets["kind"] == {k: sum(1 for h in result.hits if h.label == k) for k in kinds}
    assert result.total == len(result.hits) == sum(result.facets["kind"].values())


def test_exact_names_rank_first_and_kinds_outrank_fields(demo_service: RegistryService) -> None:
    hits = search(demo_service, ADMIN, "户籍地址").hits
    assert hits[0].name == "户籍地址" and hits[0].label == "DataElement"
    assert all(h.name == "户籍地址" for h in hits[:3])


def test_codes_abstracts_and_several_terms(demo_service: RegistryService) -> None:
    assert search(demo_service, ADMIN, "206100000/005").hits[0].name == "欠税公告信息"
    both = search(demo_service, ADMIN, "浙江 人口").hits
    assert both and all("浙江" in h.name or "人口" in h.name for h in both[:1])
    assert search(demo_service, ADMIN, "纳税人的公告").hits[0].name == "欠税公告信息"  # from the abstract


def test_filters_and_pages(demo_service: RegistryService) -> None:
    everything = search(demo_service, ADMIN, "信息", first=200)
    datasets = search(demo_service, ADMIN, "信息", kinds=["Dataset"], first=200)
    assert datasets.total == everything.facets["kind"]["Dataset"]
    shared = search(demo_service, ADMIN, "信息", kinds=["Dataset"], filters={"share_type": "unconditional"}, first=200)
    assert 0 < shared.total < datasets.total
    page1 = search(demo_service, ADMIN, "信息", first=5)
    page2 = search(demo_service, ADMIN, "信息", first=5, after=page1.next_cursor)
    assert [h.key for h in page1.hits + page2.hits] == [h.key for h in everything.hits[:10]]


def test_public_caller_never_sees_or_counts_hidden_entries(demo_service: RegistryService) -> None:
    hidden = demo_service.hidden(PUBLIC)
    assert NodeRef("System", "330000-GA-XT002") in hidden
    for query in ("重点人员", "公安", "信息", "人口", "内网"):
        cleared = search(demo_service, ADMIN, query, first=200)
        public = search(demo_service, PUBLIC, query, first=200)
        assert not {NodeRef(h.label, h.key) for h in public.hits} & hidden
        visible = [h for h in cleared.hits if NodeRef(h.label, h.key) not in hidden]
        assert public.total == len(visible)
        assert sum(public.facets.get("kind", {}).values()) == public.total
        assert "secrecy_level" not in public.facets
    assert search(demo_service, PUBLIC, "重点人员").total == 0
    assert search(demo_service, ADMIN, "重点人员").total > 0
    secret = Caller(identity="r", role=PUBLIC.role, clearance=Clearance.SECRET)
    assert "secrecy_level" in search(demo_service, secret, "公安").facets


def test_autocomplete_by_prefix_without_hidden_names(demo_service: RegistryService) -> None:
    names = [h.name for h in suggest(demo_service, ADMIN, "不动产", limit=5)]
    assert names and all(n.startswith("不动产") for n in names)
    assert not [h for h in suggest(demo_service, PUBLIC, "浙江省重点", limit=10) if "重点人员" in h.name]


@pytest.mark.parametrize("query", ["信息\u0000x", "\u0000", "x" * 5000])
def test_control_characters_and_overlong_queries_are_refused(demo_service: RegistryService, query: str) -> None:
    with pytest.raises(InvalidInput):
        search(demo_service, PUBLIC, query)


def test_a_write_is_searchable_at_once(service: RegistryService) -> None:
    """The index is rebuilt when the store version moves (it was keyed on the bound method,
    which never changes, so the first index was served for ever)."""
    from registry.schema.codes import make_credit_code
    from registry.schema.model import Department

    first = make_credit_code("11", "330000", "00253101")
    service.upsert(ADMIN, [Department(code=first, name="浙江省统计局")])
    assert [h.key for h in search(service, ADMIN, "统计局").hits] == [first]
    second = make_credit_code("11", "330000", "00253102")
    service.upsert(ADMIN, [Department(code=second, name="浙江省审计厅")])
    assert [h.key for h in search(service, ADMIN, "审计厅").hits] == [second]


def test_pinyin_initials_and_full_pinyin_rank_below_chinese_matches(demo_service: RegistryService) -> None:
    initials = search(demo_service, ADMIN, "rkjc")  # 人口基础
    assert "全国人口基础信息" in {h.name for h in initials.hits}
    assert {h.matched for h in initials.hits} == {"pinyin"}
    full = search(demo_service, ADMIN, "renkoujichu")
    assert [h.key for h in full.hits] == [h.key for h in initials.hits]
    assert search(demo_service, ADMIN, "RKJC").total == initials.total  # case does not matter
    mixed = search(demo_service, ADMIN, "ga", first=200).hits  # GA in system codes; 公安 as pinyin
    kinds = [h.matched for h in mixed]
    assert "code" in kinds and "pinyin" in kinds
    assert kinds.index("pinyin") > max(i for i, k in enumerate(kinds) if k != "pinyin")
    assert "浙江省公安厅" in {h.name for h in mixed if h.matched == "pinyin"}


def test_pinyin_never_finds_what_a_public_caller_may_not_see(demo_service: RegistryService) -> None:
    secret = "zjszdrydtgkxt"  # 浙江省重点人员动态管控系统, on the intranet
    assert "330000-GA-XT002" in {h.key for h in search(demo_service, ADMIN, secret).hits}
    public = search(demo_service, PUBLIC, secret)
    assert "330000-GA-XT002" not in {h.key for h in public.hits}
    assert public.total == sum(public.facets.get("kind", {}).values())
