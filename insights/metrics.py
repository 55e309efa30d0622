"""The dashboard's figures: pure functions over rows read from the audit trail.

`insights/queries.py` reads the rows, a fixed number of queries bounded by the period; the
functions here turn them into figures and touch no database. Durations are seconds.

Definitions (docs/insights.md says the same, for people):

- **Lead time** of a request: from its "file" audit row to its "finish" row (Done).
- **Percentiles** interpolate linearly between the closest ranks (NumPy's default, Excel's
  PERCENTILE.INC): the median of 1, 2, 3, 10 is 2.5 and its 90th percentile is 7.9.
- **Weeks** start on Monday, **days** at midnight, in the portal's time zone.
- **Triaged within the goal**: an MDO PM took the request out of Submitted (triaged or
  rejected it) within TRIAGE_GOAL_BUSINESS_HOURS on the business calendar the triage
  reminders use, not counting its time in Needs Info (by its due time:
  workflow/service_levels.py); counted in the week of that decision.
- **Time in a status**: each stay of an epic in a status, from the audit row that moved it
  in to the one that moved it out, counted when it ended in the period. Epics still there
  are counted apart, as how many and how long the longest-standing has been there: an
  unfinished stay's length is not known yet, and mixed in it would pull the percentiles
  down exactly where epics are stuck.
- **Cumulative flow**: epics in each status at the end of each day, from today's counts
  walked back through the day's status changes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from epics.models import Epic
from workflow.business_hours import Calendar
from workflow.service_levels import Pause, paused_hours

# Where an epic rests between requests: its birth status and the statuses a finished
# request leaves it in. Every other status is work in flight, where an epic waits on
# Party Bus.
RESTING = (Epic._meta.get_field("status").default, *Epic.AT_REST)
IN_FLIGHT = tuple(status for status in Epic.Status.values if status not in RESTING)


# Periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole weeks up to now: from a Monday at midnight to `end`, in `zone`."""

    start: dt.datetime
    end: dt.datetime
    zone: dt.tzinfo

    @classmethod
    def last_weeks(cls, weeks: int, *, now: dt.datetime, zone: dt.tzinfo) -> Period:
        today = now.astimezone(zone).date()
        monday = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
        return cls(dt.datetime.combine(monday, dt.time.min, zone), now, zone)

    def day_of(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def week_of(self, moment: dt.datetime) -> dt.date:
        day = self.day_of(moment)
        return day - dt.timedelta(days=day.weekday())

    @property
    def days(self) -> list[dt.date]:
        first, last = self.start.astimezone(self.zone).date(), self.day_of(self.end)
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def weeks(self) -> list[dt.date]:
        return self.days[::7]


# Percentiles ------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Spread:
    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))


# Rows, as insights/queries.py reads them -----------------------------------------------------


@dataclass(frozen=True)
class FinishedTicket:
    """A ticket's "finish" audit row, with its "file" row's time."""

    ticket_id: int
    request_type: str
    filed_at: dt.datetime
    done_at: dt.datetime

    @property
    def lead_seconds(self) -> float:
        return (self.done_at - self.filed_at).total_seconds()


@dataclass(frozen=True)
class TriageDecision:
    """The audit row that took a ticket out of Submitted (triage, or reject), with its filing."""

    ticket_id: int
    filed_at: dt.datetime
    decided_at: dt.datetime
    pauses: tuple[Pause, ...] = ()  # its stays in Needs Info: the triage clock stopped


@dataclass(frozen=True)
class EpicMove:
    """An epic's status-change audit row, with the time of the one before it (None if none)."""

    epic_id: int
    from_status: str
    to_status: str
    at: dt.datetime
    previous_at: dt.datetime | None


@dataclass(frozen=True)
class StatusNow:
    """Epics in a status now, and since when the longest-standing of them has been there."""

    count: int
    oldest_since: dt.datetime | None


# Lead time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeLeadTime:
    request_type: str
    spread: Spread


def lead_time_by_type(
    finished: Iterable[FinishedTicket], request_types: Sequence[str]
) -> list[TypeLeadTime]:
    """Every request type, in the order given, with the spread of its lead times."""
    by_type: dict[str, list[float]] = defaultdict(list)
    for row in finished:
        by_type[row.request_type].append(row.lead_seconds)
    return [TypeLeadTime(t, Spread.of(by_type[t])) for t in request_types]


def slowest(figures: Sequence[TypeLeadTime]) -> TypeLeadTime | None:
    """The type with the longest median lead time (then the longest 90th percentile)."""
    measured = [f for f in figures if f.spread.count]
    return max(measured, key=lambda f: (f.spread.median, f.spread.p90), default=None)


@dataclass(frozen=True)
class WeekSpread:
    week: dt.date
    spread: Spread


def lead_time_by_week(
    finished: Iterable[FinishedTicket], period: Period, request_types: Sequence[str]
) -> dict[str, list[WeekSpread]]:
    """Per request type, the spread of lead times of the requests finished each week."""
    values: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    for row in finished:
        values[row.request_type, period.week_of(row.done_at)].append(row.lead_seconds)
    return {
        t: [WeekSpread(week, Spread.of(values[t, week])) for week in period.weeks]
        for t in request_types
    }


