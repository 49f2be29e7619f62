"""The search index kept up to date from each write batch: after an import, an update, a
provider change and a retirement, the updated index answers exactly as a fresh build over
the same store does, for a cleared and for a public caller; and it is built in full only
when there is none."""

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.importers import read
from registry.schema.model import Dataset
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService, search_index
from registry.service.declaration import EdgeDecl
from registry.service.search import search, suggest
from tests.cli import catalogue
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]

ADMIN = Caller.system("test")
PUBLIC = Caller.public()


def _queries(service: RegistryService) -> list[str]:
    """About 150 of: dataset, system and department names, two- and three-character
    pieces of them, a code, several-term queries and one character."""
    names = sorted(
        {str(r.props["name"]) for label in ("Dataset", "System", "Department") for r in service.find(ADMIN, label)}
    )
    pieces = sorted({name[i : i + n] for name in names for n in (2, 3) for i in range(0, max(1, len(name) - n), 3)})
    every = [*names, *pieces]
    return [*every[:: max(1, len(every) // 150)], "户籍 地址", "浙江 人口", "信", "101330100/001", "公安"]


def _answers(service: RegistryService, queries: list[str]) -> list[object]:
    out: list[object] = []
    for caller in (ADMIN, PUBLIC):
        for query in queries:
            out.append(search(service, caller, query, first=50))
        out.append(search(service, caller, "信息", kinds=["Dataset"], filters={"share_type": "unconditional"}))
        out.extend(suggest(service, caller, prefix) for prefix in ("居民", "户", "企业"))
    return out


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[RegistryService]:
    """The service of each full build."""
    counted: list[RegistryService] = []
    real: Callable[[RegistryService], search_index.SearchIndex] = search_index.build

    def counting(service: RegistryService) -> search_index.SearchIndex:
        counted.append(service)
        return real(service)

    monkeypatch.setattr(search_index, "build", counting)
    return counted


def _same_as_fresh(service: RegistryService, queries: list[str]) -> None:
    fresh = RegistryService(service.store)  # its own index, built in full
    assert _answers(service, queries) == _answers(fresh, queries)


def test_updated_index_answers_like_a_fresh_build(
    demo_service: RegistryService, builds: list[RegistryService], tmp_path: Path
) -> None:
    service = demo_service
    queries = _queries(service)
    search(service, ADMIN, "户籍")
    assert [s for s in builds if s is service] == [service]  # no index yet: a full build

    path = catalogue.write(tmp_path / "hz.csv", [1, 2, 3])
    service.load(read(path), ADMIN)  # an import: a new department, datasets and 信息项
    assert search(service, ADMIN, "婚姻登记信息").hits[0].key == catalogue.code(3)
    assert [s for s in builds if s is service] == [service]
    _same_as_fresh(service, [*queries, "婚姻登记", "杭州市数据资源管理局"])

    catalogue.write(path, [1, 2], abstracts={1: "更新后的摘要"})
    service.load(read(path), ADMIN, force=True)  # an update, and 婚姻登记信息 retired by the file
    assert catalogue.code(3) not in {h.key for h in search(service, ADMIN, "婚姻登记信息", first=50).hits}
    assert search(service, ADMIN, "更新后的摘要").hits[0].key == catalogue.code(1)

    renamed = service.get(ADMIN, "Dataset", catalogue.code(2))
    service.upsert(ADMIN, [Dataset(**{**renamed.props, "name": "市场主体登记信息"})])  # renamed
    assert search(service, ADMIN, "市场主体登记信息").hits[0].key == catalogue.code(2)
    old_name = [h for h in search(service, ADMIN, "企业登记信息", first=50).hits if h.key == catalogue.code(2)]
    assert [h.matched for h in old_name] == ["text"]  # the abstract still says so
    assert [s for s in builds if s is service] == [service]
    _same_as_fresh(service, [*queries, "市场主体", "企业登记", "更新后"])

    moved = service.find(ADMIN, "Dataset", limit=1)[0]
    before = search(service, ADMIN, str(moved.props["name"]), kinds=["Field"], first=200).facets
    service.upsert(  # a second provider edge: no entry changes, its 信息项 may change department
        ADMIN,
        [],
        [EdgeDecl("PROVIDES", NodeRef("Department", catalogue.PROVIDER[1]), moved.ref)],
    )
    _same_as_fresh(service, queries)

    hidden = service.hidden(PUBLIC)
    retired = [next(iter(sorted(r for r in hidden if r.label == "System"))), moved.ref]
    service.retire(ADMIN, retired)  # a retirement (its 信息项 stay, without a provider)
    after = search(service, ADMIN, str(moved.props["name"]), kinds=["Field"], first=200).facets
    assert after != before or not before
    assert [s for s in builds if s is service] == [service]
    _same_as_fresh(service, queries)


def test_unknown_batches_fall_back_to_a_full_build(
    demo_service: RegistryService, builds: list[RegistryService]
) -> None:
    index = search_index.refreshed(demo_service, None)
    live = [doc for doc_id, doc in enumerate(index.docs) if index.alive[doc_id]]
    stale = search_index.SearchIndex.build(live, index.owner, version=index.version - 1)
    assert search_index.refreshed(demo_service, stale) is not stale  # a version moved, no batch tells which
    assert builds == [demo_service, demo_service]
