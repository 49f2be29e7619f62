"""Each read query through the ASGI app, as an intranet-cleared reviewer unless said."""

from tests.graphql.conftest import (
    DERIVED_DS,
    GA,
    HUJI_DS,
    HUZHENG_SYS,
    INTRANET_DS,
    JIUZHU_DS,
    MZ,
    MZ_SYS,
    SECRET_SYS,
    SJ,
    Api,
)


def test_department_with_its_edges(api: Api) -> None:
    data = api.data(
        """query($code: String!) { department(code: $code) {
            name level region label key
            systems { code } datasets { resourceCode } projects { code }
            created { source by batch at } updated { by }
        } }""",
        {"code": GA},
        as_="reviewer",
    )["department"]
    assert data["name"] == "浙江省公安厅"
    assert data["level"] == "PROVINCIAL"
    assert data["label"] == "Department" and data["key"] == GA
    assert [s["code"] for s in data["systems"]] == sorted([SECRET_SYS, HUZHENG_SYS])
    assert [d["resourceCode"] for d in data["datasets"]] == [INTRANET_DS, HUJI_DS]
    assert [p["code"] for p in data["projects"]] == ["PRJ-HZ", "PRJ-QB"]
    assert data["created"]["source"] == "测试目录.json" and data["created"]["by"] == "fixture"


def test_system_dataset_field_and_their_edges(api: Api) -> None:
    system = api.data(
        """{ system(code: "ZJGA-HZ-01") { name functions network mlpsLevel publicService status
             department { name } builtBy { name } datasets { name heldBy { code } interfaces { code kind } } } }""",
        as_="reviewer",
    )["system"]
    assert system["functions"] == ["户籍登记", "户口迁移"]
    assert system["network"] == "EXTRANET" and system["mlpsLevel"] == 3 and system["publicService"] is True
    assert system["department"]["name"] == "浙江省公安厅"
    assert system["builtBy"] == [{"name": "户政业务系统升级项目"}]
    assert system["datasets"][0]["heldBy"] == [{"code": HUZHENG_SYS}]
    assert system["datasets"][0]["interfaces"] == [{"code": "IF-HJ-01", "kind": "API"}]

    dataset = api.data(
        """query($code: String!) { dataset(resourceCode: $code) { name shareType shareCondition shareMode
             updateCycle publishedOn provider { name } fields { name dataType datasetCode dataset { name } }
             sharedWith { agreement since recipient { label key ... on Department { name } } }
             neededBy { purpose requesters { key } } } }""",
        {"code": HUJI_DS},
        as_="reviewer",
    )["dataset"]
    assert dataset["shareType"] == "CONDITIONAL" and dataset["shareMode"] == "INTERFACE"
    assert dataset["publishedOn"] == "2023-05-01" and dataset["updateCycle"] == "DAILY"
    assert dataset["provider"]["name"] == "浙江省公安厅"
    assert {f["name"] for f in dataset["fields"]} == {"姓名", "公民身份号码", "户籍地址"}
    assert all(f["dataset"]["name"] == "户籍人口基本信息" and f["dataType"] == "CHAR" for f in dataset["fields"])
    assert dataset["sharedWith"] == [
        {
            "agreement": "浙公民共享〔2023〕3号",
            "since": "2023-06-01",
            "recipient": {"label": "Department", "key": MZ, "name": "浙江省民政厅"},
        }
    ]
    assert dataset["neededBy"] == [{"purpose": "低保对象户籍核验", "requesters": [{"key": MZ}]}]


def test_field_lineage_and_element(api: Api) -> None:
    field = api.data(
        """query($ds: String!) { field(dataset: $ds, name: "身份证号") { key element { name synonyms
             fields { key } } derivedFrom { processingMethod
             field { key dataset { name } derivedInto { field { key } } } } } }""",
        {"ds": JIUZHU_DS},
        as_="reviewer",
    )["field"]
    assert field["element"]["name"] == "公民身份号码"
    assert "身份证号码" in field["element"]["synonyms"]
    assert len(field["element"]["fields"]) == 3
    step = field["derivedFrom"][0]
    assert step["processingMethod"] == "接口核验"
    assert step["field"]["key"] == f"{HUJI_DS}#公民身份号码"
    assert step["field"]["derivedInto"] == [{"field": {"key": field["key"]}}]


