"""The row at a glance over the panels: five figures, each said in a word and a line, each
a link to the panel that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from insights.panels.figures import Figures, LeadTimes, Triage, Waits
from insights.panels.wording import EPIC_LABELS, TYPE_LABELS, count
from insights.units import number, percent, say_duration


@dataclass
class Glance:
    label: str
    value: str
    detail: str
    panel: str  # the panel that shows it


def glance(figures: Figures) -> list[Glance]:
    finished, work, triage = figures.finished, figures.open_work, figures.triage
    return [
        _slowest(figures.lead_time),
        _longest_wait(figures.waits),
        _triaged(triage),
        Glance(
            "Requests finished",
            str(finished.total),
            f"in the last {count(len(finished.per_week), 'week')}",
            "finished",
        ),
        Glance(
            "Requests open now",
            str(work.total),
            f"{triage.overdue} past the triage goal"
            if triage.overdue
            else "none past the triage goal",
            "open_work",
        ),
    ]


def _slowest(lead: LeadTimes) -> Glance:
    slow = lead.slowest
    if slow is None:
        value, detail = "None finished yet", "no request was finished in this period"
    else:
        value = TYPE_LABELS[slow.request_type]
        detail = f"median {say_duration(slow.spread.median)} from filing to done"
    return Glance("Slowest request type", value, detail, "lead_time")


def _longest_wait(waits: Waits) -> Glance:
    wait = waits.longest_median
    if wait is None:
        value, detail = "No waits yet", "no epic was in flight in this period"
    else:
        value, detail = EPIC_LABELS[wait.status], f"median {say_duration(wait.spread.median)}"
    return Glance("Epics wait longest in", value, detail, "time_in_status")


def _triaged(triage: Triage) -> Glance:
    decisions = triage.decisions
    detail = (
        f"{decisions.within} of {decisions.decided} within {number(decisions.goal_hours)} "
        "business hours"
        if decisions.decided
        else "no request was triaged in this period"
    )
    return Glance("Triaged within the goal", percent(decisions.share), detail, "triage")
