"""Celery beat's heartbeat: the scheduler records when it last ticked, /readyz reports it.

A dead beat is silent: nothing fails, the CtF expiry warnings, triage reminders, access
expiry and the notification sweeper simply stop. So beat writes its last tick (at most once
every HEARTBEAT_SECONDS) into the database every process reads, and `/readyz` shows it as
`last_tick`, "late" once it is older than SCHEDULER_LATE_SECONDS (portal/ops.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)

BEAT = "beat"
# Often enough that a tick is never older than a minute while beat lives; beat's own loop
# wakes at least every CELERY_BEAT_MAX_LOOP_INTERVAL (30 s) to give us the chance.
HEARTBEAT_SECONDS = 20


def record_tick(name: str = BEAT) -> None:
    """Now is the last tick of `name`."""
    from portal.models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def last_tick(name: str = BEAT) -> dt.datetime | None:
    from portal.models import Heartbeat

    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def state(at: dt.datetime | None) -> str:
    """"ok", "late" or "never ticked": what a last tick at `at` says about the scheduler."""
    if at is None:
        return "never ticked"
    late = timezone.now() - at > dt.timedelta(seconds=settings.SCHEDULER_LATE_SECONDS)
    return "late" if late else "ok"


class HeartbeatScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, recording each tick (never failing beat for it)."""

    _beat_at = 0.0

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        if time.monotonic() - self._beat_at >= HEARTBEAT_SECONDS:
            try:
                close_old_connections()  # beat lives for weeks; the database may have gone
                record_tick()
            except Exception:  # a database outage must not stop the schedule itself
                log.warning("beat could not record its tick", exc_info=True)
            else:
                self._beat_at = time.monotonic()
        return delay
