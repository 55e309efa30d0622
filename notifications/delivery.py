"""Delivering one outbox row, at most once per attempt and once in all but a small window.

An attempt **claims** the row first: one UPDATE, committed at once, that succeeds only if
the row is still pending, due (its backoff has passed) and held by nobody, and that gives
it a lease (`NOTIFICATION_LEASE_SECONDS`) and counts the attempt. Then it **sends**,
outside any transaction, so no database lock is held while a relay or a webhook takes its
time. Then it **marks** the outcome, only while it still holds the lease: delivered, or,
after a failure, pending again with the next attempt due after an exponential backoff
(`NOTIFICATION_BACKOFF_SECONDS`, doubling, at most `NOTIFICATION_BACKOFF_MAX_SECONDS`),
or failed once the row has waited `NOTIFICATION_GIVE_UP_AFTER` seconds.

A second copy of the same task (a redelivered message, the sweeper's copy) finds the row
claimed, not yet due or delivered and does nothing: one retry chain per row. A worker
killed mid-send leaves its claim, which runs out; the next attempt sends then.

The window for a duplicate: a send that reached the receiver, and then the mark failed for
longer than its retries (the database unreachable for about `_MARK_PATIENCE` seconds) or
the worker died between the two. The lease then runs out and the row is sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import SENDERS, DeliveryFailed
from notifications.models import Notification

log = logging.getLogger(__name__)

# How long marking an outcome keeps trying while the database is unreachable.
_MARK_PATIENCE = 10.0

__all__ = ["DeliveryFailed", "backoff", "claim", "deliver"]


def backoff(attempts: int) -> float:
    """Seconds between attempt `attempts` and the next one."""
    first, most = settings.NOTIFICATION_BACKOFF_SECONDS, settings.NOTIFICATION_BACKOFF_MAX_SECONDS
    return min(first * 2 ** max(attempts - 1, 0), most)


def due(now: dt.datetime) -> Q:
    """Pending rows an attempt may claim now: due, and held by nobody."""
    return (
        Q(state=Notification.State.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )


def claim(notification_id: int) -> Notification | None:
    """The row, claimed for one attempt (committed), or None if it is not to be tried now."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(due(now), pk=notification_id)
        .exclude(channel=Notification.Channel.IN_APP)
        .update(lease_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Notification.objects.get(pk=notification_id)


def _mark(notification: Notification, **fields) -> None:
    """Write the attempt's outcome while it holds the lease, trying again while the database
    is unreachable (a connection terminated under the worker)."""
    deadline = time.monotonic() + _MARK_PATIENCE
    while True:
        try:
            Notification.objects.filter(
                pk=notification.pk, lease_until=notification.lease_until
            ).update(lease_until=None, **fields)
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            log.warning("Notification %s: cannot mark it yet; retrying", notification.pk)
            connection.close()
            close_old_connections()
            time.sleep(0.2)


def _failed(notification: Notification, error: str) -> dt.datetime | None:
    """Record a failed attempt: the next one's time, or None once it is given up."""
    now = timezone.now()
    waited = (now - (notification.sent_again_at or notification.created_at)).total_seconds()
    if waited >= settings.NOTIFICATION_GIVE_UP_AFTER:
        _mark(notification, state=Notification.State.FAILED, last_error=error)
        return None
    next_at = now + dt.timedelta(seconds=backoff(notification.attempts))
    _mark(notification, last_error=error, next_attempt_at=next_at)
    return next_at


def deliver(notification_id: int) -> str:
    """One attempt: 'delivered', 'skipped' (not to be tried now), or DeliveryFailed with the
    number of seconds until the next attempt (`retry_in`, None once it is given up)."""
    notification = claim(notification_id)
    if notification is None:
        return "skipped"
    try:
        SENDERS[notification.channel](notification)
    except Exception as exc:  # any failure of the outside world: record it, try again
        error = f"{type(exc).__name__}: {exc}"[:2000]
        next_at = _failed(notification, error)
        failure = DeliveryFailed(error)
        failure.retry_in = (next_at - timezone.now()).total_seconds() if next_at else None
        raise failure from exc
    _mark(
        notification,
        state=Notification.State.DELIVERED,
        delivered_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )
    return "delivered"
