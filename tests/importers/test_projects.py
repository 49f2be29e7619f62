"""The project sheet (电子政务项目台账): project columns on a project's first row, one event
(adjustment, approval, report) per row, Chinese headers; bad cells located exactly."""

from pathlib import Path

from registry import importers
from registry.schema.model import Project

FIXTURES = Path(__file__).parent / "fixtures"


def _projects(path: Path) -> dict[str, Project]:
    declaration = importers.read(path)
    assert declaration.format == "projects" and declaration.errors == []
    return {n.key(): n for n in declaration.nodes if isinstance(n, Project)}


def test_a_sheet_is_detected_and_read() -> None:
    path = FIXTURES / "gd_projects.csv"
    assert importers.detect(path).name == "projects"
    found = _projects(path)
    data = found["2019-440000-SJ-001"]
    assert data.stage == "completed" and data.approved_budget == 158_000_000
    assert [a.budget_change for a in data.adjustments] == [16_000_000, 12_500_000]
    assert not any(a.approved for a in data.adjustments)
    assert data.approvals[0].document == "粤发改投资〔2019〕88号"
    housing = found["2021-440000-ZJ-001"]
    assert housing.stage == "building"
    assert [(r.kind, r.year) for r in housing.reports] == [("half_year", 2021), ("annual", 2021)]
    (goals,) = housing.adjustments
    assert goals.goals_changed and goals.approved
    edges = {(e.type, e.src.key, e.dst.key) for e in importers.read(path).edges}
    assert ("BUILDS", "2019-440000-SJ-001", "440000-SJ-XT002") in edges
    assert ("LED_BY", "2021-440000-ZJ-001", "11440000006432154K") in edges


def test_bad_cells_are_reported_at_their_row_and_header(tmp_path: Path) -> None:
    text = (FIXTURES / "gd_projects.csv").read_text(encoding="utf-8")
    text = text.replace("2020-09-15,1600", "2020-13-15,一千六百").replace(
        "半年报告,2021-07-28,,2021", "季报,2021-07-28,,2021"
    )
    path = tmp_path / "项目台账.csv"
    path.write_text(text, encoding="utf-8")
    declaration = importers.read(path)
    issues = {(i.row, i.column) for i in declaration.errors}
    assert {(3, "事项日期"), (3, "调整金额（万元）"), (5, "事项")} <= issues
    assert all(i.file == str(path) for i in declaration.errors)
    skipped = importers.read(path, skip_invalid=True)
    assert [n.key() for n in skipped.nodes if isinstance(n, Project)] == []  # both projects have a bad row
