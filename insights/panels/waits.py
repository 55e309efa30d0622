"""Where epics wait: how long epics stay in each status in flight, longest first, as ranked
bars (the median of the stays that ended, a line to their 90th percentile, a diamond for
the epic there longest now); the table has the statuses at rest too."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts, metrics
from insights.panels import Panel, Table
from insights.panels.figures import Waits, in_unit
from insights.panels.wording import EPIC_LABELS, EVERY_TYPE, median_and_p90, spread_columns, within
from insights.units import Unit, say_duration, short_duration

NONE_IN_FLIGHT = "No epic was in flight in this period."


def panel(waits: Waits) -> Panel:
    return Panel(
        "time_in_status",
        "Where epics wait",
        _headline(waits),
        _chart(waits) if waits.ranked else None,
        _table(waits),
        empty=NONE_IN_FLIGHT,
        notes=_notes(),
    )


def _table(waits: Waits) -> Table:
    unit = waits.unit
    return Table(
        [
            "Epic status",
            "Where",
            "Stays ended",
            *spread_columns(unit),
            "There now",
            f"Longest there now ({unit.name})",
        ],
        [
            [
                EPIC_LABELS[s.status],
                "in flight" if s.waiting else "at rest",
                s.spread.count,
                in_unit(unit, s.spread.median),
                in_unit(unit, s.spread.p90),
                s.now,
                in_unit(unit, s.longest_now) if s.waiting else None,
            ]
            for s in waits.by_status
        ],
    )


def _notes() -> list[str]:
    resting = ", ".join(EPIC_LABELS[s] for s in metrics.RESTING)
    return [
        "How long epics stayed in each status a request's work passes through, from the "
        "audit row that moved them in to the one that moved them out, for the stays that "
        "ended in the period. Epics still there are shown apart (the diamond: the one "
        "there longest): how long they will stay is not known yet.",
        f"Between requests an epic rests in {resting}: the table shows those stays, the "
        f"chart leaves them out. {EVERY_TYPE}",
    ]


def _headline(waits: Waits) -> str:
    if not waits.ranked:
        return NONE_IN_FLIGHT
    longest, stuck = waits.longest, waits.stuck
    if longest is None:
        headline = "No epic left a status in flight in this period."
    else:
        headline = (
            f"Epics wait longest in {EPIC_LABELS[longest.status]}: median "
            f"{say_duration(longest.spread.median)} (nine in ten "
            f"{within(longest.spread.p90)})."
        )
    if stuck is not None:
        headline += (
            f" Waiting longest now: an epic in {EPIC_LABELS[stuck.status]} for "
            f"{say_duration(stuck.longest_now)}."
        )
    return headline


def _bar(waits: Waits, status: metrics.StatusTime) -> charts.Bar:
    unit, spread, longest_now = waits.chart_unit, status.spread, status.longest_now
    return charts.Bar(
        EPIC_LABELS[status.status],
        unit.of(spread.median) or 0,
        unit.of(spread.p90),
        value_text=median_and_p90(spread) if spread.count else "none ended",
        note=f"{spread.count} ended · {status.now} there now",
        highlight=waits.stands_out(status),
        flag="Longest" if waits.stands_out(status) else "",
        marker=unit.of(longest_now),
        marker_text="" if longest_now is None else f"longest now {short_duration(longest_now)}",
    )


def _said(status: metrics.StatusTime, unit: Unit) -> str:
    """One status in the chart's description."""
    said = (
        f"{EPIC_LABELS[status.status]} median {unit.say(status.spread.median)}, 90th "
        f"percentile {unit.say(status.spread.p90)}, {status.now} there now"
    )
    if status.longest_now:
        said += f", the longest for {unit.say(status.longest_now)}"
    return said


def _chart(waits: Waits) -> SafeString:
    unit = waits.chart_unit
    said = "; ".join(_said(s, unit) for s in waits.ranked)
    return charts.ranked_bars(
        [_bar(waits, s) for s in waits.ranked],
        chart_id="chart-waits",
        title="Time epics spend in each in-flight status, longest first",
        desc="Median and 90th percentile of the stays that ended; the epic there longest now: "
        f"{said}.",
        axis_label=f"{unit.name.capitalize()} in the status",
        marker_name="longest there now",
    )
