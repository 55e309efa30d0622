"""Requests finished per week, as columns."""

from __future__ import annotations

from django.utils.safestring import SafeString

from insights import charts
from insights.panels import Panel, Table
from insights.panels.figures import Finished
from insights.panels.wording import TYPE_LABELS, WEEK_STARTING, count, week_of
from insights.units import day_label, number

TITLE = "Requests finished per week"


def panel(finished: Finished) -> Panel:
    table = Table(
        [WEEK_STARTING, "Finished", *(TYPE_LABELS[t] for t in finished.types)],
        [
            [w.week.isoformat(), w.total, *(w.by_type[t] for t in finished.types)]
            for w in finished.per_week
        ],
    )
    return Panel("finished", TITLE, _headline(finished), _chart(finished), table)


def _headline(finished: Finished) -> str:
    weeks = count(len(finished.per_week), "week")
    if not finished.total:
        return f"No request was finished in the last {weeks}."
    busiest = finished.busiest
    return (
        f"{count(finished.total, 'request')} finished in {weeks}, "
        f"{number(finished.average)} a week on average; the busiest week began "
        f"{day_label(busiest.week)} ({busiest.total})."
    )


def _chart(finished: Finished) -> SafeString:
    """Zeros are a figure too: the chart is drawn whatever the weeks hold."""
    said = ", ".join(f"{week_of(w.week)} {w.total}" for w in finished.per_week)
    return charts.columns(
        [charts.Column(day_label(w.week), w.total, str(w.total)) for w in finished.per_week],
        chart_id="chart-finished",
        title=TITLE,
        desc=f"Requests finished each week: {said}.",
        y_label="Requests finished",
        x_label=WEEK_STARTING,
    )
