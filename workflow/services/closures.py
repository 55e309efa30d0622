"""Closure days: the days besides the federal holidays on which MDO is closed, recorded and
withdrawn by MDO PMs. No business time passes on a closure day (workflow/business_hours.py),
so recording one moves every triage due time that crosses it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from workflow.audit import record
from workflow.business_hours import Calendar, federal_holidays
from workflow.errors import Conflict, InvalidInput
from workflow.models import ClosureDay
from workflow.services.runner import audited, locked, require_fit, require_pm, require_text


def _open_day(day) -> dt.date:
    if not isinstance(day, dt.date):
        raise InvalidInput({"date": ["Give the day MDO is closed (YYYY-MM-DD)."]})
    calendar = Calendar()
    if day.weekday() not in calendar.workdays:
        raise InvalidInput({"date": [f"{day:%A} {day} is not a working day anyway."]})
    if day in federal_holidays(day.year):
        raise InvalidInput({"date": [f"{day} is a federal holiday: already closed."]})
    if ClosureDay.objects.in_force().filter(date=day).exists():
        raise InvalidInput({"date": [f"{day} is already recorded as a closure day."]})
    return day


@audited("record_closure", model=ClosureDay)
def closure_day_record(*, by, date: dt.date, reason: str) -> ClosureDay:
    require_pm(by, "record closure days")
    reason = require_text(reason, "reason", "Say why MDO is closed that day.")
    require_fit(ClosureDay, reason=reason)
    day = _open_day(date)
    try:
        with transaction.atomic():  # someone recording the same day at the same moment
            closure = ClosureDay.objects.create(date=day, reason=reason, recorded_by=by)
    except IntegrityError:
        raise InvalidInput({"date": [f"{day} is already recorded as a closure day."]}) from None
    record(by=by, obj=closure, action="record_closure", detail={"date": date.isoformat()})
    return closure


@audited("withdraw_closure", subject="closure")
def closure_day_withdraw(*, by, closure: ClosureDay) -> ClosureDay:
    """A closure recorded by mistake stops counting; it stays, marked withdrawn."""
    require_pm(by, "withdraw closure days")
    closure = locked(ClosureDay, closure.pk)
    if closure.withdrawn_at is not None:
        raise Conflict(f"The closure of {closure.date} is already withdrawn.")
    closure.withdrawn_by, closure.withdrawn_at = by, timezone.now()
    closure.save(update_fields=["withdrawn_by", "withdrawn_at"])
    record(
        by=by, obj=closure, action="withdraw_closure", detail={"date": closure.date.isoformat()}
    )
    return closure
