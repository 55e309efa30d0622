"""The dashboard: its row at a glance and its panels, from one reading of the portal.

`build()` runs the fixed set of queries of insights/queries.py once, derives the figures
with insights/metrics.py, and hands each panel of insights/panels/ the numbers it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from epics.models import Epic, ImpactLevel
from insights import metrics, queries
from insights.metrics import Period
from insights.panels import Panel, finished, flow, lead_time, open_work, triage, waits, weekly_lead
from insights.panels.figures import (
    Figures,
    Finished,
    FlowNow,
    LeadTimes,
    OpenWork,
    Triage,
    Waits,
    WeeklyLeadTimes,
    lead_unit,
)
from insights.panels.glance import Glance, glance
from insights.queries import OPEN_TICKET_STATUSES, Scope
from requests_app.models import RequestType
from workflow.business_hours import Calendar


@dataclass
class Dashboard:
    period: Period
    scope: Scope
    glance: list[Glance]
    panels: list[Panel]

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


def build(scope: Scope, period: Period, *, now: dt.datetime | None = None) -> Dashboard:
    figures = read(scope, period, now or period.end)
    panels = [
        lead_time.panel(figures.lead_time),
        waits.panel(figures.waits),
        flow.panel(figures.flow, one_type=bool(scope.request_type)),
        weekly_lead.panel(figures.weekly_lead),
        finished.panel(figures.finished),
        triage.panel(figures.triage),
        open_work.panel(figures.open_work),
    ]
    return Dashboard(period, scope, glance(figures), panels)


def read(scope: Scope, period: Period, now: dt.datetime) -> Figures:
    """Every panel's numbers, from the fixed set of queries."""
    types = [scope.request_type] if scope.request_type else list(RequestType.values)
    finished_rows = queries.finished_tickets(scope, period)
    decisions = queries.triage_decisions(scope, period)
    goal = settings.TRIAGE_GOAL_BUSINESS_HOURS
    calendar = Calendar.load()  # the closure days, read once for every figure
    cutoff = metrics.overdue_cutoff(now, goal, calendar.hours_between)
    waiting, overdue = queries.submitted_now(scope, cutoff, now=now, calendar=calendar)
    moves = queries.epic_moves(scope, period)
    there_now = queries.epics_now(scope)
    open_rows = queries.open_tickets(scope)

    statuses = Epic.Status.values
    counts = {status: there.count for status, there in there_now.items()}
    unit = lead_unit(finished_rows)
    return Figures(
        lead_time=LeadTimes.of(
            metrics.lead_time_by_type(finished_rows, types), unit, len(period.weeks)
        ),
        waits=Waits.of(metrics.time_in_status(moves, there_now, now, statuses)),
        flow=FlowNow(metrics.cumulative_flow(counts, moves, period, statuses)),
        weekly_lead=WeeklyLeadTimes.of(
            metrics.lead_time_by_week(finished_rows, period, types), finished_rows, unit, period
        ),
        finished=Finished(metrics.finished_per_week(finished_rows, period, types), types),
        triage=Triage(
            metrics.triage_within_goal(decisions, period, goal, calendar), waiting, overdue
        ),
        open_work=OpenWork(metrics.open_work(open_rows, ImpactLevel.values, OPEN_TICKET_STATUSES)),
    )
