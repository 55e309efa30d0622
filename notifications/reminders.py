"""The time-driven notifications, run by Celery beat: CtF letters about to expire, and
requests waiting for triage past the goal. Each is written once per event key, so two beats
(or a task run twice) tell nobody twice.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from epics.models import Document
from notifications import outbox
from notifications.rules import Audience, Message, ctf_audiences, link_to
from requests_app.models import Ticket
from workflow.business_hours import business_hours_between
from workflow.dates import day

# WORKFLOWS.md, the CtF's life: the team and Cyber are reminded this many days before expiry.
REMINDER_DAYS = (90, 30, 7)


def reminder_due(days_left: int) -> int | None:
    """The reminder a letter with `days_left` is owed: the nearest of 90, 30 and 7 days it
    has reached (None before 90). A letter first seen at 20 days gets the 30-day one only."""
    reached = [days for days in REMINDER_DAYS if days_left <= days]
    return min(reached) if reached else None


@shared_task(acks_late=True, time_limit=300)
def warn_expiring_ctf_letters() -> int:
    """Tell the team and Cyber of each CtF letter in force 90, 30 and 7 days before it
    expires, once each (the event key names the letter, its expiry and the reminder)."""
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    letters = Document.objects.filter(
        kind=Document.Kind.CTF_LETTER,
        status=Document.Status.VERIFIED,
        superseded_by__isnull=True,
        expires_on__gt=today,
        expires_on__lte=horizon,
    ).select_related("epic__team")
    sent = 0
    for letter in letters:
        days = (letter.expires_on - today).days
        reminder = reminder_due(days)
        key = f"ctf_expiring:{letter.pk}:{letter.expires_on}:{reminder}"
        with transaction.atomic():
            for audience in ctf_audiences(letter):
                message = Message(
                    "ctf_expiring",
                    audience,
                    f"CtF letter of {letter.epic} expires in {days} days",
                    f"The CtF letter of “{letter.epic}” ({letter.epic.team.name}, signed "
                    f"{day(letter.signed_on)}) expires on {day(letter.expires_on)}. Upload a "
                    "newly signed letter to keep deploying and releasing.",
                    link_to("epic_detail", letter.epic_id),
                )
                sent += bool(outbox.send(message, event_key=key))
    return sent


@shared_task(acks_late=True, time_limit=300)
def remind_overdue_triage() -> int:
    """Remind MDO PMs, once a day per ticket, of tickets in Submitted past the triage goal."""
    now = timezone.now()
    goal = settings.TRIAGE_GOAL_BUSINESS_HOURS
    today = timezone.localdate(now)
    reminded = 0
    for ticket in Ticket.objects.filter(status=Ticket.Status.SUBMITTED).select_related("team"):
        waited = business_hours_between(ticket.created_at, now)
        if waited <= goal:
            continue
        message = Message(
            "triage_overdue",
            Audience(role="mdo_pm"),
            f"Request #{ticket.pk} waits for triage ({waited:.0f} business hours)",
            f"{ticket.team.name}'s request “{ticket.title}” has waited {waited:.1f} business "
            f"hours in Submitted; the goal is {goal:g}.",
            link_to("ticket_detail", ticket.pk),
        )
        with transaction.atomic():
            reminded += bool(
                outbox.send(message, event_key=f"triage_overdue:{ticket.pk}:{today}")
            )
    return reminded
