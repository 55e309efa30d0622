"""Lead time week by week: the median and 90th percentile of the requests finished each
week, as small multiples (a panel per request type, all on one scale)."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts
from insights.panels import Panel, Table
from insights.panels.figures import WeeklyLeadTimes, in_unit
from insights.panels.wording import (
    NONE_FINISHED,
    TYPE_LABELS,
    WEEK_STARTING,
    finished_note,
    lead_axis,
    spread_columns,
    week_of,
    within,
)
from insights.units import day_label, say_duration

NOTE = (
    "One panel per request type, all on the same scale, by the week the requests were "
    "done; a week without a finished request of that type has no point."
)


def panel(weekly: WeeklyLeadTimes) -> Panel:
    unit = weekly.unit
    table = Table(
        [WEEK_STARTING, "Request type", "Finished", *spread_columns(unit)],
        [
            [
                w.week.isoformat(),
                TYPE_LABELS[t],
                w.spread.count,
                in_unit(unit, w.spread.median),
                in_unit(unit, w.spread.p90),
            ]
            for t, weeks in weekly.by_type.items()
            for w in weeks
        ],
    )
    return Panel(
        "lead_time_weekly",
        "Lead time week by week",
        _headline(weekly),
        _chart(weekly) if weekly.overall.count else None,
        table,
        empty=NONE_FINISHED,
        notes=[NOTE],
    )


def _headline(weekly: WeeklyLeadTimes) -> str:
    overall = weekly.overall
    if not overall.count:
        return NONE_FINISHED
    return (
        f"All {overall.count:,} requests finished in the period: median "
        f"{say_duration(overall.median)}, nine in ten {within(overall.p90)}."
    )


def _said(weekly: WeeklyLeadTimes, request_type: str) -> str:
    """One request type in the chart's description: its weeks with a request finished."""
    said = ", ".join(
        f"{week_of(w.week)} median {weekly.unit.say(w.spread.median)}"
        for w in weekly.by_type[request_type]
        if w.spread.count
    )
    return f"{TYPE_LABELS[request_type]}: {said or 'none finished'}"


def _chart(weekly: WeeklyLeadTimes) -> SafeString:
    panels = [
        charts.Panel(TYPE_LABELS[t], weekly.points(t), note=finished_note(weekly.finished(t)))
        for t in weekly.by_type
    ]
    return charts.small_multiples(
        panels,
        [day_label(w) for w in weekly.weeks],
        chart_id="chart-lead-weekly",
        title="Median and 90th percentile lead time per week, one panel per request type",
        desc="; ".join(_said(weekly, t) for t in weekly.by_type),
        y_label=lead_axis(weekly.unit),
    )
