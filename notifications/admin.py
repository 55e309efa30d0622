"""The notifications in the admin: webhooks, e-mail choices, and the outbox (read-only,
with an action to queue a delivery again)."""

from django.contrib import admin
from django.db import models

from notifications.models import EmailOptOut, Notification, Webhook
from notifications.send_again import send_again
from workflow.admin import KeptForever


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Mattermost / Slack-compatible incoming webhooks: one per team, one per role."""

    list_display = ("name", "team", "role", "active", "url")
    list_filter = ("active", "role")
    search_fields = ("name", "team__name", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "event_type")
    list_filter = ("event_type",)
    search_fields = ("user__username", "event_type")


@admin.register(Notification)
class NotificationAdmin(KeptForever):
    """The outbox: what was sent to whom, how many attempts, the last error. Kept: it is
    the evidence of who was told what."""

    list_display = (
        "created_at",
        "event_type",
        "channel",
        "recipient",
        "address",
        "state",
        "attempts",
    )
    list_filter = ("state", "channel", "event_type")
    search_fields = ("subject", "recipient__username", "address", "event_key")
    actions = ["send_again_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again the selected undelivered notifications (audited)")
    def send_again_now(self, request, queryset):
        count = send_again(queryset, by=request.user)
        self.message_user(request, f"{count} notification(s) queued to be sent again.")
