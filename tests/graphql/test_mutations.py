"""Each registration mutation through the ASGI app: what it writes, who it is recorded as,
and the editor's own-department rule."""

import json
from typing import Any

from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, Role
from tests.graphql.conftest import GA, HUJI_DS, JIUZHU_DS, MZ, MZ_SYS, Api

SYSTEM = """mutation($input: SystemInput!, $dept: String!) { upsertSystem(input: $input, department: $dept) {
  batch created updated unchanged nodes { key ... on System { name network department { name } updated { by } } } } }"""

DATASET = """mutation($input: DatasetInput!, $provider: String!, $fields: [FieldInput!], $heldBy: [String!]) {
  upsertDataset(input: $input, provider: $provider, fields: $fields, heldBy: $heldBy) {
    created updated nodes { ... on Dataset { name fields { name element { code } } heldBy { code } } } } }"""

ADMIN = Caller.system()


def _store_props(api: Api, label: str, key: str) -> dict[str, Any] | None:
    record = api.service.get_many(ADMIN, label, [key]).get(key)
    return None if record is None else record.props


def test_upsert_department_and_system_recorded_with_the_token_identity(api: Api) -> None:
    dept = api.data(
        """mutation($code: String!) { upsertDepartment(input: {code: $code, name: "浙江省民政厅", level: PROVINCIAL,
           region: "330000"}) { created updated unchanged } }""",
        {"code": MZ},
        as_="editor_mz",
    )["upsertDepartment"]
    assert dept == {"created": 0, "updated": 0, "unchanged": 1}

    result = api.data(
        SYSTEM,
        {
            "input": {
                "code": "ZJMZ-YL-01",
                "name": "养老服务管理系统",
                "network": "EXTRANET",
                "functions": ["养老服务"],
            },
            "dept": MZ,
        },
        as_="editor_mz",
    )["upsertSystem"]
    assert result["created"] >= 2 and result["batch"]
    node = result["nodes"][0]
    assert node["name"] == "养老服务管理系统" and node["department"]["name"] == "浙江省民政厅"
    assert node["updated"]["by"] == "token:民政厅录入员"
    assert api.service.get(ADMIN, "System", "ZJMZ-YL-01").created.by == "token:民政厅录入员"


def test_upsert_dataset_with_fields_elements_and_holders(api: Api) -> None:
    result = api.data(
        DATASET,
        {
            "input": {
                "resourceCode": "302001/000002",
                "name": "特困人员供养信息",
                "shareType": "CONDITIONAL",
                "shareCondition": "用于救助核查",
                "updateCycle": "MONTHLY",
            },
            "provider": MZ,
            "fields": [{"name": "公民身份号码", "dataType": "CHAR", "element": "DE00001"}, {"name": "供养方式"}],
            "heldBy": [MZ_SYS],
        },
        as_="editor_mz",
    )["upsertDataset"]
    dataset = result["nodes"][0]
    assert dataset["name"] == "特困人员供养信息"
    assert {f["name"]: f["element"] for f in dataset["fields"]} == {
        "供养方式": None,
        "公民身份号码": {"code": "DE00001"},
    }
    assert dataset["heldBy"] == [{"code": MZ_SYS}]
    assert _store_props(api, "Dataset", "302001/000002")["update_cycle"] == "monthly"


