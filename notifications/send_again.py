"""Sending undelivered notifications again, by hand: an operator's `deliver_notifications`
(pending rows, now; `--retry-failed`: failed ones too), the admin's "Send again", and the
failed-deliveries page. Each is audited: who, which rows, how many."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import enqueue
from workflow.audit import record

UNDELIVERED = (Notification.State.PENDING, Notification.State.FAILED)


def send_again(notifications, *, by, action: str = "send_again") -> int:
    """Make these undelivered e-mail and webhook rows due at once (a failed one pending
    again, with a fresh allowance of time) and queue them. Returns how many."""
    rows = (
        notifications.filter(state__in=UNDELIVERED)
        .exclude(channel=Notification.Channel.IN_APP)
        .exclude(lease_until__gt=timezone.now())  # being sent right now
    )
    with transaction.atomic():
        chosen = list(rows.select_for_update().values_list("pk", "channel", "state"))
        if not chosen:
            return 0
        failed = [pk for pk, _, state in chosen if state == Notification.State.FAILED]
        Notification.objects.filter(pk__in=[pk for pk, _, _ in chosen]).update(
            state=Notification.State.PENDING, next_attempt_at=None, lease_until=None
        )
        # The time allowed before giving up counts from now, not from when it was written.
        Notification.objects.filter(pk__in=failed).update(sent_again_at=timezone.now())
        record(
            by=by,
            obj=None,
            model=Notification,
            action=action,
            detail={
                "notifications": [pk for pk, _, _ in chosen],
                "failed_before": failed,
            },
            reason=f"{len(chosen)} notification(s) sent again, {len(failed)} of them failed.",
        )
    enqueue([(pk, channel) for pk, channel, _ in chosen])
    return len(chosen)
