"""The channels a notification leaves the portal by: e-mail (Django's mail, SMTP in
production) and Mattermost / Slack-compatible incoming webhooks. Each sender raises on any
failure; notifications/delivery.py decides what happens then.

E-mails carry a Message-ID and webhook posts an X-Notification-Id made from the row, so a
receiver can tell a repeat.

What people typed goes out harmless (notifications/neutral.py): an e-mail's subject on one
line of bounded length, whatever an old title holds; a post's subject and body as literal
text, with only the portal's own bold and link around them.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.models import Notification
from notifications.neutral import for_mattermost, one_line

# An e-mail subject's length at most, "[MDO Portal] " included (RFC 5322 asks for 78 a line;
# a longer subject is folded, never refused).
SUBJECT_LENGTH = 200


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
        subject=one_line(f"[MDO Portal] {notification.subject}", SUBJECT_LENGTH),
        body=_text(notification),
        to=[notification.address],
        headers={"Message-ID": f"<notification-{notification.pk}@mdo-portal>"},
        connection=connection,
    ).send()


def send_webhook(notification: Notification) -> None:
    """Mattermost / Slack-compatible incoming webhook: JSON with `text`, the subject in bold,
    the body, the link; subject and body as literal text."""
    link = _full_url(notification)
    subject, body = for_mattermost(notification.subject), for_mattermost(notification.body)
    text = f"**{subject}**\n{body}" + (f"\n{link}" if link else "")
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
