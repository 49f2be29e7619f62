"""Working days on the official calendar: holidays skipped, 调休 weekends counted, and a
clear error beyond the years the calendar data covers."""

from datetime import date

import chinese_calendar
import pytest

from registry.analysis.workdays import CalendarRangeError, official


def test_spring_festival_2026() -> None:
    cal = official()
    # 02-14 (Saturday) is a 调休 working day, 02-15..02-23 the holiday, 02-28 (Saturday) works again
    assert cal.is_workday(date(2026, 2, 14)) and cal.is_workday(date(2026, 2, 28))
    assert not cal.is_workday(date(2026, 2, 17)) and not cal.is_workday(date(2026, 2, 23))
    assert cal.add(date(2026, 2, 6), 10) == date(2026, 2, 27)  # a weekday count would say 02-20
    assert not cal.late(date(2026, 2, 6), 10, date(2026, 2, 27))
    assert cal.late(date(2026, 2, 6), 10, date(2026, 2, 28))
    assert cal.count(date(2026, 2, 6), date(2026, 2, 28)) == 11


def test_national_day_2025_and_its_adjusted_saturday() -> None:
    cal = official()
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are working days; 10-01..10-08 are not
    assert cal.count(date(2025, 9, 26), date(2025, 10, 11)) == 6
    assert cal.add(date(2025, 9, 26), 10) == date(2025, 10, 16)
    assert cal.add(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_one_working_day_over_a_weekend_and_a_holiday() -> None:
    cal = official()
    assert cal.add(date(2026, 5, 8), 1) == date(2026, 5, 9)  # Friday -> the 调休 Saturday after 劳动节
    assert cal.add(date(2026, 9, 30), 1) == date(2026, 10, 8)  # over National Day 2026
    assert cal.add(date(2026, 11, 27), 1) == date(2026, 11, 30)  # an ordinary weekend
    assert cal.count(date(2026, 11, 30), date(2026, 11, 30)) == 0


def test_beyond_the_calendar_is_a_clear_error() -> None:
    cal = official()
    with pytest.raises(CalendarRangeError, match="chinesecalendar"):
        cal.add(date(cal.last.year, 12, 28), 10)
    with pytest.raises(CalendarRangeError, match=str(cal.last.year + 1)):
        cal.is_workday(date(cal.last.year + 1, 3, 2))
    # judging an open request as of a covered day needs no later year
    assert cal.late(date(cal.last.year, 12, 1), 10, date(cal.last.year, 12, 31))


def test_the_calendar_agrees_with_the_package_day_by_day() -> None:
    cal = official()
    day = date(cal.last.year - 1, 1, 1)
    while day <= cal.last:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)
