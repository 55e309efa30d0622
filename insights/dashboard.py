"""The dashboard's panels: each figure as a chart, the sentence it answers, and its numbers
as a table (the same rows the CSV download gives).

`build()` runs the fixed set of queries of insights/queries.py once and derives every
panel from their rows with insights/metrics.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.safestring import SafeString

from epics.models import Epic, ImpactLevel
from insights import charts, metrics, queries
from insights.charts import Fill
from insights.metrics import IN_FLIGHT, Period
from insights.queries import OPEN_TICKET_STATUSES, Scope
from requests_app.models import RequestType, Ticket

# How each epic status is drawn: work in flight hatched (waiting on Party Bus), at rest solid.
STATUS_FILLS = {
    Epic.Status.NEW: Fill("#cbd5e1"),
    Epic.Status.PIPELINE_IN_PROGRESS: Fill("#fde68a", "hatch"),
    Epic.Status.PIPELINE_BEING_BUILT: Fill("#f59e0b", "cross"),
    Epic.Status.PIPELINE_COMPLETE: Fill("#86efac"),
    Epic.Status.DEPLOYED_STAGING: Fill("#5eead4"),
    Epic.Status.PROD_DEPLOY_QUEUED: Fill("#93c5fd", "hatch"),
    Epic.Status.PROD_DEPLOY_IN_PROGRESS: Fill("#fb923c", "dots"),
    Epic.Status.PROD_DEPLOY_COMPLETE: Fill("#16a34a"),
}
TICKET_FILLS = {
    Ticket.Status.SUBMITTED: Fill("#93c5fd"),
    Ticket.Status.TRIAGED: Fill("#fde68a", "hatch"),
    Ticket.Status.IN_PROGRESS: Fill("#f59e0b", "cross"),
}
EPIC_LABELS = dict(Epic.Status.choices)
TICKET_LABELS = dict(Ticket.Status.choices)
TYPE_LABELS = dict(RequestType.choices)


@dataclass
class Table:
    columns: list[str]
    rows: list[list]

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each cell with its column's name (a phone shows the table as cards)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Panel:
    key: str  # its name in ?chart= for the CSV
    title: str
    headline: str
    chart: SafeString | None  # None: nothing to draw, `empty` says why
    table: Table
    empty: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Glance:
    label: str
    value: str
    detail: str
    panel: str  # the panel that shows it


@dataclass
class Dashboard:
    period: Period
    scope: Scope
    glance: list[Glance]
    panels: list[Panel]

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


def _duration(unit: charts.Unit, seconds: float | None):
    return None if seconds is None else round(unit.of(seconds), 2)


def _week(day: dt.date) -> str:
    return day.isoformat()


def _within(seconds: float | None) -> str:
    said = charts.say_duration(seconds)
    return f"in {said}" if said.startswith("under") else f"within {said}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def build(scope: Scope, period: Period, *, now: dt.datetime | None = None) -> Dashboard:
    now = now or period.end
    types = [scope.request_type] if scope.request_type else list(RequestType.values)
    finished = queries.finished_tickets(scope, period)
    decisions = queries.triage_decisions(scope, period)
    goal = settings.TRIAGE_GOAL_BUSINESS_HOURS
    waiting, overdue = queries.submitted_now(scope, metrics.overdue_cutoff(now, goal))
    moves = queries.epic_moves(scope, period)
    there_now = queries.epics_now(scope)
    open_rows = queries.open_tickets(scope)

    lead = metrics.lead_time_by_type(finished, types)
    weekly = metrics.lead_time_by_week(finished, period, types)
    per_week = metrics.finished_per_week(finished, period, types)
    triage = metrics.triage_within_goal(decisions, period, goal)
    in_status = metrics.time_in_status(moves, there_now, now, Epic.Status.values)
    counts = {status: there.count for status, there in there_now.items()}
    flow = metrics.cumulative_flow(counts, moves, period, Epic.Status.values)
    work = metrics.open_work(open_rows, ImpactLevel.values, OPEN_TICKET_STATUSES)

    unit = charts.unit_for(max((row.lead_seconds for row in finished), default=0))
    panels = [
        _lead_time_panel(lead, unit, len(period.weeks)),
        _waits_panel(in_status),
        _flow_panel(flow, scope),
        _weekly_lead_panel(weekly, period, unit, finished),
        _finished_panel(per_week, types, period),
        _triage_panel(triage, waiting, overdue),
        _open_work_panel(work),
    ]
    return Dashboard(
        period, scope, _glance(lead, in_status, triage, per_week, work, overdue), panels
    )


def _glance(lead, in_status, triage, per_week, work, overdue) -> list[Glance]:
    slow = metrics.slowest(lead)
    wait = _longest_wait(in_status)
    total = sum(w.total for w in per_week)
    open_total = sum(level.total for level in work)
    return [
        Glance(
            "Slowest request type",
            TYPE_LABELS[slow.request_type] if slow else "None finished yet",
            f"median {charts.say_duration(slow.spread.median)} from filing to done"
            if slow
            else "no request was finished in this period",
            "lead_time",
        ),
        Glance(
            "Epics wait longest in",
            EPIC_LABELS[wait.status] if wait else "No waits yet",
            f"median {charts.say_duration(wait.spread.median)}"
            if wait
            else "no epic was in flight in this period",
            "time_in_status",
        ),
        Glance(
            "Triaged within the goal",
            charts.percent(triage.share),
            f"{triage.within} of {triage.decided} within {charts.number(triage.goal_hours)} "
            "business hours"
            if triage.decided
            else "no request was triaged in this period",
            "triage",
        ),
        Glance(
            "Requests finished",
            str(total),
            f"in the last {_count(len(per_week), 'week')}",
            "finished",
        ),
        Glance(
            "Requests open now",
            str(open_total),
            f"{overdue} past the triage goal" if overdue else "none past the triage goal",
            "open_work",
        ),
    ]


def _longest_wait(in_status: list[metrics.StatusTime]) -> metrics.StatusTime | None:
    waits = [s for s in in_status if s.waiting and s.spread.count]
    return max(waits, key=lambda s: (s.spread.median, s.spread.p90), default=None)


# Lead time by type --------------------------------------------------------------------------------


def _lead_time_panel(lead: list[metrics.TypeLeadTime], unit: charts.Unit, weeks: int) -> Panel:
    slow = metrics.slowest(lead)
    measured = sorted(
        (f for f in lead if f.spread.count),
        key=lambda f: (f.spread.median, f.spread.p90),
        reverse=True,
    )
    table = Table(
        ["Request type", "Finished", f"Median ({unit.name})", f"90th percentile ({unit.name})"],
        [
            [
                TYPE_LABELS[f.request_type],
                f.spread.count,
                _duration(unit, f.spread.median),
                _duration(unit, f.spread.p90),
            ]
            for f in lead
        ],
    )
    panel = Panel(
        "lead_time",
        "Lead time by request type",
        "",
        None,
        table,
        empty=f"No request was finished in the last {_count(weeks, 'week')}, so there is no "
        "lead time yet.",
        notes=[
            "From the request's filing to Done. The bar is the median; the line ends at the "
            "90th percentile: nine in ten requests of that type were done within it."
        ],
    )
    if slow is None:
        panel.headline = "No request was finished in this period."
        return panel
    panel.headline = (
        f"Slowest: {TYPE_LABELS[slow.request_type]}, median "
        f"{charts.say_duration(slow.spread.median)} from filing to done (nine in ten "
        f"{_within(slow.spread.p90)})."
    )
    bars = [
        charts.Bar(
            TYPE_LABELS[f.request_type],
            unit.of(f.spread.median),
            unit.of(f.spread.p90),
            value_text=f"{charts.short_duration(f.spread.median)} · 90%: "
            f"{charts.short_duration(f.spread.p90)}",
            note=f"{f.spread.count} finished",
            highlight=f is slow and len(measured) > 1,
            flag="Slowest" if f is slow and len(measured) > 1 else "",
        )
        for f in measured
    ]
    panel.chart = charts.ranked_bars(
        bars,
        chart_id="chart-lead-time",
        title="Lead time by request type, slowest first",
        desc="Median and 90th percentile lead time from filing to done: "
        + "; ".join(
            f"{TYPE_LABELS[f.request_type]} median {unit.say(f.spread.median)}, 90th "
            f"percentile {unit.say(f.spread.p90)} ({f.spread.count} finished)"
            for f in measured
        )
        + ".",
        axis_label=f"{unit.name.capitalize()} from filing to done",
    )
    return panel


# Time in each epic status -------------------------------------------------------------------------


def _waits_panel(in_status: list[metrics.StatusTime]) -> Panel:
    in_flight = [s for s in in_status if s.waiting]
    waits = sorted(
        (s for s in in_flight if s.spread.count or s.now),
        key=lambda s: (s.spread.median or 0, s.spread.p90 or 0, s.longest_now or 0),
        reverse=True,
    )
    measured = [s for s in waits if s.spread.count]
    longest = measured[0] if measured else None
    stuck = max(
        (s for s in in_flight if s.longest_now is not None),
        key=lambda s: s.longest_now,
        default=None,
    )
    unit = charts.unit_for(
        max([s.spread.p90 or 0 for s in in_status] + [s.longest_now or 0 for s in in_flight])
    )
    table = Table(
        [
            "Epic status",
            "Where",
            "Stays ended",
            f"Median ({unit.name})",
            f"90th percentile ({unit.name})",
            "There now",
            f"Longest there now ({unit.name})",
        ],
        [
            [
                EPIC_LABELS[s.status],
                "in flight" if s.waiting else "at rest",
                s.spread.count,
                _duration(unit, s.spread.median),
                _duration(unit, s.spread.p90),
                s.now,
                _duration(unit, s.longest_now) if s.waiting else None,
            ]
            for s in in_status
        ],
    )
    resting = ", ".join(EPIC_LABELS[s] for s in metrics.RESTING)
    panel = Panel(
        "time_in_status",
        "Where epics wait",
        "",
        None,
        table,
        empty="No epic was in flight in this period.",
        notes=[
            "How long epics stayed in each status a request's work passes through, from the "
            "audit row that moved them in to the one that moved them out, for the stays that "
            "ended in the period. Epics still there are shown apart (the diamond: the one "
            "there longest): how long they will stay is not known yet.",
            f"Between requests an epic rests in {resting}: the table shows those stays, the "
            "chart leaves them out. Epic figures count every request type.",
        ],
    )
    if not waits:
        panel.headline = "No epic was in flight in this period."
        return panel
    if longest is not None:
        panel.headline = (
            f"Epics wait longest in {EPIC_LABELS[longest.status]}: median "
            f"{charts.say_duration(longest.spread.median)} (nine in ten "
            f"{_within(longest.spread.p90)})."
        )
    else:
        panel.headline = "No epic left a status in flight in this period."
    if stuck is not None:
        panel.headline += (
            f" Waiting longest now: an epic in {EPIC_LABELS[stuck.status]} for "
            f"{charts.say_duration(stuck.longest_now)}."
        )
    unit = charts.unit_for(max(max(s.spread.p90 or 0, s.longest_now or 0) for s in waits))
    several = len(measured) > 1
    bars = [
        charts.Bar(
            EPIC_LABELS[s.status],
            unit.of(s.spread.median) or 0,
            unit.of(s.spread.p90),
            value_text=(
                f"{charts.short_duration(s.spread.median)} · 90%: "
                f"{charts.short_duration(s.spread.p90)}"
                if s.spread.count
                else "none ended"
            ),
            note=f"{s.spread.count} ended · {s.now} there now",
            highlight=s is longest and several,
            flag="Longest" if s is longest and several else "",
            marker=unit.of(s.longest_now),
            marker_text=f"longest now {charts.short_duration(s.longest_now)}"
            if s.longest_now is not None
            else "",
        )
        for s in waits
    ]
    panel.chart = charts.ranked_bars(
        bars,
        chart_id="chart-waits",
        title="Time epics spend in each in-flight status, longest first",
        desc="Median and 90th percentile of the stays that ended; the epic there longest now: "
        + "; ".join(
            f"{EPIC_LABELS[s.status]} median {unit.say(s.spread.median)}, 90th percentile "
            f"{unit.say(s.spread.p90)}, {s.now} there now"
            + (f", the longest for {unit.say(s.longest_now)}" if s.longest_now else "")
            for s in waits
        )
        + ".",
        axis_label=f"{unit.name.capitalize()} in the status",
        marker_name="longest there now",
    )
    return panel


# Cumulative flow ----------------------------------------------------------------------------------


def _flow_panel(flow: metrics.Flow, scope: Scope) -> Panel:
    statuses = list(Epic.Status.values)
    in_flight_then = sum(flow.counts[s][0] for s in IN_FLIGHT)
    in_flight_now = sum(flow.counts[s][-1] for s in IN_FLIGHT)
    total_now = sum(flow.counts[s][-1] for s in statuses)
    most = max(flow.counts[s][-1] for s in IN_FLIGHT)
    fullest = [EPIC_LABELS[s] for s in IN_FLIGHT if most and flow.counts[s][-1] == most]
    headline = (
        f"{in_flight_now:,} of {total_now:,} epics are in flight now "
        f"({in_flight_then} on {charts.day_label(flow.days[0])})"
    )
    if len(fullest) == 1:
        headline += f"; the most in {fullest[0]} ({most})."
    elif fullest:
        names = ", ".join(fullest[:-1]) + f" and {fullest[-1]}"
        headline += f"; the most in {names} ({most} each)."
    else:
        headline += "."
    table = Table(
        ["Day", *(EPIC_LABELS[s] for s in statuses)],
        [
            [day.isoformat(), *(flow.counts[s][i] for s in statuses)]
            for i, day in enumerate(flow.days)
        ],
    )
    panel = Panel(
        "flow",
        "Cumulative flow of epic statuses",
        headline,
        None,
        table,
        empty="There is no epic yet.",
        notes=[
            "Epics in each status at the end of each day, stacked. The first chart shows the "
            "work in flight, where a band that widens is a queue that grows; the second adds "
            "the epics at rest (solid), which outnumber them."
        ],
    )
    if scope.request_type:
        panel.notes.append("Epic figures count every request type.")
    if not any(any(values) for values in flow.counts.values()):
        return panel
    now_text = ", ".join(f"{EPIC_LABELS[s]} {flow.counts[s][-1]}" for s in statuses)
    span = f"from {flow.days[0]:%d %B %Y} to {flow.days[-1]:%d %B %Y}"
    panel.chart = charts.stacked_area(
        [charts.Band(EPIC_LABELS[s], flow.counts[s], STATUS_FILLS[s]) for s in IN_FLIGHT[::-1]],
        flow.days,
        chart_id="chart-flow",
        title="Epics in flight, by status, day by day",
        desc=f"Epics in each in-flight status {span}. Now: {now_text}.",
        y_label="Epics in flight",
    ) + charts.stacked_area(
        [charts.Band(EPIC_LABELS[s], flow.counts[s], STATUS_FILLS[s]) for s in statuses[::-1]],
        flow.days,
        chart_id="chart-flow-all",
        title="All epics, by status, day by day",
        desc=f"Epics in each status {span}. Now: {now_text}.",
        y_label="All epics",
        plot_height=170,
    )
    return panel


# Lead time week by week ---------------------------------------------------------------------------


def _weekly_lead_panel(weekly, period: Period, unit: charts.Unit, finished) -> Panel:
    table = Table(
        [
            "Week starting",
            "Request type",
            "Finished",
            f"Median ({unit.name})",
            f"90th percentile ({unit.name})",
        ],
        [
            [
                _week(w.week),
                TYPE_LABELS[t],
                w.spread.count,
                _duration(unit, w.spread.median),
                _duration(unit, w.spread.p90),
            ]
            for t, weeks in weekly.items()
            for w in weeks
        ],
    )
    overall = metrics.Spread.of([row.lead_seconds for row in finished])
    panel = Panel(
        "lead_time_weekly",
        "Lead time week by week",
        (
            f"All {overall.count:,} requests finished in the period: median "
            f"{charts.say_duration(overall.median)}, nine in ten {_within(overall.p90)}."
            if overall.count
            else "No request was finished in this period."
        ),
        None,
        table,
        empty="No request was finished in this period.",
        notes=[
            "One panel per request type, all on the same scale, by the week the requests were "
            "done; a week without a finished request of that type has no point."
        ],
    )
    if not overall.count:
        return panel
    panels = [
        charts.Panel(
            TYPE_LABELS[t],
            [
                (unit.of(w.spread.median), unit.of(w.spread.p90)) if w.spread.count else None
                for w in weeks
            ],
            note=f"{sum(w.spread.count for w in weeks)} finished",
        )
        for t, weeks in weekly.items()
    ]
    panel.chart = charts.small_multiples(
        panels,
        [charts.day_label(w) for w in period.weeks],
        chart_id="chart-lead-weekly",
        title="Median and 90th percentile lead time per week, one panel per request type",
        desc="; ".join(
            f"{TYPE_LABELS[t]}: "
            + (
                ", ".join(
                    f"week of {w.week:%d %b} median {unit.say(w.spread.median)}"
                    for w in weeks
                    if w.spread.count
                )
                or "none finished"
            )
            for t, weeks in weekly.items()
        ),
        y_label=f"{unit.name.capitalize()} from filing to done",
    )
    return panel


# Requests finished per week -----------------------------------------------------------------------


def _finished_panel(per_week: list[metrics.WeekCount], types, period: Period) -> Panel:
    total = sum(w.total for w in per_week)
    busiest = max(per_week, key=lambda w: w.total)
    headline = (
        f"{_count(total, 'request')} finished in {_count(len(per_week), 'week')}, "
        f"{charts.number(total / len(per_week))} a week on average; the busiest week began "
        f"{charts.day_label(busiest.week)} ({busiest.total})."
        if total
        else f"No request was finished in the last {_count(len(per_week), 'week')}."
    )
    table = Table(
        ["Week starting", "Finished", *(TYPE_LABELS[t] for t in types)],
        [[_week(w.week), w.total, *(w.by_type[t] for t in types)] for w in per_week],
    )
    cols = [charts.Column(charts.day_label(w.week), w.total, str(w.total)) for w in per_week]
    chart = charts.columns(
        cols,
        chart_id="chart-finished",
        title="Requests finished per week",
        desc="Requests finished each week: "
        + ", ".join(f"week of {w.week:%d %b} {w.total}" for w in per_week)
        + ".",
        y_label="Requests finished",
        x_label="Week starting",
    )
    return Panel("finished", "Requests finished per week", headline, chart, table)


# Triage within the goal ---------------------------------------------------------------------------


def _triage_panel(triage: metrics.TriageFigures, waiting: int, overdue: int) -> Panel:
    goal = charts.number(triage.goal_hours)
    if triage.decided:
        headline = (
            f"{charts.percent(triage.share)} of requests were triaged within {goal} business "
            f"hours ({triage.within} of {triage.decided})."
        )
    else:
        headline = "No request was triaged in this period."
    headline += (
        f" In Submitted now: {_count(waiting, 'request')}, {overdue} past the goal."
        if waiting
        else " No request waits in Submitted now."
    )
    table = Table(
        ["Week starting", "Triaged", f"Within {goal} business hours", "Share within (%)"],
        [
            [
                _week(w.week),
                w.decided,
                w.within,
                None if w.share is None else round(w.share * 100),
            ]
            for w in triage.weeks
        ],
    )
    cols = [
        charts.Column(
            charts.day_label(w.week),
            None if w.share is None else w.share * 100,
            f"{charts.percent(w.share)} of {w.decided}" if w.decided else "none",
        )
        for w in triage.weeks
    ]
    chart = charts.columns(
        cols,
        chart_id="chart-triage",
        title=f"Share of requests triaged within {goal} business hours, per week",
        desc="Share triaged within the goal each week: "
        + ", ".join(
            f"week of {w.week:%d %b} "
            + (f"{charts.percent(w.share)} of {w.decided}" if w.decided else "none triaged")
            for w in triage.weeks
        )
        + ".",
        y_label="Triaged within the goal",
        x_label="Week starting (of the triage)",
        y_max=100,
        fmt=lambda v: f"{v:.0f}%",
    )
    return Panel(
        "triage",
        "Triage within the goal",
        headline,
        chart,
        table,
        notes=[
            f"A request counts in the week an MDO PM triaged or rejected it from Submitted; "
            f"within the goal when that took at most {goal} business hours on the same "
            "calendar as the triage reminders."
        ],
    )


# Open work by impact level ------------------------------------------------------------------------


def _open_work_panel(work: list[metrics.LevelWork]) -> Panel:
    total = sum(level.total for level in work)
    most = max(work, key=lambda level: level.total)
    headline = (
        f"{total:,} requests are open; the most at {most.impact_level} ({most.total}, of which "
        f"{most.by_status[Ticket.Status.SUBMITTED]} wait for triage)."
        if total
        else "No request is open now."
    )
    statuses = list(OPEN_TICKET_STATUSES)
    table = Table(
        ["Impact level", *(TICKET_LABELS[s] for s in statuses), "Open"],
        [
            [level.impact_level, *(level.by_status[s] for s in statuses), level.total]
            for level in work
        ],
    )
    panel = Panel(
        "open_work",
        "Open work by impact level",
        headline,
        None,
        table,
        empty="No request is open now.",
    )
    if not total:
        return panel
    panel.chart = charts.stacked_bars(
        [
            charts.StackedRow(
                level.impact_level,
                [level.by_status[s] for s in statuses],
                note="open",
                highlight=level is most,
            )
            for level in work
        ],
        [charts.Series(TICKET_LABELS[s], TICKET_FILLS[s]) for s in statuses],
        chart_id="chart-open-work",
        title="Open requests by impact level and status",
        desc="Open requests now: "
        + "; ".join(
            f"{level.impact_level} {level.total} ("
            + ", ".join(f"{TICKET_LABELS[s]} {level.by_status[s]}" for s in statuses)
            + ")"
            for level in work
        )
        + ".",
        x_label="Open requests",
    )
    return panel
