"""Project rules PRJ-1..PRJ-4 on small, dated project files."""

from datetime import date

import pytest

from registry.analysis.projects import project_findings, reports_owed
from registry.schema.enums import ReportKind
from registry.schema.model import Department, Project, ProjectAdjustment, ProjectReport
from tests.analysis.policy_graph import graph_of

DRC = Department(code="11330000002561741A", name="浙江省大数据发展管理局")
AS_OF = date(2026, 11, 30)


def _run(project: Project) -> dict[str, dict]:
    graph = graph_of([DRC, project], [("LED_BY", project, DRC)])
    found = project_findings(graph, as_of=AS_OF)
    assert all(f.department_name == "浙江省大数据发展管理局" and f.source for f in found)
    return {f.rule: f.evidence for f in found}


def _project(**props: object) -> Project:
    return Project(
        code="2023-330000-SJ-002", name="浙江省一体化智能化公共数据平台", approved_budget=50_000_000, **props
    )


def _adjust(change: float | None, *, goals: bool = False, approval: str | None = None) -> ProjectAdjustment:
    return ProjectAdjustment(adjusted_on=date(2024, 3, 1), budget_change=change, goals_changed=goals, approval=approval)


@pytest.mark.parametrize(
    ("adjustments", "flagged"),
    [
        ([_adjust(7_500_000)], False),  # exactly 15%: not over
        ([_adjust(7_600_000)], True),
        ([_adjust(-8_000_000)], True),  # a cut is an adjustment too
        ([_adjust(5_000_000), _adjust(4_000_000)], True),  # two unapproved rises add up to 18%
        ([_adjust(20_000_000, approval="浙发改投资〔2024〕31号")], False),
        ([_adjust(None, goals=True)], True),
        ([_adjust(None, goals=True, approval="浙发改投资〔2024〕31号")], False),
    ],
)
def test_prj1_unapproved_adjustments(adjustments: list[ProjectAdjustment], flagged: bool) -> None:
    found = _run(_project(stage="completed", adjustments=adjustments))
    assert ("PRJ-1" in found) is flagged
    if flagged:
        assert found["PRJ-1"]["adjustments"] and found["PRJ-1"]["approved_budget"] == 50_000_000


def test_reports_owed_from_approval_to_as_of() -> None:
    owed = reports_owed(date(2024, 8, 15), date(2025, 8, 1))
    # approved after the first half of 2024: no 2024 half-year report; 2025's is due 31 July
    assert owed == [
        (ReportKind.ANNUAL, 2024, date(2025, 1, 31)),
        (ReportKind.HALF_YEAR, 2025, date(2025, 7, 31)),
    ]
    assert reports_owed(date(2024, 8, 15), date(2025, 7, 31)) == owed  # due on the day itself
    assert reports_owed(date(2024, 8, 15), date(2025, 1, 30)) == []
    assert reports_owed(date(2023, 3, 1), date(2026, 1, 1), until=date(2024, 2, 1))[-1] == (
        ReportKind.ANNUAL,
        2023,
        date(2024, 1, 31),
    )


def test_prj2_names_each_missing_report_for_a_project_under_construction() -> None:
    reports = [ProjectReport(kind="半年报告", year=2025, submitted_on=date(2025, 7, 28))]
    found = _run(_project(stage="building", approved_on=date(2024, 8, 15), reports=reports))
    missing = found["PRJ-2"]["missing"]
    assert [(m["year"], m["kind"], m["due"]) for m in missing] == [
        (2024, "annual", "2025-01-31"),
        (2025, "annual", "2026-01-31"),
        (2026, "half_year", "2026-07-31"),
    ]
    assert missing[0]["name"] == "2024年年度报告"


def test_prj2_not_for_completed_projects() -> None:
    assert "PRJ-2" not in _run(_project(stage="completed", approved_on=date(2020, 1, 6)))


@pytest.mark.parametrize(
    ("archive", "completion", "flagged"),
    [
        (date(2022, 5, 20), date(2022, 7, 8), False),
        (date(2022, 7, 8), date(2022, 7, 8), False),
        (date(2022, 9, 1), date(2022, 7, 8), True),
        (None, date(2022, 7, 8), True),
        (date(2022, 5, 20), None, False),
    ],
)
def test_prj3_completion_before_archive(archive: date | None, completion: date | None, flagged: bool) -> None:
    found = _run(_project(stage="completed", archive_accepted_on=archive, completion_accepted_on=completion))
    assert ("PRJ-3" in found) is flagged


@pytest.mark.parametrize(
    ("stage", "trial", "assessed", "flagged"),
    [
        ("trial", date(2024, 6, 1), date(2024, 5, 20), False),
        ("trial", date(2024, 6, 1), None, True),
        ("completed", date(2024, 6, 1), date(2024, 9, 1), True),  # assessed only after the trial began
        ("trial", None, None, True),  # in trial operation, no assessment declared
        ("building", None, None, False),
    ],
)
def test_prj4_trial_without_risk_assessment(
    stage: str, trial: date | None, assessed: date | None, flagged: bool
) -> None:
    found = _run(_project(stage=stage, trial_started_on=trial, risk_assessment_on=assessed))
    assert ("PRJ-4" in found) is flagged
