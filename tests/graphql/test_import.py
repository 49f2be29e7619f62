"""importCatalogue: a multipart upload read by the CLI's importers and written by the
service, with the same per-cell error report."""

import json
from typing import Any

from registry.service import Caller
from tests.graphql.conftest import MZ, Api

HEADER = (
    "信息资源分类,信息资源名称,信息资源代码,信息资源提供方,信息资源提供方代码,信息资源摘要,信息资源格式,"
    "信息项名称,数据类型,共享类型,共享条件,共享方式,是否向社会开放,更新周期,发布日期\n"
)
GOOD = HEADER + (
    f"基础信息资源,低保救助对象信息,302001/000001,浙江省民政厅,{MZ},低保对象名册,电子表格/xlsx,姓名,C,无条件共享,,文件,否,每月,2023-03-01\n"
    ",,,,,,,身份证号,C,,,,,,\n"
    ",,,,,,,救助类别,C,,,,,,\n"
    f"基础信息资源,婚姻登记信息,302002/000001,浙江省民政厅,{MZ},婚姻登记结果,数据库/oracle,男方姓名,C,有条件共享,仅限政务核验,接口,否,每日,2023-04-01\n"
    ",,,,,,,女方姓名,C,,,,,,\n"
)
BAD = GOOD.replace("有条件共享", "部分共享").replace("2023-03-01", "2023-13-45")

MUTATION = """mutation($file: Upload!, $dryRun: Boolean!) { importCatalogue(file: $file, dryRun: $dryRun) {
  written dryRun batch created updated unchanged retired rejected
  issues { file row column value reason severity } } }"""


def upload(api: Api, content: str, *, as_: str, name: str = "民政厅目录.csv", dry_run: bool = False) -> dict[str, Any]:
    response = api.client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": MUTATION, "variables": {"file": None, "dryRun": dry_run}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": (name, content.encode("utf-8"), "text/csv")},
        headers={"Authorization": f"Bearer {api.tokens[as_]}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_import_writes_the_departments_catalogue(api: Api) -> None:
    dry = upload(api, GOOD, as_="editor_mz", dry_run=True)["data"]["importCatalogue"]
    assert dry["dryRun"] is True and dry["written"] is False and dry["created"] > 0
    assert api.service.get_many(Caller.system(), "Dataset", ["302002/000001"]) == {}

    result = upload(api, GOOD, as_="editor_mz")["data"]["importCatalogue"]
    assert result["written"] is True and result["batch"]
    assert result["rejected"] == 0 and all(i["severity"] != "error" for i in result["issues"])
    record = api.service.get(Caller.system(), "Dataset", "302002/000001")
    assert record.props["name"] == "婚姻登记信息"
    assert record.created.by == "token:民政厅录入员" and record.created.source == "upload:民政厅目录.csv"

    again = upload(api, GOOD, as_="editor_mz")["data"]["importCatalogue"]
    assert (again["written"], again["created"], again["updated"]) == (False, 0, 0)


def test_import_with_bad_cells_reports_each_and_writes_nothing(api: Api) -> None:
    result = upload(api, BAD, as_="editor_mz")["data"]["importCatalogue"]
    assert result["written"] is False and result["batch"] is None
    errors = [i for i in result["issues"] if i["severity"] == "error"]
    assert {(i["column"], i["value"]) for i in errors} >= {("共享类型", "部分共享"), ("发布日期", "2023-13-45")}
    assert all(i["file"] == "民政厅目录.csv" and i["row"] for i in errors)
    assert api.service.get_many(Caller.system(), "Dataset", ["302002/000001"]) == {}


def test_import_of_another_departments_catalogue_is_refused(api: Api) -> None:
    body = upload(api, GOOD, as_="editor_ga")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "may not write" in body["errors"][0]["message"]
    assert api.service.get_many(Caller.system(), "Dataset", ["302002/000001"]) == {}


def test_an_unreadable_upload_is_explained_without_server_paths(api: Api) -> None:
    body = upload(api, "这不是目录", as_="editor_mz", name="说明.txt")
    message = body["errors"][0]["message"]
    assert "说明.txt" in message and "registry-upload" not in message and "/tmp" not in message
