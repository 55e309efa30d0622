"""The closure days' page (`/closures/`), for MDO PMs: the days MDO is closed besides the
federal holidays, recorded (a date and why) and withdrawn when recorded by mistake, through
workflow/services/closures.py (each audited). The federal holidays of this year and the
next are listed beside them, for reference: they are closed without being recorded."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portal.http import attempt, private
from portal.pages import guarded
from workflow.business_hours import federal_holidays
from workflow.models import ClosureDay
from workflow.selectors import as_id
from workflow.services.closures import closure_day_record, closure_day_withdraw

PAGE = "closures"
TEMPLATE = "workflow/closures.html"


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None  # the service refuses it, naming the field


def _page(request, *, refused=None, typed: dict | None = None, status: int = 200):
    today = timezone.localdate()
    holidays = sorted(federal_holidays(today.year) | federal_holidays(today.year + 1))
    context = {
        "closures": ClosureDay.objects.filter(date__gte=today.replace(month=1, day=1)),
        "holidays": [day for day in holidays if day >= today],
        "refused": refused,
        "typed": typed or {},
        "nav": PAGE,
    }
    return private(render(request, TEMPLATE, context, status=status))


@guarded(PAGE, ("GET", "POST"))
def closure_days(request):
    """The closure days; a POST records one (`date`, `reason`) or withdraws one (`withdraw`:
    its id)."""
    if request.method == "GET":
        return _page(request)
    user = request.user
    if "withdraw" in request.POST:
        closure = get_object_or_404(ClosureDay, pk=as_id(request.POST["withdraw"]))
        done = attempt(lambda: closure_day_withdraw(by=user, closure=closure))
        notice = f"Withdrawn: {closure.date} counts as a working day again."
    else:
        typed = {"date": request.POST.get("date", ""), "reason": request.POST.get("reason", "")}
        day = _date(typed["date"])
        done = attempt(lambda: closure_day_record(by=user, date=day, reason=typed["reason"]))
        notice = f"Recorded: MDO is closed on {day}; triage due times skip it."
        if done.refused:
            return _page(request, refused=done, typed=typed, status=done.status)
    if done.refused:
        return _page(request, refused=done, status=done.status)
    messages.success(request, notice)
    return redirect("closure_days")
