"""Triage within the goal: the share of requests an MDO PM took out of Submitted within the
goal's business hours, per week, as columns; and what waits in Submitted now."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts, metrics
from insights.panels import Panel, Table
from insights.panels.figures import Triage, as_percent
from insights.panels.wording import WEEK_STARTING, count, week_of
from insights.units import day_label, number, percent


def panel(triage: Triage) -> Panel:
    decisions = triage.decisions
    goal = number(decisions.goal_hours)
    table = Table(
        [WEEK_STARTING, "Triaged", f"Within {goal} business hours", "Share within (%)"],
        [
            [
                w.week.isoformat(),
                w.decided,
                w.within,
                None if w.share is None else round(as_percent(w.share)),
            ]
            for w in decisions.weeks
        ],
    )
    return Panel(
        "triage",
        "Triage within the goal",
        _headline(triage),
        _chart(triage),
        table,
        notes=[
            f"A request counts in the week an MDO PM triaged or rejected it from Submitted; "
            f"within the goal when that took at most {goal} business hours on the same "
            "calendar as the triage reminders."
        ],
    )


def _headline(triage: Triage) -> str:
    decisions = triage.decisions
    if decisions.decided:
        headline = (
            f"{percent(decisions.share)} of requests were triaged within "
            f"{number(decisions.goal_hours)} business hours ({decisions.within} of "
            f"{decisions.decided})."
        )
    else:
        headline = "No request was triaged in this period."
    if triage.waiting:
        return (
            f"{headline} In Submitted now: {count(triage.waiting, 'request')}, "
            f"{triage.overdue} past the goal."
        )
    return f"{headline} No request waits in Submitted now."


def _share(week: metrics.WeekShare) -> str:
    """Above a week's column."""
    return f"{percent(week.share)} of {week.decided}" if week.decided else "none"


def _chart(triage: Triage) -> SafeString:
    decisions = triage.decisions
    said = ", ".join(
        f"{week_of(w.week)} " + (_share(w) if w.decided else "none triaged")
        for w in decisions.weeks
    )
    return charts.columns(
        [charts.Column(day_label(w.week), as_percent(w.share), _share(w)) for w in decisions.weeks],
        chart_id="chart-triage",
        title=f"Share of requests triaged within {number(decisions.goal_hours)} business hours, "
        "per week",
        desc=f"Share triaged within the goal each week: {said}.",
        y_label="Triaged within the goal",
        x_label="Week starting (of the triage)",
        y_max=100,
        fmt=lambda v: f"{v:.0f}%",
    )
