"""The cumulative flow of epic statuses: the epics in each status at the end of each day,
as two stacked areas (the work in flight; every epic, at rest too)."""

from __future__ import annotations

from django.utils.safestring import SafeString

from epics.models import Epic
from insights import charts
from insights.metrics import IN_FLIGHT
from insights.panels import Panel, Table
from insights.panels.figures import FlowNow
from insights.panels.wording import EPIC_LABELS, EVERY_TYPE
from insights.units import day_label

# How each epic status is drawn: work in flight hatched (waiting on Party Bus), at rest solid.
STATUS_FILLS = {
    Epic.Status.NEW: charts.Fill("#cbd5e1"),
    Epic.Status.PIPELINE_IN_PROGRESS: charts.Fill("#fde68a", "hatch"),
    Epic.Status.PIPELINE_BEING_BUILT: charts.Fill("#f59e0b", "cross"),
    Epic.Status.PIPELINE_COMPLETE: charts.Fill("#86efac"),
    Epic.Status.DEPLOYED_STAGING: charts.Fill("#5eead4"),
    Epic.Status.PROD_DEPLOY_QUEUED: charts.Fill("#93c5fd", "hatch"),
    Epic.Status.PROD_DEPLOY_IN_PROGRESS: charts.Fill("#fb923c", "dots"),
    Epic.Status.PROD_DEPLOY_COMPLETE: charts.Fill("#16a34a"),
}
NOTE = (
    "Epics in each status at the end of each day, stacked. The first chart shows the "
    "work in flight, where a band that widens is a queue that grows; the second adds "
    "the epics at rest (solid), which outnumber them."
)


def panel(flow: FlowNow, *, one_type: bool) -> Panel:
    """`one_type`: the request figures are of one request type (the epic figures are not)."""
    return Panel(
        "flow",
        "Cumulative flow of epic statuses",
        _headline(flow),
        _charts(flow) if flow.any_epic else None,
        Table(["Day", *(EPIC_LABELS[s] for s in flow.statuses)], flow.rows),
        empty="There is no epic yet.",
        notes=[NOTE, EVERY_TYPE] if one_type else [NOTE],
    )


def _headline(flow: FlowNow) -> str:
    headline = (
        f"{flow.in_flight_now:,} of {flow.total_now:,} epics are in flight now "
        f"({flow.in_flight_first_day} on {day_label(flow.flow.days[0])})"
    )
    fullest = [EPIC_LABELS[s] for s in flow.fullest]
    if len(fullest) == 1:
        return f"{headline}; the most in {fullest[0]} ({flow.most})."
    if fullest:
        names = ", ".join(fullest[:-1]) + f" and {fullest[-1]}"
        return f"{headline}; the most in {names} ({flow.most} each)."
    return f"{headline}."


def _charts(flow: FlowNow) -> SafeString:
    days = flow.flow.days
    now = ", ".join(f"{EPIC_LABELS[s]} {flow.now(s)}" for s in flow.statuses)
    span = f"from {days[0]:%d %B %Y} to {days[-1]:%d %B %Y}"
    in_flight = charts.stacked_area(
        _bands(flow, IN_FLIGHT),
        days,
        chart_id="chart-flow",
        title="Epics in flight, by status, day by day",
        desc=f"Epics in each in-flight status {span}. Now: {now}.",
        y_label="Epics in flight",
    )
    every_epic = charts.stacked_area(
        _bands(flow, flow.statuses),
        days,
        chart_id="chart-flow-all",
        title="All epics, by status, day by day",
        desc=f"Epics in each status {span}. Now: {now}.",
        y_label="All epics",
        plot_height=170,
    )
    return in_flight + every_epic


def _bands(flow: FlowNow, statuses) -> list[charts.Band]:
    """The statuses' bands, the last status at the bottom."""
    return [
        charts.Band(EPIC_LABELS[s], flow.flow.counts[s], STATUS_FILLS[s]) for s in statuses[::-1]
    ]