@dataclass(frozen=True)
class WeekCount:
    week: dt.date
    by_type: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def finished_per_week(
    finished: Iterable[FinishedTicket], period: Period, request_types: Sequence[str]
) -> list[WeekCount]:
    counts = Counter((period.week_of(row.done_at), row.request_type) for row in finished)
    return [WeekCount(week, {t: counts[week, t] for t in request_types}) for week in period.weeks]


# Triage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekShare:
    week: dt.date
    decided: int
    within: int

    @property
    def share(self) -> float | None:
        return self.within / self.decided if self.decided else None


@dataclass(frozen=True)
class TriageFigures:
    weeks: list[WeekShare]
    goal_hours: float

    @property
    def decided(self) -> int:
        return sum(w.decided for w in self.weeks)

    @property
    def within(self) -> int:
        return sum(w.within for w in self.weeks)

    @property
    def share(self) -> float | None:
        return self.within / self.decided if self.decided else None


def triage_within_goal(
    decisions: Iterable[TriageDecision],
    period: Period,
    goal_hours: float,
    calendar: Calendar | None = None,
) -> TriageFigures:
    """`calendar`: the business calendar with its closure days (without one, the federal
    holidays only)."""
    calendar = calendar or Calendar()
    decided: Counter[dt.date] = Counter()
    within: Counter[dt.date] = Counter()
    for row in decisions:
        week = period.week_of(row.decided_at)
        decided[week] += 1
        waited = calendar.hours_between(row.filed_at, row.decided_at)
        within[week] += waited - paused_hours(row.pauses, row.decided_at, calendar) <= goal_hours
    return TriageFigures(
        [WeekShare(week, decided[week], within[week]) for week in period.weeks], goal_hours
    )


def overdue_cutoff(
    now: dt.datetime,
    goal_hours: float,
    hours_between: Callable[[dt.datetime, dt.datetime], float] | None = None,
) -> dt.datetime | None:
    """The instant before which a request still in Submitted has waited past the goal.

    Business hours up to now only shrink as the filing time moves later, so "filed before
    the cutoff" is "overdue" for a request never in Needs Info, and the database can count
    them (insights/queries.py counts the paused ones apart). None: nothing can be overdue
    (a calendar without working hours). `hours_between`: the calendar's (without one, the
    federal holidays only)."""
    hours_between = hours_between or Calendar().hours_between
    early, step = now, dt.timedelta(days=7)
    while hours_between(early, now) <= goal_hours:
        if step > dt.timedelta(days=3660):
            return None
        early, step = now - step, step * 2
    late = now  # invariant: hours(early) > goal >= hours(late)
    while late - early > dt.timedelta(microseconds=1):
        middle = early + (late - early) / 2
        if hours_between(middle, now) > goal_hours:
            early = middle
        else:
            late = middle
    return late


# Epic statuses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusTime:
    status: str
    spread: Spread  # of the stays that ended in the period
    now: int  # epics there now
    longest_now: float | None  # how long the longest-standing of them has been there

    @property
    def waiting(self) -> bool:
        return self.status in IN_FLIGHT


def time_in_status(
    moves: Iterable[EpicMove],
    now_by_status: dict[str, StatusNow],
    now: dt.datetime,
    statuses: Sequence[str],
) -> list[StatusTime]:
    """Per status, the spread of the stays that ended in the period, and who is there now."""
    ended: dict[str, list[float]] = defaultdict(list)
    for move in moves:
        if move.from_status and move.previous_at is not None:
            ended[move.from_status].append((move.at - move.previous_at).total_seconds())
    figures = []
    for status in statuses:
        there = now_by_status.get(status, StatusNow(0, None))
        oldest = there.oldest_since
        longest = (now - oldest).total_seconds() if there.count and oldest else None
        figures.append(StatusTime(status, Spread.of(ended[status]), there.count, longest))
    return figures


@dataclass(frozen=True)
class Flow:
    days: list[dt.date]
    # Per status, the epics in it at the end of each day (today: now).
    counts: dict[str, list[int]] = field(default_factory=dict)


def cumulative_flow(
    now_counts: dict[str, int],
    moves: Iterable[EpicMove],
    period: Period,
    statuses: Sequence[str],
) -> Flow:
    """Today's counts, walked back day by day through each day's status changes."""
    changes: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for move in moves:
        day = changes[period.day_of(move.at)]
        day[move.to_status] += 1
        if move.from_status:
            day[move.from_status] -= 1
    days = period.days
    counts = Counter({s: now_counts.get(s, 0) for s in statuses})
    at_end: list[dict[str, int]] = []
    for day in reversed(days):
        at_end.append(dict(counts))
        counts.subtract(changes.get(day, {}))
    at_end.reverse()
    return Flow(days, {s: [day[s] for day in at_end] for s in statuses})


# Open work ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelWork:
    impact_level: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def open_work(
    rows: Iterable[tuple[str, str, int]], levels: Sequence[str], statuses: Sequence[str]
) -> list[LevelWork]:
    """Open requests per impact level and status, from (level, status, count) rows."""
    counts = {(level, status): n for level, status, n in rows}
    return [LevelWork(lvl, {s: counts.get((lvl, s), 0) for s in statuses}) for lvl in levels]
