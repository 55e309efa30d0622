"""Undelivered notifications, for MDO PMs and administrators: what was given up (failed)
and what is still being retried, with "Send again" (notifications/send_again.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from notifications.models import Notification
from notifications.send_again import send_again
from workflow.permissions import MDO_PM, has_role

TEMPLATE = "notifications/undelivered.html"


def may_see_undelivered(user) -> bool:
    return has_role(user, MDO_PM) or user.is_superuser


def undelivered_rows():
    """Failed rows first, then those being retried (attempted, still pending)."""
    return (
        Notification.objects.filter(
            state__in=[Notification.State.FAILED, Notification.State.PENDING], attempts__gt=0
        )
        .select_related("recipient")
        .order_by("state", "created_at", "pk")  # "failed" sorts before "pending"
    )


@login_required
@require_http_methods(["GET", "POST"])
def undelivered(request):
    if not may_see_undelivered(request.user):
        raise PermissionDenied("Only MDO PMs and administrators see undelivered notifications.")
    rows = undelivered_rows()
    if request.method == "POST":
        chosen = rows.filter(state=Notification.State.FAILED)
        if ids := request.POST.getlist("notification"):
            chosen = rows.filter(pk__in=[pk for pk in ids if pk.isdigit()])
        count = send_again(chosen, by=request.user)
        messages.success(request, f"{count} notification(s) are being sent again.")
        return redirect("notifications_undelivered")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    failed = rows.filter(state=Notification.State.FAILED).count()
    return render(request, TEMPLATE, {"page": page, "failed": failed, "nav": "notifications"})
