"""Deliver what is undelivered, now: the sweeper of Celery beat, run by hand, without
waiting for any backoff. `--retry-failed` sends the failed rows again too. Audited.

Useful with the embedded default (no REDIS_URL), where delivery runs in-process and a
failed delivery waits for the next sweep, and after an outage that outlasted
NOTIFICATION_GIVE_UP_AFTER.
"""

from django.core.management.base import BaseCommand

from notifications.models import Notification
from notifications.send_again import send_again
from workflow.audit import SYSTEM


class Command(BaseCommand):
    help = (
        "Queue (or, without Redis, run) the delivery of every pending notification now; "
        "with --retry-failed, of every failed one too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Also send again the notifications given up as failed.",
        )

    def handle(self, *args, retry_failed=False, **options):
        states = [Notification.State.PENDING]
        if retry_failed:
            states.append(Notification.State.FAILED)
        count = send_again(
            Notification.objects.filter(state__in=states), by=SYSTEM, action="deliver_now"
        )
        self.stdout.write(f"{count} undelivered notification(s) queued for delivery.")
