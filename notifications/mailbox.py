"""The development mailbox: with DEBUG on and no mail relay (EMAIL_HOST) or EMAIL_BACKEND
given, the e-mails the portal sends are written to EMAIL_FILE_PATH (var/mail/), one `.eml`
file each, and listed for administrators at /dev/mailbox/, newest first, instead of being
printed over the server's output. Anywhere else the page is a 404: production mail goes
through the relay, and a mailbox of it would be a copy of everyone's mail.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

SHOWN = 200  # the newest messages listed; the folder keeps them all


def folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class MailboxBackend(BaseEmailBackend):
    """Each message as an .eml file named so that names sort by time."""

    def send_messages(self, email_messages) -> int:
        target = folder()
        target.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            (target / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


@dataclass(frozen=True)
class Received:
    name: str
    sent: object
    sender: str
    to: str
    subject: str
    body: str


def received(limit: int = SHOWN) -> list[Received]:
    """The newest `limit` messages of the mailbox, newest first."""
    if not folder().is_dir():
        return []
    files = sorted(folder().glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def _read(path: Path) -> Received:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))
    return Received(
        name=path.name,
        sent=parsedate_to_datetime(message["Date"]) if message["Date"] else None,
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        body=part.get_content() if part is not None else "",
    )


@login_required
@require_http_methods(["GET"])
def mailbox(request):
    if not (settings.DEBUG and isinstance(get_connection(), MailboxBackend)):
        raise Http404("The development mailbox is only there in development.")
    if not request.user.is_superuser:
        raise PermissionDenied("The development mailbox is for administrators.")
    return render(
        request,
        "notifications/mailbox.html",
        {"messages_received": received(), "folder": folder(), "shown": SHOWN},
    )
