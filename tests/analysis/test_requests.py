"""Sharing-request deadlines REQ-1..REQ-4, counted in working days on the official calendar."""

from datetime import date

import pytest

from registry.analysis.requests import Deadlines, request_findings, request_status
from registry.schema.model import Dataset, Department, SharingRequest
from tests.analysis.policy_graph import graph_of

MCA = Department(code="1110000000001340XG", name="民政部")
STA = Department(code="11100000000013928X", name="国家税务总局")
TAX_RECORDS = Dataset(resource_code="306100000/003", name="个人所得税纳税记录", share_type="conditional")
CHANGES = Dataset(resource_code="304100000/002", name="市场主体变更登记信息", share_type="unconditional")


def _findings(request: SharingRequest, dataset: Dataset = TAX_RECORDS, **kwargs: object) -> dict[str, dict]:
    graph = graph_of(
        [MCA, STA, dataset, request],
        [("REQUESTS", MCA, request), ("ADDRESSED_TO", request, STA), ("FOR", request, dataset)],
    )
    found = request_findings(graph, **kwargs)  # type: ignore[arg-type]
    assert all(
        f.subject == request.id and f.requester_name == "民政部" and f.provider_name == "国家税务总局" for f in found
    )
    return {f.rule: f.evidence for f in found}


def _request(**props: object) -> SharingRequest:
    return SharingRequest(id="MCA-SQ-2026-0206", purpose="低保家庭经济状况核对", **props)


@pytest.mark.parametrize(
    ("replied", "late"),
    [
        (date(2026, 2, 27), False),  # the 10th working day across the Spring Festival
        (date(2026, 2, 28), True),  # the 调休 Saturday after it is the 11th
    ],
)
def test_reply_period_across_the_spring_festival(replied: date, late: bool) -> None:
    found = _findings(
        _request(submitted_on=date(2026, 2, 6), replied_on=replied, outcome="同意"), as_of=date(2026, 3, 2)
    )
    assert ("REQ-1" in found) is late
    if late:
        assert found["REQ-1"]["deadline"] == "2026-02-27" and found["REQ-1"]["working_days_taken"] == 11


def test_an_open_request_is_overdue_only_after_its_last_day() -> None:
    request = _request(submitted_on=date(2025, 9, 26))  # National Day 2025 in between
    assert "REQ-1" not in _findings(request, as_of=date(2025, 10, 16))
    overdue = _findings(request, as_of=date(2025, 10, 17))["REQ-1"]
    assert overdue["deadline"] == "2025-10-16" and overdue["as_of"] == "2025-10-17" and overdue["done_on"] is None


def test_delivery_period_runs_from_the_agreement() -> None:
    agreed = {"submitted_on": date(2025, 12, 1), "replied_on": date(2025, 12, 9), "outcome": "agreed"}
    # 20 working days from 12-09, over the 2026 New Year holiday (01-01..01-03): 2026-01-07
    assert "REQ-2" not in _findings(_request(**agreed, delivered_on=date(2026, 1, 7)), as_of=date(2026, 3, 1))
    late = _findings(_request(**agreed, delivered_on=date(2026, 1, 8)), as_of=date(2026, 3, 1))["REQ-2"]
    assert late["deadline"] == "2026-01-07" and late["done_on"] == "2026-01-08"
    assert "REQ-2" in _findings(_request(**agreed), as_of=date(2026, 1, 8))


def test_refusal_needs_a_basis() -> None:
    refused = {"submitted_on": date(2026, 4, 7), "replied_on": date(2026, 4, 14), "outcome": "不予共享"}
    assert "REQ-3" in _findings(_request(**refused), as_of=date(2026, 5, 1))
    assert "REQ-3" in _findings(_request(**refused, refusal_basis="  "), as_of=date(2026, 5, 1))
    with_basis = _request(**refused, refusal_basis="《中华人民共和国税收征收管理法》第八条")
    assert _findings(with_basis, as_of=date(2026, 5, 1)) == {}


def test_unconditional_data_is_delivered_at_once() -> None:
    asked = {"submitted_on": date(2026, 5, 8)}  # Friday; Saturday 05-09 is a 调休 working day
    assert _findings(_request(**asked, delivered_on=date(2026, 5, 9)), CHANGES, as_of=date(2026, 6, 1)) == {}
    late = _findings(_request(**asked, delivered_on=date(2026, 5, 11)), CHANGES, as_of=date(2026, 6, 1))
    assert set(late) == {"REQ-4"} and late["REQ-4"]["deadline"] == "2026-05-09"


def test_a_province_sets_its_own_periods() -> None:
    request = _request(submitted_on=date(2026, 2, 6), replied_on=date(2026, 3, 2), outcome="同意")
    assert "REQ-1" in _findings(request, as_of=date(2026, 3, 2))
    assert _findings(request, as_of=date(2026, 3, 2), deadlines=Deadlines(reply=15)) == {}
    with pytest.raises(ValueError, match="at least one"):
        Deadlines(reply=0)


def test_status_lists_what_each_request_waits_on() -> None:
    graph = graph_of(
        [MCA, STA, TAX_RECORDS, _request(submitted_on=date(2026, 11, 20))],
        [
            ("REQUESTS", MCA, _request(submitted_on=date(2026, 11, 20))),
            ("FOR", _request(submitted_on=date(2026, 11, 20)), TAX_RECORDS),
        ],
    )
    (row,) = request_status(graph, as_of=date(2026, 11, 30))
    assert (row.stage, row.due, row.overdue, row.target_name) == (
        "awaiting_reply",
        "2026-12-04",
        False,
        "个人所得税纳税记录",
    )


def test_dates_must_follow_the_submission() -> None:
    with pytest.raises(ValueError, match="before the request was submitted"):
        _request(submitted_on=date(2026, 3, 2), replied_on=date(2026, 3, 1), outcome="同意")
    with pytest.raises(ValueError, match="needs its date"):
        _request(submitted_on=date(2026, 3, 2), outcome="同意")