def test_need_project_interface_element_and_lookup(api: Api) -> None:
    data = api.data(
        """{ need(id: "NEED-MZ-1") { needId purpose legalBasis requesters { key } targets { label key } }
             project(code: "PRJ-HZ") { name stage approvedBudget leadDepartment { name } coBuilders { name }
               systems { code } }
             interface(code: "IF-HJ-01") { protocol network datasets { resourceCode } }
             dataElement(code: "DE00001") { name neededBy { needId } }
             lookup(key: "PRJ-HZ") { label key ... on Project { name } } }""",
        as_="reviewer",
    )
    assert data["need"] == {
        "needId": "NEED-MZ-1",
        "purpose": "低保对象户籍核验",
        "legalBasis": "社会救助暂行办法",
        "requesters": [{"key": MZ}],
        "targets": [{"label": "Dataset", "key": HUJI_DS}],
    }
    assert data["project"]["stage"] == "BUILDING" and data["project"]["approvedBudget"] == 380.0
    assert data["project"]["leadDepartment"]["name"] == "浙江省公安厅"
    assert data["project"]["coBuilders"] == [{"name": "浙江省大数据发展管理局"}]
    assert data["interface"]["datasets"] == [{"resourceCode": HUJI_DS}]
    assert data["dataElement"]["neededBy"] == []
    assert data["lookup"] == [{"label": "Project", "key": "PRJ-HZ", "name": "户政业务系统升级项目"}]


def test_lists_filter_by_department_network_secrecy_share_type_status_and_search(api: Api) -> None:
    def keys(query: str) -> list[str]:
        connection = next(iter(api.data("{ " + query + " }", as_="reviewer").values()))
        return [e["node"]["key"] for e in connection["edges"]]

    assert keys(f'systems(department: "{GA}") {{ edges {{ node {{ key }} }} }}') == [HUZHENG_SYS, SECRET_SYS]
    assert keys("systems(network: INTRANET) { edges { node { key } } }") == [SECRET_SYS]
    assert keys("systems(secrecyLevel: CONFIDENTIAL) { edges { node { key } } }") == [SECRET_SYS]
    assert keys(f'systems(department: "{GA}", network: EXTRANET) {{ edges {{ node {{ key }} }} }}') == [HUZHENG_SYS]
    assert keys('systems(status: OPERATING, search: "救助") { edges { node { key } } }') == [MZ_SYS]
    assert keys("datasets(shareType: UNCONDITIONAL) { edges { node { key } } }") == [DERIVED_DS, JIUZHU_DS]
    assert keys(f'datasets(department: "{SJ}") {{ edges {{ node {{ key }} }} }}') == [DERIVED_DS]
    assert keys('datasets(search: "户籍") { edges { node { key } } }') == [HUJI_DS]
    assert keys(f'fields(dataset: "{JIUZHU_DS}", search: "身份") {{ edges {{ node {{ key }} }} }}') == [
        f"{JIUZHU_DS}#身份证号"
    ]
    assert keys(f'needs(department: "{MZ}") {{ edges {{ node {{ key }} }} }}') == ["NEED-MZ-1"]
    assert keys(f'projects(department: "{GA}", stage: TRIAL) {{ edges {{ node {{ key }} }} }}') == ["PRJ-QB"]
    assert keys("interfaces(network: EXTRANET) { edges { node { key } } }") == ["IF-HJ-01"]
    assert keys('dataElements(search: "身份") { edges { node { key } } }') == ["DE00001"]
    assert keys('departments(level: PROVINCIAL, region: "330000") { edges { node { key } } }') == sorted([GA, SJ, MZ])


def test_pagination_walks_every_page_once(api: Api) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = api.data(
            "query($after: String) { fields(first: 4, after: $after) { totalCount "
            "edges { cursor node { key } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
            as_="reviewer",
        )["fields"]
        seen += [e["node"]["key"] for e in data["edges"]]
        pages += 1
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == data["totalCount"] == 10
    assert seen == sorted(seen)
    assert pages == 3


def test_stats_history_and_import_batches(api: Api) -> None:
    data = api.data(
        """{ stats { nodes { name count } edges { name count } }
             importBatches { totalCount edges { node { source by counts } } }
             system(code: "ZJGA-HZ-01") {
               history { op seq provenance { source by } changes { property old new } } } }""",
        as_="reviewer",
    )
    nodes = {n["name"]: n["count"] for n in data["stats"]["nodes"]}
    assert nodes["Department"] == 3 and nodes["System"] == 3 and nodes["Dataset"] == 4
    assert data["importBatches"]["totalCount"] == 1
    assert data["importBatches"]["edges"][0]["node"]["by"] == "fixture"
    history = data["system"]["history"]
    assert history[0]["op"] == "create"
    assert history[0]["provenance"] == {"source": "测试目录.json", "by": "fixture"}
