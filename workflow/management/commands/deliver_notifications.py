"""Deliver what is still pending, now: the sweeper of Celery beat, run by hand.

Useful with the embedded default (no REDIS_URL), where delivery runs in-process and a
failed delivery waits for the next sweep.
"""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from workflow.tasks import sweep_undelivered


class Command(BaseCommand):
    help = "Queue (or, without Redis, run) the delivery of every pending notification."

    def handle(self, *args, **options):
        with override_settings(NOTIFICATION_RETRY_AFTER_SECONDS=0):
            count = sweep_undelivered()
        self.stdout.write(f"{count} pending notification(s) queued for delivery.")
