"""What a person does with their notifications: the in-app inbox, marking read, and which
event types also come by e-mail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications.models import EmailOptOut, Notification
from notifications.rules import EVENT_TYPES


def inbox_of(user):
    """The user's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count() if user.is_authenticated else 0


def mark_read(user, pks=None) -> int:
    """Mark the user's own notifications read (all of them when `pks` is None)."""
    unread = inbox_of(user).filter(read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def email_choices(user) -> list[tuple[str, str, bool]]:
    """(event type, description, comes by e-mail) for every event type."""
    opted_out = set(EmailOptOut.objects.filter(user=user).values_list("event_type", flat=True))
    return [(key, label, key not in opted_out) for key, label in EVENT_TYPES.items()]


@transaction.atomic
def set_email_events(user, wanted) -> None:
    """Keep e-mail for the `wanted` event types only (the app shows every one anyway)."""
    wanted = set(wanted) & set(EVENT_TYPES)
    EmailOptOut.objects.filter(user=user).exclude(event_type__in=set(EVENT_TYPES) - wanted).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, event_type=key) for key in EVENT_TYPES if key not in wanted],
        ignore_conflicts=True,
    )
