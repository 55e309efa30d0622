"""Celery tasks that deliver the outbox, and the sweeper that queues again what is left.

Each row's delivery goes to the queue of its channel (`email`, `webhook`), each consumed by
workers of its own, so a relay that hangs delays only e-mail. Tasks take ids, re-read rows
and do nothing when the work is done already or not due (notifications/delivery.py); a
failed attempt schedules the row's next one itself, so a row has one retry chain, and the
sweeper queues only rows whose next attempt is overdue (their chain was lost: a broker
down at commit, a worker killed).

Publishing from a web request is bounded: one attempt for the whole transaction, given at
most `NOTIFICATION_PUBLISH_TIMEOUT` seconds; if the broker does not take it, the sweeper
delivers later. A request never waits on the broker.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications import delivery
from notifications.models import Notification
from portal import broker

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return delivery.deliver(notification_id)
    except delivery.DeliveryFailed as exc:
        if self.request.is_eager or exc.retry_in is None:
            return "failed"  # in-process, or given up: the row says so
        raise self.retry(exc=exc, countdown=max(exc.retry_in, 0)) from exc


@shared_task(acks_late=True, time_limit=60)
def fan_out(rows: list[list]) -> int:
    """Queue each row's delivery on its channel's queue (published once per commit)."""
    for pk, channel in rows:
        deliver_notification.apply_async((pk,), queue=channel)
    return len(rows)


def enqueue(rows: list[tuple[int, str]]) -> None:
    """Queue the delivery of (id, channel) rows: one bounded attempt for all of them."""
    if not rows:
        return
    # Not taken now: the sweeper queues them again (a late publish delivers once: the lease).
    broker.taken(
        functools.partial(fan_out.apply_async, (rows,)),
        f"{len(rows)} notification(s)",
        "the sweeper will retry",
    )


def enqueue_delivery(notification_id: int) -> None:
    """Queue one row's delivery (the sweeper, the admin's and the command's "send again")."""
    channel = Notification.objects.filter(pk=notification_id).values_list("channel", flat=True)
    enqueue([(notification_id, channel.first() or Notification.Channel.EMAIL)])


def overdue(now: dt.datetime):
    """Pending rows nobody is sending whose attempt is overdue by the sweeper's grace: the
    retry chain that should have tried them was lost."""
    grace = now - dt.timedelta(seconds=settings.NOTIFICATION_RETRY_AFTER_SECONDS)
    return Notification.objects.filter(delivery.due(now)).filter(
        Q(next_attempt_at__isnull=True, created_at__lt=grace) | Q(next_attempt_at__lt=grace)
    )


@shared_task(acks_late=True, time_limit=120)
def sweep_undelivered() -> int:
    """Queue again every pending notification whose attempt is overdue."""
    rows = list(overdue(timezone.now()).order_by("created_at").values_list("pk", "channel")[:1000])
    enqueue(rows)
    return len(rows)
