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
from workflow.business_hours import Calendar, business_hours_between
from workflow.dates import day
from workflow.service_levels import is_overdue, triage_due_at

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
    """Remind MDO PMs, once a day per ticket, of tickets in Submitted past their triage due
    time (the goal on the business calendar, paused while in Needs Info: the time the
    request page and the triage queue show)."""
    now = timezone.now()
    today = timezone.localdate(now)
    waiting = list(Ticket.objects.filter(status=Ticket.Status.SUBMITTED).select_related("team"))
    due = triage_due_at(waiting, now=now)
    reminded = 0
    for ticket in waiting:
        if not is_overdue(ticket.status, due[ticket.pk], now):
            continue
        when = timezone.localtime(due[ticket.pk])
        message = Message(
            "triage_overdue",
            Audience(role="mdo_pm"),
            f"Request #{ticket.pk} is overdue for triage",
            f"{ticket.team.name}'s request “{ticket.title}” was due for triage by "
            f"{day(when)}, {when:%H:%M} (the goal is {settings.TRIAGE_GOAL_BUSINESS_HOURS:g} "
            "business hours) and still waits in Submitted.",
            link_to("ticket_detail", ticket.pk),
        )
        with transaction.atomic():
            reminded += bool(
                outbox.send(message, event_key=f"triage_overdue:{ticket.pk}:{today}")
            )
    return reminded


# WORKFLOWS.md, Conversation on a request: the team is reminded after this many business days.
UNANSWERED_BUSINESS_DAYS = 3


@shared_task(acks_late=True, time_limit=300)
def remind_unanswered() -> int:
    """Remind the team of each ticket waiting in Needs Info for its answer 3 business days
    or more, once per question (the event key names the moment it entered Needs Info)."""
    now = timezone.now()
    day_hours = settings.BUSINESS_CLOSE_HOUR - settings.BUSINESS_OPEN_HOUR
    due = UNANSWERED_BUSINESS_DAYS * day_hours
    reminded = 0
    waiting = Ticket.objects.filter(status=Ticket.Status.NEEDS_INFO).select_related("team")
    calendar = Calendar.load()  # the closure days, read once for every ticket
    for ticket in waiting:
        if business_hours_between(ticket.status_changed_at, now, calendar) < due:
            continue
        message = Message(
            "info_reminder",
            Audience(team=ticket.team),
            f"Request #{ticket.pk} still waits for your answer",
            f"An MDO PM asked a question about “{ticket.title}” on "
            f"{day(ticket.status_changed_at)}; the request waits in Needs Info until your "
            "team answers it on the request page.",
            link_to("ticket_detail", ticket.pk),
        )
        key = f"info_reminder:{ticket.pk}:{ticket.status_changed_at.timestamp():.0f}"
        with transaction.atomic():
            reminded += bool(outbox.send(message, event_key=key))
    return reminded
