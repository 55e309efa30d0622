"""The MDO's working calendar: 08:00–18:00 US Central, Monday to Friday (configurable).

Triage reminders and the insights' "triaged within goal" both count time on this calendar.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def _calendar():
    return (
        ZoneInfo(settings.BUSINESS_TIME_ZONE),
        dt.time(settings.BUSINESS_OPEN_HOUR),
        dt.time(settings.BUSINESS_CLOSE_HOUR),
        frozenset(settings.BUSINESS_DAYS),
    )


def business_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working hours between two aware datetimes (0 when end is not after start)."""
    if end <= start:
        return 0.0
    zone, opens, closes, workdays = _calendar()
    start, end = start.astimezone(zone), end.astimezone(zone)
    day_hours = (
        dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
    ).total_seconds() / 3600

    def worked(day: dt.date, lo: dt.datetime, hi: dt.datetime) -> float:
        if day.weekday() not in workdays:
            return 0.0
        day_open = dt.datetime.combine(day, opens, zone)
        day_close = dt.datetime.combine(day, closes, zone)
        overlap = min(hi, day_close) - max(lo, day_open)
        return max(overlap.total_seconds(), 0) / 3600

    first, last = start.date(), end.date()
    if first == last:
        return worked(first, start, end)
    total = worked(first, start, dt.datetime.combine(first, dt.time.max, zone))
    total += worked(last, dt.datetime.combine(last, dt.time.min, zone), end)
    # The whole days in between: whole weeks at once, then the remainder day by day.
    day = first + dt.timedelta(days=1)
    whole_days = (last - day).days
    weeks, rest = divmod(whole_days, 7)
    total += weeks * len(workdays) * day_hours
    day += dt.timedelta(weeks=weeks)
    for offset in range(rest):
        if (day + dt.timedelta(days=offset)).weekday() in workdays:
            total += day_hours
    return total
