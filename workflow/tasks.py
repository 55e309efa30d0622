"""Celery tasks: deliver the outbox, sweep what is left behind, and the time-driven events.

Tasks take ids, re-read rows and do nothing when the work is done already; duplicates
(two beats, a redelivered message) are harmless by construction.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workflow import delivery, notifications
from workflow.business_hours import business_hours_between
from workflow.dates import day

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return delivery.deliver(notification_id)
    except delivery.DeliveryFailed as exc:
        if self.request.is_eager:
            return "failed"  # in-process: the row stays pending for the next sweep
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc


@shared_task(acks_late=True, time_limit=120)
def sweep_undelivered() -> int:
    """Queue again every notification still pending after a short delay."""
    from workflow.models import Notification

    cutoff = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATION_RETRY_AFTER_SECONDS)
    pending = list(
        Notification.objects.filter(state=Notification.State.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in pending:
        delivery.enqueue_delivery(pk)
    return len(pending)


@shared_task(acks_late=True, time_limit=300)
def warn_expiring_ctf_letters() -> int:
    """Tell each team once about each verified CtF letter expiring within the warning days."""
    from epics.models import Document, expiry_warning_horizon

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
        message = notifications.Message(
            "ctf_expiring",
            notifications.Audience(team=letter.epic.team),
            f"CtF letter of {letter.epic} expires in {days} days",
            f"The CtF letter of “{letter.epic}” (signed {day(letter.signed_on)}) expires on "
            f"{day(letter.expires_on)}. Upload a newly signed letter to keep deploying.",
            notifications.link_to("epic_detail", letter.epic_id),
        )
        with transaction.atomic():
            sent += bool(
                notifications.send(
                    message, event_key=f"ctf_expiring:{letter.pk}:{letter.expires_on}"
                )
            )
    return sent


@shared_task(acks_late=True, time_limit=300)
def remind_overdue_triage() -> int:
    """Remind MDO PMs, once a day per ticket, of tickets in Submitted past the triage goal."""
    from requests_app.models import Ticket

    now = timezone.now()
    goal = settings.TRIAGE_GOAL_BUSINESS_HOURS
    today = timezone.localdate(now)
    reminded = 0
    for ticket in Ticket.objects.filter(status=Ticket.Status.SUBMITTED).select_related("team"):
        waited = business_hours_between(ticket.created_at, now)
        if waited <= goal:
            continue
        message = notifications.Message(
            "triage_overdue",
            notifications.Audience(role="mdo_pm"),
            f"Request #{ticket.pk} waits for triage ({waited:.0f} business hours)",
            f"{ticket.team.name}'s request “{ticket.title}” has waited {waited:.1f} business "
            f"hours in Submitted; the goal is {goal:g}.",
            notifications.link_to("ticket_detail", ticket.pk),
        )
        with transaction.atomic():
            reminded += bool(
                notifications.send(message, event_key=f"triage_overdue:{ticket.pk}:{today}")
            )
    return reminded


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=45)
def record_gitlab_release(
    *,
    project_urls: list[str],
    tag: str,
    project: str = "",
    pushed_by: str = "",
    checkout_sha: str = "",
    event_uuid: str = "",
) -> str:
    """Record a tag pushed to GitLab (workflow/hooks.py) against the epic whose repository
    it is. Safe to run twice: a tag already recorded records nothing; a refusal (the epic
    has no production yet) is in the audit trail, not an error."""
    from workflow import gitlab, services
    from workflow.errors import Refusal

    epic = gitlab.epic_for_repository(project_urls)
    if epic is None:
        log.warning(
            "GitLab tag %s of %s (event %s): no epic has this repository; ignored",
            tag,
            project,
            event_uuid,
        )
        return "unknown_repository"
    try:
        release, created = services.release_record_from_gitlab(
            epic=epic,
            tag=tag,
            pushed_by=pushed_by,
            detail={"project": project, "sha": checkout_sha, "event": event_uuid},
        )
    except Refusal as refusal:
        log.info(
            "GitLab tag %s of epic %s (event %s) refused: %s", tag, epic.pk, event_uuid, refusal
        )
        return "refused"
    if not created:
        log.info(
            "GitLab tag %s of epic %s (event %s) was already recorded as release %s",
            tag,
            epic.pk,
            event_uuid,
            release.pk,
        )
        return "already_recorded"
    return "recorded"
