"""Delivering outbox rows, once each.

A delivery locks its row for the length of the send: a second worker given the same row
(a redelivered task, the sweeper's copy) waits, then finds it delivered and does nothing.
A worker killed mid-send drops its connection, the lock and the unfinished transaction
with it, and the row is still pending for the next try. E-mails carry a Message-ID and
webhook posts an X-Notification-Id made from the row, so a receiver can tell a repeat.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from workflow.models import Notification

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    pass


def _full_url(notification: Notification) -> str:
    return urljoin(settings.PORTAL_BASE_URL, notification.url) if notification.url else ""


def _text(notification: Notification) -> str:
    link = _full_url(notification)
    return notification.body + (f"\n\n{link}" if link else "")


def send_email(notification: Notification) -> None:
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    EmailMessage(
        subject=f"[MDO Portal] {notification.subject}",
        body=_text(notification),
        to=[notification.address],
        headers={"Message-ID": f"<notification-{notification.pk}@mdo-portal>"},
        connection=connection,
    ).send()


def send_webhook(notification: Notification) -> None:
    """Mattermost / Slack-compatible incoming webhook: JSON with `text`."""
    link = _full_url(notification)
    text = f"**{notification.subject}**\n{notification.body}" + (f"\n{link}" if link else "")
    request = urllib.request.Request(
        notification.address,
        data=json.dumps({"text": text}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-Notification-Id": str(notification.pk),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise DeliveryFailed(f"webhook answered {response.status}")


SENDERS = {Notification.Channel.EMAIL: send_email, Notification.Channel.WEBHOOK: send_webhook}


def deliver(notification_id: int) -> str:
    """Deliver one row if it is still pending: 'delivered', 'skipped', or DeliveryFailed."""
    error = ""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.state != Notification.State.PENDING:
            return "skipped"
        notification.attempts += 1
        try:
            SENDERS[notification.channel](notification)
        except Exception as exc:  # any failure of the outside world: record it, try again
            error = f"{type(exc).__name__}: {exc}"[:2000]
            notification.last_error = error
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.state = Notification.State.FAILED
        else:
            notification.state = Notification.State.DELIVERED
            notification.delivered_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["attempts", "state", "delivered_at", "last_error"])
    if error:
        raise DeliveryFailed(error)
    return "delivered"


def enqueue_delivery(notification_id: int) -> None:
    """Queue a delivery; a broker that is down only delays it (the sweeper re-queues)."""
    from workflow.tasks import deliver_notification

    try:
        deliver_notification.apply_async((notification_id,))
    except Exception:  # broker unreachable, or an in-process delivery that failed
        log.warning(
            "Notification %s not queued now; the sweeper will retry", notification_id, exc_info=True
        )