def test_declare_need_record_sharing_and_lineage(api: Api) -> None:
    need = api.data(
        """mutation($sys: String!) { declareNeed(input: {id: "NEED-MZ-2", purpose: "残疾人补贴资格核验"},
             requester: {kind: SYSTEM, key: $sys}, target: {kind: DATA_ELEMENT, key: "DE00001"}) {
             created nodes { ... on Need { purpose requesters { key } targets { key } } } } }""",
        {"sys": MZ_SYS},
        as_="editor_mz",
    )["declareNeed"]
    assert need["nodes"][0] == {
        "purpose": "残疾人补贴资格核验",
        "requesters": [{"key": MZ_SYS}],
        "targets": [{"key": "DE00001"}],
    }

    sharing = api.data(
        """mutation($ds: String!, $sys: String!) { recordSharing(dataset: $ds, recipient: {kind: SYSTEM, key: $sys},
             agreement: "浙公民共享〔2024〕1号", since: "2024-01-01") {
             created nodes { ... on Dataset { sharedWith { recipient { key } agreement } } } } }""",
        {"ds": HUJI_DS, "sys": MZ_SYS},
        as_="editor_ga",
    )["recordSharing"]
    assert sharing["created"] == 1
    assert {"recipient": {"key": MZ_SYS}, "agreement": "浙公民共享〔2024〕1号"} in sharing["nodes"][0]["sharedWith"]

    lineage = api.data(
        """mutation($to: String!, $from: String!) { recordLineage(field: {dataset: $to, name: "姓名"},
             derivedFrom: {dataset: $from, name: "姓名"}, processingMethod: "接口比对") {
             created nodes { ... on Field { derivedFrom { processingMethod field { key } } } } } }""",
        {"to": JIUZHU_DS, "from": HUJI_DS},
        as_="editor_mz",
    )["recordLineage"]
    assert lineage["nodes"][0]["derivedFrom"] == [{"processingMethod": "接口比对", "field": {"key": f"{HUJI_DS}#姓名"}}]


def test_an_editor_cannot_change_another_departments_entries(api: Api) -> None:
    before = _store_props(api, "System", MZ_SYS)
    attempts = [
        (SYSTEM, {"input": {"code": MZ_SYS, "name": "改名系统", "network": "EXTRANET"}, "dept": MZ}),
        (SYSTEM, {"input": {"code": "ZJGA-NEW-01", "name": "新系统"}, "dept": MZ}),
        (DATASET, {"input": {"resourceCode": JIUZHU_DS, "name": "改名数据"}, "provider": GA}),
        (
            """mutation($c: String!) { upsertDepartment(input: {code: $c, name: "民政厅（改）"}) { created } }""",
            {"c": MZ},
        ),
        (
            """mutation($d: String!, $r: String!) { recordSharing(dataset: $d, recipient: {kind: DEPARTMENT, key: $r}) {
               created } }""",
            {"d": JIUZHU_DS, "r": GA},
        ),
    ]
    for query, variables in attempts:
        body = api.post(query, variables, as_="editor_ga")
        error = body["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN", error
        assert "may not write" in error["message"] and "its own department" in error["message"]
        assert "Traceback" not in json.dumps(body)
    assert _store_props(api, "System", MZ_SYS) == before
    assert _store_props(api, "System", "ZJGA-NEW-01") is None
    assert api.service.get(ADMIN, "Department", MZ).props["name"] == "浙江省民政厅"
    shared = api.service.edges(ADMIN, [NodeRef("Dataset", JIUZHU_DS)], types=["SHARED_WITH"])
    assert shared == []


def test_readers_cannot_write_and_bad_values_are_named(api: Api) -> None:
    denied = api.post(SYSTEM, {"input": {"code": "X-1", "name": "某系统"}, "dept": MZ}, as_="reviewer")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "may read but not write" in denied["errors"][0]["message"]

    bad = api.post("""mutation { upsertDepartment(input: {code: "123", name: "某局"}) { created } }""", as_="admin")[
        "errors"
    ][0]
    assert bad["extensions"]["code"] == "BAD_INPUT"
    assert bad["message"].startswith("invalid Department: code:") and "18" in bad["message"]

    missing = api.post(SYSTEM, {"input": {"code": "X-2", "name": "某系统"}, "dept": "91110000MA0000000X"}, as_="admin")
    assert "do not exist" in missing["errors"][0]["message"] or "no Department" in missing["errors"][0]["message"]
    assert _store_props(api, "System", "X-2") is None


def test_an_uncleared_editor_cannot_register_classified_entries(api: Api) -> None:
    body = api.post(
        SYSTEM,
        {
            "input": {"code": "ZJMZ-SM-01", "name": "涉密系统", "network": "INTRANET", "secrecyLevel": "SECRET"},
            "dept": MZ,
        },
        as_="editor_mz",
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "clearance" in body["errors"][0]["message"]
    cleared = Caller("x", Role.ADMIN, Clearance.TOP_SECRET)
    assert api.service.get_many(cleared, "System", ["ZJMZ-SM-01"]) == {}
