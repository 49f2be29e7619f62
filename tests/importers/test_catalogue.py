"""The catalogue importer on files shaped like the ones departments actually send."""

from pathlib import Path
from typing import Any

import pytest

from registry import importers
from registry.importers import UnknownFormat
from registry.schema.model import Dataset, FieldItem
from registry.schema.records import NodeRef
from registry.service import Caller, Declaration, ImportRejected, RegistryService, RetireLimitExceeded

SCJG = "11330000002487596U"
GAT = "11330000002487676F"


def _by_label(declaration: Declaration, label: str) -> dict[str, Any]:
    return {node.key(): node for node in declaration.nodes if label == node.LABEL}


def test_fill_down_catalogue_builds_departments_datasets_fields_and_elements(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "zj_scjg_catalogue.csv")
    assert declaration.issues == []
    assert declaration.format == "catalogue"
    assert len(declaration.sha256 or "") == 64
    departments = _by_label(declaration, "Department")
    assert list(departments) == [SCJG]
    assert departments[SCJG].name == "浙江省市场监督管理局"
    datasets = _by_label(declaration, "Dataset")
    assert sorted(datasets) == ["10201/001", "30501/002", "30502/003"]
    penalties = datasets["30501/002"]
    assert penalties.share_type == "conditional" and penalties.share_condition == "仅限执法协查使用"
    assert penalties.share_mode == "mail_or_media"  # 邮件方式
    assert datasets["30502/003"].share_mode == "mail_or_media"  # 介质方式
    assert penalties.published_on.isoformat() == "2023-04-15"  # written 2023/4/15
    assert penalties.related_resource_codes == ["10201/001"]
    assert (datasets["10201/001"].format_category, datasets["10201/001"].format_type) == ("database", "oracle")
    fields = _by_label(declaration, "Field")
    assert len(fields) == 12  # the empty row between resources is skipped
    assert fields["10201/001#注册资本"].data_type == "Y"
    assert fields["30501/002#处罚金额"].processing_method == "案件系统按月汇总"
    edges = {(e.type, e.src.key, e.dst.key) for e in declaration.edges}
    assert ("PROVIDES", SCJG, "30502/003") in edges
    assert ("HAS_FIELD", "10201/001", "10201/001#企业名称") in edges
    assert ("MEANS", "30502/003#生产者名称", "单位名称") in edges
    assert [(s.department, s.label) for s in declaration.scopes] == [(SCJG, "Dataset")]


def test_ten_bad_cells_are_all_reported_with_row_and_column_and_nothing_is_written(
    fixtures: Path, service: RegistryService
) -> None:
    declaration = importers.read(fixtures / "bad_ten_cells.csv")
    found = {(i.row, i.column) for i in declaration.errors}
    assert found == {
        (2, "共享类型"),  # unknown share type
        (3, "数据类型"),  # unknown data type
        (4, "信息资源名称"),  # empty resource name
        (4, "共享条件"),  # conditional share without its condition
        (5, "共享条件"),  # not shared without its basis
        (5, "共享方式"),  # unknown share mode
        (6, "信息项名称"),  # empty item name
        (7, "是否向社会开放"),  # not a yes/no
        (7, "发布日期"),  # not a date
        (8, "信息资源提供方代码"),  # check digit wrong
    }
    assert len(declaration.errors) == 10
    assert all(i.file.endswith("bad_ten_cells.csv") for i in declaration.errors)
    bad_code = next(i for i in declaration.errors if i.row == 8)
    assert bad_code.value == "11330000002487676G" and "check digit" in bad_code.reason
    before = service.stats(Caller.system())
    with pytest.raises(ImportRejected) as rejected:
        service.load(declaration, Caller.system())
    assert len([i for i in rejected.value.issues if i.severity == "error"]) == 10
    assert service.stats(Caller.system()) == before


