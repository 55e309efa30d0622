"""The in-app notifications: the bell, the list, marking read, and e-mail choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from notifications import inbox as notifications
from portal.http import safe_next

LIST_TEMPLATE = "notifications/list.html"


@login_required
@require_http_methods(["GET"])
def notification_list(request):
    inbox = notifications.inbox_of(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        inbox = inbox.filter(read_at__isnull=True)
    page = Paginator(inbox, 30).get_page(request.GET.get("page"))
    return render(
        request,
        LIST_TEMPLATE,
        {"page": page, "unread_only": unread_only, "nav": "notifications"},
    )


@login_required
@require_http_methods(["GET"])
def bell(request):
    """The bell alone, which the page polls to keep its count current."""
    return render(request, f"{LIST_TEMPLATE}#bell")


@login_required
@require_http_methods(["POST"])
def mark_read(request, pk=None):
    """Mark one notification (or all) read; HTMX gets the item back and the bell updated."""
    inbox = notifications.inbox_of(request.user)
    notification = get_object_or_404(inbox, pk=pk) if pk is not None else None
    notifications.mark_read(request.user, None if pk is None else [pk])
    if request.htmx and notification is not None:
        notification.refresh_from_db()
        return render(request, f"{LIST_TEMPLATE}#item", {"notification": notification})
    return redirect(safe_next(request, reverse("notifications")))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        notifications.set_email_events(request.user, request.POST.getlist("email"))
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"choices": notifications.email_choices(request.user), "nav": "notifications"},
    )
