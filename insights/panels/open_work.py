"""Open work by impact level: the requests Submitted, Triaged or In Progress now, as
stacked bars (a bar per impact level, a segment per status)."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts
from insights.panels import Panel, Table
from insights.panels.figures import OpenWork
from insights.panels.wording import TICKET_LABELS
from requests_app.models import Ticket

TICKET_FILLS = {
    Ticket.Status.SUBMITTED: charts.Fill("#93c5fd"),
    Ticket.Status.TRIAGED: charts.Fill("#fde68a", "hatch"),
    Ticket.Status.IN_PROGRESS: charts.Fill("#f59e0b", "cross"),
}
NONE_OPEN = "No request is open now."


def panel(work: OpenWork) -> Panel:
    statuses = work.statuses
    table = Table(
        ["Impact level", *(TICKET_LABELS[s] for s in statuses), "Open"],
        [
            [level.impact_level, *(level.by_status[s] for s in statuses), level.total]
            for level in work.levels
        ],
    )
    return Panel(
        "open_work",
        "Open work by impact level",
        _headline(work),
        _chart(work) if work.total else None,
        table,
        empty=NONE_OPEN,
    )


def _headline(work: OpenWork) -> str:
    if not work.total:
        return NONE_OPEN
    most = work.most
    return (
        f"{work.total:,} requests are open; the most at {most.impact_level} ({most.total}, of "
        f"which {most.by_status[Ticket.Status.SUBMITTED]} wait for triage)."
    )


def _chart(work: OpenWork) -> SafeString:
    statuses, most = work.statuses, work.most
    said = "; ".join(
        f"{level.impact_level} {level.total} ("
        + ", ".join(f"{TICKET_LABELS[s]} {level.by_status[s]}" for s in statuses)
        + ")"
        for level in work.levels
    )
    return charts.stacked_bars(
        [
            charts.StackedRow(
                level.impact_level,
                [level.by_status[s] for s in statuses],
                note="open",
                highlight=level is most,
            )
            for level in work.levels
        ],
        [charts.Series(TICKET_LABELS[s], TICKET_FILLS[s]) for s in statuses],
        chart_id="chart-open-work",
        title="Open requests by impact level and status",
        desc=f"Open requests now: {said}.",
        x_label="Open requests",
    )