def test_gbk_file_with_header_variants_and_excel_artefacts(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "zj_gat_catalogue_gbk.csv")
    assert declaration.errors == []
    assert any("GBK" in i.reason and i.severity == "warning" for i in declaration.issues)
    datasets = _by_label(declaration, "Dataset")
    # a leading apostrophe and a leading tab are Excel's, not the code's
    assert sorted(datasets) == ["10102/001", "30603/002"]
    population = datasets["10102/001"]
    assert population.share_type == "conditional"  # header 共享属性
    assert population.share_mode == "interface"  # 共享平台/接口
    assert population.open_to_public is False  # header 开放属性
    assert (population.format_category, population.format_type) == ("database", "达梦")  # 格式分类 + 格式类型
    assert datasets["30603/002"].share_mode == "mail_or_media"  # numeric code 04
    # full-width digits and a trailing space in 提供方代码 are cleaned to the real code
    assert list(_by_label(declaration, "Department")) == [GAT]
    fields = _by_label(declaration, "Field")
    assert (fields["10102/001#公民身份号码"].data_type, fields["10102/001#公民身份号码"].length) == ("C", 18)
    assert (fields["30603/002#号牌号码"].data_type, fields["30603/002#号牌号码"].length) == ("C", 16)


def test_utf8_bom_catalogue_with_data_element_codes(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "nhsa_catalogue_bom.csv")
    assert declaration.issues == []
    assert _by_label(declaration, "Dataset")["10401/001"].published_on.isoformat() == "2022-12-01"
    elements = _by_label(declaration, "DataElement")
    assert {k: e.name for k, e in elements.items()} == {"DE00001": "公民身份号码", "DE00002": "姓名"}
    assert ("MEANS", "10401/001#姓名", "DE00002") in {(e.type, e.src.key, e.dst.key) for e in declaration.edges}


def test_xlsx_merged_cells_and_fill_down(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "zj_zrzy_catalogue_merged.xlsx")
    assert declaration.issues == []
    datasets = _by_label(declaration, "Dataset")
    assert sorted(datasets) == ["20301/001", "30701/001"]
    assert datasets["20301/001"].published_on.isoformat() == "2023-03-15"
    assert datasets["30701/001"].format_category == "image"
    fields = _by_label(declaration, "Field")
    assert sorted(k for k in fields if k.startswith("20301/001")) == [
        "20301/001#不动产单元号",
        "20301/001#坐落",
        "20301/001#权利人名称",
    ]
    assert fields["20301/001#坐落"].length == 200
    assert fields["30701/001#地类名称"].traceability_requirement == "记录数据来源与调查年份"


def test_english_headers_with_repeated_resource_columns(fixtures: Path) -> None:
    declaration = importers.read(fixtures / "bj_wjw_catalogue_en.csv")
    assert declaration.issues == []
    datasets = _by_label(declaration, "Dataset")
    assert datasets["20201/001"].share_mode == "mail_or_media"
    doctors = datasets["20201/002"]
    assert (doctors.share_type, doctors.open_to_public, doctors.update_cycle) == ("conditional", False, "quarterly")
    assert len(_by_label(declaration, "Field")) == 4


def test_inconsistent_repeated_resource_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "repeated.csv"
    path.write_text(
        "信息资源代码,信息资源名称,信息资源提供方,信息资源提供方代码,信息项名称,共享类型\n"
        f"10201/001,企业登记信息,浙江省市场监督管理局,{SCJG},企业名称,无条件共享\n"
        f"10201/001,企业登记信息,浙江省市场监督管理局,{SCJG},注册资本,有条件共享\n",
        encoding="utf-8",
    )
    declaration = importers.read(path)
    assert [(i.row, i.column) for i in declaration.errors] == [(3, "共享类型")]
    assert "row 2" in declaration.errors[0].reason


def test_missing_required_headers_is_one_issue_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("信息资源名称,信息项名称,共享类型\n企业登记信息,企业名称,无条件共享\n", encoding="utf-8")
    declaration = importers.read(path)
    assert len(declaration.issues) == 1
    reason = declaration.issues[0].reason
    assert "信息资源代码" in reason and "信息资源提供方代码" in reason and "信息资源提供方," in reason
    assert declaration.nodes == []


def test_undecodable_file_is_an_issue_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\xff\x81\x30\xff\xfe\x00garbage\x80\x80\x80")
    declaration = importers.read(path, "catalogue")
    assert declaration.errors and "cannot decode" in declaration.errors[0].reason
    assert declaration.nodes == []


