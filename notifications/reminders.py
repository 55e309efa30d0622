"""The time-driven notifications, run by Celery beat: CtF letters about to expire, and
requests waiting for triage past the goal. Each is written once per event key, so two beats
(or a task run twice) tell nobody twice.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from epics.models import Document, expiry_warning_horizon
from notifications import outbox
from notifications.rules import Audience, Message, link_to
from requests_app.models import Ticket
from workflow.business_hours import business_hours_between
from workflow.dates import day


@shared_task(acks_late=True, time_limit=300)
def warn_expiring_ctf_letters() -> int:
    """Tell each team once about each verified CtF letter expiring within the warning days."""
    today = timezone.localdate()
    horizon = expiry_warning_horizon(today)
    letters = Document.objects.filter(
        kind=Document.Kind.CTF_LETTER,
        status=Document.Status.VERIFIED,
        expires_on__gt=today,
        expires_on__lte=horizon,
    ).select_related("epic__team")
    sent = 0
    for letter in letters:
        days = (letter.expires_on - today).days
        message = Message(
            "ctf_expiring",
            Audience(team=letter.epic.team),
            f"CtF letter of {letter.epic} expires in {days} days",
            f"The CtF letter of “{letter.epic}” (signed {day(letter.signed_on)}) expires on "
            f"{day(letter.expires_on)}. Upload a newly signed letter to keep deploying.",
            link_to("epic_detail", letter.epic_id),
        )
        with transaction.atomic():
            sent += bool(
                outbox.send(
                    message, event_key=f"ctf_expiring:{letter.pk}:{letter.expires_on}"
                )
            )
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
