"""The channels a notification leaves the portal by: e-mail (Django's mail, SMTP in
production) and Mattermost / Slack-compatible incoming webhooks. Each sender raises on any
failure; notifications/delivery.py decides what happens then.

E-mails carry a Message-ID and webhook posts an X-Notification-Id made from the row, so a
receiver can tell a repeat.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.models import Notification


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
