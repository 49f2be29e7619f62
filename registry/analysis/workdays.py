"""Working days on the official calendar of the People's Republic of China.

Statutory deadlines for sharing requests run in working days (工作日): public holidays
are not counted and the weekend days declared working days in the State Council's
annual holiday arrangement (调休) are. The arrangement is published year by year, so
the calendar comes from the maintained ``chinesecalendar`` package, which covers the
years it has data for; a date outside them is an error that says so, never a silent
guess from weekdays.

A period "within N working days of D" starts the day after D (the day of the act does
not count) and ends with the Nth working day after it.
"""

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from chinese_calendar import constants


class CalendarRangeError(ValueError):
    """A date outside the years the official calendar data covers."""


@dataclass(frozen=True)
class WorkCalendar:
    """Working days between ``first`` and ``last`` as sorted ordinals, so counting the
    working days of a period is two binary searches whatever its length."""

    first: date
    last: date
    ordinals: tuple[int, ...]

    def check(self, day: date) -> None:
        if not self.first <= day <= self.last:
            raise CalendarRangeError(
                f"日期 {day.isoformat()} 超出官方工作日历的范围"
                f"（{self.first.isoformat()} 至 {self.last.isoformat()}），请升级 chinesecalendar 包后再算期限 / "
                f"{day.isoformat()} is outside the official working-day calendar "
                f"({self.first.isoformat()} to {self.last.isoformat()}); upgrade the chinesecalendar package"
            )

    def is_workday(self, day: date) -> bool:
        self.check(day)
        index = bisect.bisect_left(self.ordinals, day.toordinal())
        return index < len(self.ordinals) and self.ordinals[index] == day.toordinal()

    def count(self, after: date, through: date) -> int:
        """Working days in (after, through]: how many a reply on ``through`` took for an
        act on ``after``. Zero when ``through`` is not later."""
        self.check(after)
        self.check(through)
        if through <= after:
            return 0
        return bisect.bisect_right(self.ordinals, through.toordinal()) - bisect.bisect_right(
            self.ordinals, after.toordinal()
        )

    def add(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start``: the last day of a period of that
        many working days. Beyond the calendar it raises ``CalendarRangeError``."""
        self.check(start)
        if days < 1:
            raise ValueError("a period has at least one working day")
        index = bisect.bisect_right(self.ordinals, start.toordinal()) + days - 1
        if index >= len(self.ordinals):
            self.check(self.last + timedelta(days=1))
        return date.fromordinal(self.ordinals[index])

    def late(self, start: date, days: int, done: date) -> bool:
        """Whether an act on ``done`` is after the period of ``days`` working days from
        ``start``: more than ``days`` working days had passed by the day before it. Needs
        the calendar only up to ``done``, so an open request is judged as of a day even
        when its deadline would fall in a year the calendar does not cover yet."""
        return self.count(start, done - timedelta(days=1)) >= days


@cache
def official() -> WorkCalendar:
    """The calendar of every year ``chinesecalendar`` has the State Council's arrangement
    for, read from its tables as its own ``is_workday`` decides (an adjusted working day,
    else a holiday, else Monday to Friday) but in one pass: calling it per day cost
    seconds at every start of ``registry check``."""
    holidays, workdays = constants.holidays, constants.workdays
    years = sorted({day.year for day in holidays})
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    ordinals = tuple(
        n
        for n in range(first.toordinal(), last.toordinal() + 1)
        if (day := date.fromordinal(n)) in workdays or (day not in holidays and day.weekday() < 5)
    )
    return WorkCalendar(first, last, ordinals)
