"""The numbers each dashboard panel shows, derived from insights/metrics.py's figures: which
request type is slowest, the in-flight statuses ranked by their waits, the flow's totals
now, the unit each panel's durations are in. No words and no drawing: wording.py says these
numbers, insights/charts/ draws them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from epics.models import Epic
from insights import metrics
from insights.metrics import IN_FLIGHT, Period
from insights.queries import OPEN_TICKET_STATUSES
from insights.units import Unit, unit_for


def in_unit(unit: Unit, seconds: float | None) -> float | None:
    """A duration as a table gives it: in the panel's unit, to two decimals."""
    return None if seconds is None else round(unit.of(seconds), 2)


def as_percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def lead_unit(finished: Sequence[metrics.FinishedTicket]) -> Unit:
    """The unit of the dashboard's lead times: the one that fits the longest of them."""
    return unit_for(max((row.lead_seconds for row in finished), default=0))


@dataclass(frozen=True)
class LeadTimes:
    by_type: list[metrics.TypeLeadTime]  # every request type of the filter: the table
    ranked: list[metrics.TypeLeadTime]  # those with a finished request, slowest first
    slowest: metrics.TypeLeadTime | None
    unit: Unit
    weeks: int  # in the period

    @classmethod
    def of(cls, lead: list[metrics.TypeLeadTime], unit: Unit, weeks: int) -> LeadTimes:
        ranked = sorted(
            (f for f in lead if f.spread.count),
            key=lambda f: (f.spread.median, f.spread.p90),
            reverse=True,
        )
        return cls(lead, ranked, metrics.slowest(lead), unit, weeks)

    def stands_out(self, figure: metrics.TypeLeadTime) -> bool:
        """The slowest is drawn apart when there is another to compare it with."""
        return figure is self.slowest and len(self.ranked) > 1


@dataclass(frozen=True)
class Waits:
    by_status: list[metrics.StatusTime]  # every epic status: the table
    # The statuses in flight with a stay that ended or an epic there now, longest first.
    ranked: list[metrics.StatusTime]
    unit: Unit  # of the table: fits every status (see _reach)
    chart_unit: Unit  # of the chart: fits the ranked statuses

    @classmethod
    def of(cls, in_status: list[metrics.StatusTime]) -> Waits:
        ranked = sorted(
            (s for s in in_status if s.waiting and (s.spread.count or s.now)),
            key=_by_wait,
            reverse=True,
        )
        table_unit = unit_for(max(_reach(s) for s in in_status))
        chart_unit = unit_for(max((_reach(s) for s in ranked), default=0))
        return cls(in_status, ranked, table_unit, chart_unit)

    @property
    def measured(self) -> list[metrics.StatusTime]:
        """The ranked statuses with a stay that ended in the period."""
        return [s for s in self.ranked if s.spread.count]

    @property
    def longest(self) -> metrics.StatusTime | None:
        """Where the stays that ended were longest (then: where an epic waits longest now)."""
        return next(iter(self.measured), None)

    @property
    def stuck(self) -> metrics.StatusTime | None:
        """The status in flight where an epic has waited longest now."""
        there = (s for s in self.by_status if s.waiting and s.longest_now is not None)
        return max(there, key=lambda s: s.longest_now, default=None)

    @property
    def longest_median(self) -> metrics.StatusTime | None:
        """The glance's pick: the longest median stay in flight, then the longest 90th
        percentile (ties go to the first status, not to the epic waiting now)."""
        ended = [s for s in self.by_status if s.waiting and s.spread.count]
        return max(ended, key=lambda s: (s.spread.median, s.spread.p90), default=None)

    def stands_out(self, figure: metrics.StatusTime) -> bool:
        """The longest is drawn apart when there is another to compare it with."""
        return figure is self.longest and len(self.measured) > 1


def _by_wait(status: metrics.StatusTime) -> tuple[float, float, float]:
    """Longest first: by the median stay, then the 90th percentile, then the epic there now."""
    return (status.spread.median or 0, status.spread.p90 or 0, status.longest_now or 0)


