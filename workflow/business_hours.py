"""The MDO's working calendar: 08:00–18:00 US Central, Monday to Friday (configurable),
except US federal holidays on the days they are observed and the closure days an MDO PM
records (workflow.models.ClosureDay).

Triage due times (workflow/service_levels.py), the triage reminders and the insights'
"triaged within goal" all count time on this calendar. A `Calendar` holds the closure days
it read (one query, `Calendar.load()`): load one for a page or a list and pass it along, so
a list of a hundred tickets reads them once, not a hundred times. The holidays come from the
`holidays` library, computed once per year per process.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

# Every day from start to due is looked at; past this many days nothing is due (a calendar
# whose every working day is closed).
HORIZON_DAYS = 3660


@functools.lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[dt.date]:
    """The US federal holidays (5 U.S.C. 6103) of `year` on the days they are observed: one on
    a Saturday is observed the Friday before, one on a Sunday the Monday after (so New Year's
    Day 2022 is observed on Friday 31 December 2021, and counted in 2021)."""
    days = holidays.US(years=(year - 1, year, year + 1), observed=True)
    return frozenset(day for day in days if day.year == year)


class Calendar:
    """The working hours, and the days closed: federal holidays and recorded closures."""

    def __init__(self, closures: Iterable[dt.date] = ()):
        self.zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
        self.opens = dt.time(settings.BUSINESS_OPEN_HOUR)
        self.closes = dt.time(settings.BUSINESS_CLOSE_HOUR)
        self.workdays = frozenset(settings.BUSINESS_DAYS)
        self.closures = frozenset(closures)
        self.day_hours = (
            dt.datetime.combine(dt.date.min, self.closes)
            - dt.datetime.combine(dt.date.min, self.opens)
        ).total_seconds() / 3600
        self._closed_by_year: dict[int, list[dt.date]] = {}

    @classmethod
    def load(cls) -> Calendar:
        """The calendar with the closure days recorded in the portal (one query)."""
        from workflow.models import ClosureDay

        return cls(ClosureDay.objects.in_force().values_list("date", flat=True))

    # Days -----------------------------------------------------------------------------------

    def _closed_workdays(self, year: int) -> list[dt.date]:
        """The working days of `year` on which MDO is closed, sorted."""
        if year not in self._closed_by_year:
            closed = federal_holidays(year) | {d for d in self.closures if d.year == year}
            self._closed_by_year[year] = sorted(d for d in closed if d.weekday() in self.workdays)
        return self._closed_by_year[year]

    def is_closed(self, day: dt.date) -> bool:
        """A holiday or a recorded closure (whatever the weekday)."""
        return day in federal_holidays(day.year) or day in self.closures

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.workdays and not self.is_closed(day)

    def _closed_between(self, first: dt.date, last: dt.date) -> int:
        """How many working days from `first` to `last` (both included) are closed."""
        count = 0
        for year in range(first.year, last.year + 1):
            days = self._closed_workdays(year)
            count += bisect_right(days, last) - bisect_left(days, first)
        return count

    def _hours_of(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.opens, self.zone),
            dt.datetime.combine(day, self.closes, self.zone),
        )

    # Time -----------------------------------------------------------------------------------

    def hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours between two aware datetimes (0 when end is not after start)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)

        def worked(day: dt.date, lo: dt.datetime, hi: dt.datetime) -> float:
            if not self.is_working_day(day):
                return 0.0
            day_open, day_close = self._hours_of(day)
            overlap = min(hi, day_close) - max(lo, day_open)
            return max(overlap.total_seconds(), 0) / 3600

        first, last = start.date(), end.date()
        if first == last:
            return worked(first, start, end)
        total = worked(first, start, dt.datetime.combine(first, dt.time.max, self.zone))
        total += worked(last, dt.datetime.combine(last, dt.time.min, self.zone), end)
        # The whole days in between: whole weeks at once, then the remainder day by day, less
        # the closed working days among them.
        day = first + dt.timedelta(days=1)
        whole_days = (last - day).days
        if whole_days <= 0:
            return total
        weeks, rest = divmod(whole_days, 7)
        open_days = weeks * len(self.workdays)
        after_weeks = day + dt.timedelta(weeks=weeks)
        open_days += sum(
            (after_weeks + dt.timedelta(days=offset)).weekday() in self.workdays
            for offset in range(rest)
        )
        open_days -= self._closed_between(day, last - dt.timedelta(days=1))
        return total + open_days * self.day_hours

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime | None:
        """The moment `hours` working hours after `start` (in the business time zone): a
        start out of hours counts from the next opening. None when the calendar has no
        working time ahead (no working days)."""
        if not self.workdays:
            return None
        remaining = dt.timedelta(hours=max(hours, 0))
        moment = start.astimezone(self.zone)
        day = moment.date()
        for _ in range(HORIZON_DAYS):
            if self.is_working_day(day):
                day_open, day_close = self._hours_of(day)
                begin = max(moment, day_open)
                if begin < day_close:
                    if remaining <= day_close - begin:
                        return begin + remaining
                    remaining -= day_close - begin
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time.min, self.zone)
        return None


def business_hours_between(
    start: dt.datetime, end: dt.datetime, calendar: Calendar | None = None
) -> float:
    """Working hours between two aware datetimes, on `calendar` (else the portal's, read now:
    pass one when asking for many)."""
    return (calendar or Calendar.load()).hours_between(start, end)


def add_business_hours(
    start: dt.datetime, hours: float, calendar: Calendar | None = None
) -> dt.datetime | None:
    """The moment `hours` working hours after `start`: a due time (see Calendar.add_hours)."""
    return (calendar or Calendar.load()).add_hours(start, hours)
