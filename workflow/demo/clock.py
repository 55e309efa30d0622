"""The demo's clock: the services run as they always do, with the time moved back.

Inside `DemoClock.running()`, `django.utils.timezone.now` (which every service, the audit
trail, `auto_now_add` fields and `timezone.localdate()` read) answers the clock's moment,
and an object created meanwhile starts its "time in this status" then (the `StateMachine`
default, bound when the model was defined, is not read through the patched name). The
moment moves only when the demo says so (`advance`), never past the real now: history is
made in order, deterministically, and ends today.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.db.models.signals import pre_save
from django.utils import timezone

from workflow.fsm import StateMachine

_real_now = timezone.now


class DemoClock:
    def __init__(self):
        self.real = _real_now()
        self.moment = self.real

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.moment = min(moment, self.real)
        return self.moment

    def days_ago(self, days: float, hour: int = 9, minute: int = 0) -> dt.datetime:
        """`days` before the real today, at `hour`:`minute` in the portal's time zone."""
        day = timezone.localdate(self.real) - dt.timedelta(days=days)
        local = dt.datetime.combine(day, dt.time(hour, minute))
        return self.set(timezone.make_aware(local))

    def advance(self, **delta) -> dt.datetime:
        return self.set(self.moment + dt.timedelta(**delta))

    @contextmanager
    def running(self):
        def started_now(sender, instance, **kwargs):
            if isinstance(instance, StateMachine) and instance._state.adding:
                instance.status_changed_at = self.moment

        pre_save.connect(started_now, dispatch_uid="demo-clock")
        try:
            with mock.patch("django.utils.timezone.now", self.now):
                yield self
        finally:
            pre_save.disconnect(dispatch_uid="demo-clock")
