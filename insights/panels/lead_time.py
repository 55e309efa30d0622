"""Lead time by request type: how long each type takes from filing to Done, slowest first,
as ranked bars (the median, and a line to the 90th percentile)."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts
from insights.panels import Panel, Table
from insights.panels.figures import LeadTimes, in_unit
from insights.panels.wording import (
    NONE_FINISHED,
    TYPE_LABELS,
    count,
    finished_note,
    lead_axis,
    median_and_p90,
    spread_columns,
    within,
)
from insights.units import say_duration

NOTE = (
    "From the request's filing to Done. The bar is the median; the line ends at the "
    "90th percentile: nine in ten requests of that type were done within it."
)


def panel(lead: LeadTimes) -> Panel:
    unit = lead.unit
    table = Table(
        ["Request type", "Finished", *spread_columns(unit)],
        [
            [
                TYPE_LABELS[f.request_type],
                f.spread.count,
                in_unit(unit, f.spread.median),
                in_unit(unit, f.spread.p90),
            ]
            for f in lead.by_type
        ],
    )
    return Panel(
        "lead_time",
        "Lead time by request type",
        _headline(lead),
        _chart(lead) if lead.slowest is not None else None,
        table,
        empty=f"No request was finished in the last {count(lead.weeks, 'week')}, so there is "
        "no lead time yet.",
        notes=[NOTE],
    )


def _headline(lead: LeadTimes) -> str:
    slow = lead.slowest
    if slow is None:
        return NONE_FINISHED
    return (
        f"Slowest: {TYPE_LABELS[slow.request_type]}, median "
        f"{say_duration(slow.spread.median)} from filing to done (nine in ten "
        f"{within(slow.spread.p90)})."
    )


def _chart(lead: LeadTimes) -> SafeString:
    unit = lead.unit
    bars = [
        charts.Bar(
            TYPE_LABELS[f.request_type],
            unit.of(f.spread.median),
            unit.of(f.spread.p90),
            value_text=median_and_p90(f.spread),
            note=finished_note(f.spread.count),
            highlight=lead.stands_out(f),
            flag="Slowest" if lead.stands_out(f) else "",
        )
        for f in lead.ranked
    ]
    said = "; ".join(
        f"{TYPE_LABELS[f.request_type]} median {unit.say(f.spread.median)}, 90th "
        f"percentile {unit.say(f.spread.p90)} ({f.spread.count} finished)"
        for f in lead.ranked
    )
    return charts.ranked_bars(
        bars,
        chart_id="chart-lead-time",
        title="Lead time by request type, slowest first",
        desc=f"Median and 90th percentile lead time from filing to done: {said}.",
        axis_label=lead_axis(unit),
    )
