"""Words that several panels say: the names of statuses and request types, counts, lead
times and their spread, table headings. Each panel's own sentences are in its module;
figures.py holds the numbers, said the way insights/units.py says them."""

from __future__ import annotations

import datetime as dt

from epics.models import Epic
from insights import metrics
from insights.units import Unit, say_duration, short_duration
from requests_app.models import RequestType, Ticket

EPIC_LABELS = dict(Epic.Status.choices)
TICKET_LABELS = dict(Ticket.Status.choices)
TYPE_LABELS = dict(RequestType.choices)

WEEK_STARTING = "Week starting"
NONE_FINISHED = "No request was finished in this period."
EVERY_TYPE = "Epic figures count every request type."


def count(n: int, noun: str) -> str:
    """ "1 week", "12 weeks", "1,204 requests"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def within(seconds: float | None) -> str:
    """ "within 2.1 days", "in under a second"."""
    said = say_duration(seconds)
    return f"in {said}" if said.startswith("under") else f"within {said}"


def week_of(week: dt.date) -> str:
    return f"week of {week:%d %b}"


def spread_columns(unit: Unit) -> list[str]:
    return [f"Median ({unit.name})", f"90th percentile ({unit.name})"]


def median_and_p90(spread: metrics.Spread) -> str:
    """Beside a bar: "6.2 d · 90%: 9 d"."""
    return f"{short_duration(spread.median)} · 90%: {short_duration(spread.p90)}"


def finished_note(n: int) -> str:
    return f"{n} finished"


def lead_axis(unit: Unit) -> str:
    return f"{unit.name.capitalize()} from filing to done"