def test_excel_number_credit_code_and_short_sequence_get_hints(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "信息资源代码,信息资源名称,信息资源提供方,信息资源提供方代码,信息项名称\n"
        "10201/1,企业登记信息,某局,1.11E+17,企业名称\n",
        encoding="utf-8",
    )
    declaration = importers.read(path)
    [error] = declaration.errors
    assert error.column == "信息资源提供方代码" and "Excel" in error.reason
    [warning] = [i for i in declaration.issues if i.severity == "warning"]
    assert warning.column == "信息资源代码" and "leading zeros" in warning.reason


def test_unknown_format_names_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(UnknownFormat, match="catalogue"):
        importers.read(path)
    with pytest.raises(UnknownFormat, match="native"):
        importers.read(path, "dbf")
    assert importers.formats()[-2:] == ["native", "catalogue"]


def test_skip_invalid_leaves_out_the_bad_row_and_keeps_the_department_unretired(
    fixtures: Path, tmp_path: Path, service: RegistryService
) -> None:
    service.load(importers.read(fixtures / "zj_scjg_catalogue.csv"), Caller.system())
    text = (fixtures / "zj_scjg_catalogue.csv").read_text(encoding="utf-8")
    path = tmp_path / "scjg.csv"
    path.write_text(text.replace(",注册资本,Y,", ",注册资本,金额,").replace("食品生产许可证信息", ""), encoding="utf-8")
    declaration = importers.read(path, skip_invalid=True)
    assert {(i.row, i.column) for i in declaration.errors} == {(6, "数据类型"), (13, "信息资源名称")}
    assert "10201/001#注册资本" not in _by_label(declaration, "Field")
    assert "30502/003" not in _by_label(declaration, "Dataset")
    assert declaration.scopes == []
    report = service.load(declaration, Caller.system(), skip_invalid=True)
    assert report.retired == []
    assert report.rejected_rows == 2


def test_reimport_is_a_no_op_and_a_removed_entry_is_retired_with_dry_run_and_limit(
    fixtures: Path, tmp_path: Path, service: RegistryService
) -> None:
    admin = Caller.system()
    first = service.load(importers.read(fixtures / "zj_scjg_catalogue.csv"), admin)
    assert first.result.total("created") > 0
    again = service.load(importers.read(fixtures / "zj_scjg_catalogue.csv"), admin)
    assert (again.result.total("created"), again.result.total("updated"), again.result.total("retired")) == (0, 0, 0)

    lines = (fixtures / "zj_scjg_catalogue.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "zj_scjg_catalogue.csv"
    path.write_text(
        "\n".join(
            line
            for line in lines
            if "食品生产许可证" not in line and "生产者名称" not in line and "有效期至" not in line
        )
        + "\n",
        encoding="utf-8",
    )
    shrunk = importers.read(path)
    gone = NodeRef(Dataset.LABEL, "30502/003")

    preview = service.load(shrunk, admin, dry_run=True)
    assert gone in preview.retired
    assert NodeRef(FieldItem.LABEL, "30502/003#许可证编号") in preview.retired
    assert service.get(admin, "Dataset", "30502/003")  # the dry run wrote nothing

    with pytest.raises(RetireLimitExceeded):  # 1 of 3 datasets is over the default 25%
        service.load(shrunk, admin)
    assert service.get(admin, "Dataset", "30502/003")

    done = service.load(shrunk, admin, force=True)
    assert gone in done.retired
    assert [d.key for d in service.find(admin, "Dataset")] == ["10201/001", "30501/002"]


@pytest.mark.parametrize(
    "name", ["zj_scjg_catalogue.csv", "nhsa_catalogue_bom.csv", "zj_gat_catalogue_gbk.csv", "bad_ten_cells.csv"]
)
def test_each_parts_upserts_are_its_nodes_keys_and_properties(fixtures: Path, name: str) -> None:
    """The catalogue hands the checking pass its nodes' upserts as it builds them; they
    must be exactly what each node would give (label, ``key()``, ``props()``)."""
    stream = importers.stream(fixtures / name, skip_invalid=True)
    parts = list(stream.parts)
    assert any(part.nodes for part in parts)
    for part in parts:
        assert part.upserts is not None
        assert part.upserts == [(n.LABEL, n.key(), n.props()) for n in part.nodes]
        assert part.node_rows() is part.upserts
    whole = importers.read(fixtures / name, skip_invalid=True)
    assert whole.node_rows() == [row for part in parts for row in part.node_rows()]