def _reach(status: metrics.StatusTime) -> float:
    """How long the status's durations run: its 90th percentile, or in flight the epic
    there longest now if that is longer (a unit must fit both)."""
    now = (status.longest_now or 0) if status.waiting else 0
    return max(status.spread.p90 or 0, now)


@dataclass(frozen=True)
class FlowNow:
    flow: metrics.Flow
    statuses: tuple[str, ...] = tuple(Epic.Status.values)

    def now(self, status: str) -> int:
        return self.flow.counts[status][-1]

    @property
    def in_flight_first_day(self) -> int:
        return sum(self.flow.counts[s][0] for s in IN_FLIGHT)

    @property
    def in_flight_now(self) -> int:
        return sum(self.now(s) for s in IN_FLIGHT)

    @property
    def total_now(self) -> int:
        return sum(self.now(s) for s in self.statuses)

    @property
    def most(self) -> int:
        """The most epics in one status in flight now."""
        return max(self.now(s) for s in IN_FLIGHT)

    @property
    def fullest(self) -> list[str]:
        """The statuses in flight holding the most epics now (none when none is in flight)."""
        return [s for s in IN_FLIGHT if self.most and self.now(s) == self.most]

    @property
    def any_epic(self) -> bool:
        return any(any(values) for values in self.flow.counts.values())

    @property
    def rows(self) -> list[list]:
        """Per day, the epics in each status at its end."""
        counts = self.flow.counts
        return [
            [day.isoformat(), *(counts[s][i] for s in self.statuses)]
            for i, day in enumerate(self.flow.days)
        ]


@dataclass(frozen=True)
class WeeklyLeadTimes:
    by_type: dict[str, list[metrics.WeekSpread]]
    overall: metrics.Spread  # of every request finished in the period
    unit: Unit
    weeks: list[dt.date]

    @classmethod
    def of(
        cls,
        weekly: dict[str, list[metrics.WeekSpread]],
        finished: Sequence[metrics.FinishedTicket],
        unit: Unit,
        period: Period,
    ) -> WeeklyLeadTimes:
        overall = metrics.Spread.of([row.lead_seconds for row in finished])
        return cls(weekly, overall, unit, period.weeks)

    def points(self, request_type: str) -> list[tuple[float, float] | None]:
        """Per week, the median and 90th percentile in the unit; None for no request."""
        unit = self.unit
        return [
            (unit.of(w.spread.median), unit.of(w.spread.p90)) if w.spread.count else None
            for w in self.by_type[request_type]
        ]

    def finished(self, request_type: str) -> int:
        return sum(w.spread.count for w in self.by_type[request_type])


@dataclass(frozen=True)
class Finished:
    per_week: list[metrics.WeekCount]
    types: list[str]

    @property
    def total(self) -> int:
        return sum(w.total for w in self.per_week)

    @property
    def average(self) -> float:
        return self.total / len(self.per_week)

    @property
    def busiest(self) -> metrics.WeekCount:
        return max(self.per_week, key=lambda w: w.total)


@dataclass(frozen=True)
class Triage:
    decisions: metrics.TriageFigures
    waiting: int  # in Submitted now
    overdue: int  # of them, past the goal


@dataclass(frozen=True)
class OpenWork:
    levels: list[metrics.LevelWork]
    statuses: tuple[str, ...] = OPEN_TICKET_STATUSES

    @property
    def total(self) -> int:
        return sum(level.total for level in self.levels)

    @property
    def most(self) -> metrics.LevelWork:
        return max(self.levels, key=lambda level: level.total)


@dataclass(frozen=True)
class Figures:
    """Every panel's numbers, from one reading of the portal."""

    lead_time: LeadTimes
    waits: Waits
    flow: FlowNow
    weekly_lead: WeeklyLeadTimes
    finished: Finished
    triage: Triage
    open_work: OpenWork
