from django.contrib import admin

from workflow.delivery import enqueue_delivery
from workflow.models import AccessRequest, AuditEvent, EmailOptOut, Notification, Webhook


class StatusReadOnlyAdmin(admin.ModelAdmin):
    """Statuses change only through workflow/services.py, never by editing the field."""

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "status", "status_changed_at")


@admin.register(AccessRequest)
class AccessRequestAdmin(StatusReadOnlyAdmin):
    list_display = ("user", "status", "decided_by", "created_at")
    list_filter = ("status",)
    search_fields = ("user__username", "justification")
    readonly_fields = ("user", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nothing edits or deletes it."""

    list_display = (
        "created_at",
        "actor_name",
        "action",
        "object_repr",
        "from_status",
        "to_status",
        "outcome",
        "client_address",
    )
    list_filter = ("outcome", "action", "content_type")
    search_fields = ("actor_name", "object_repr", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Mattermost / Slack-compatible incoming webhooks: one per team, one per role."""

    list_display = ("name", "team", "role", "active", "url")
    list_filter = ("active", "role")
    search_fields = ("name", "team__name", "url")


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "event_type")
    search_fields = ("user__username", "event_type")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was sent to whom, how many attempts, the last error."""

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
    actions = ["deliver_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Queue the delivery of the selected pending notifications again")
    def deliver_again(self, request, queryset):
        pending = queryset.filter(state=Notification.State.PENDING)
        for pk in pending.values_list("pk", flat=True):
            enqueue_delivery(pk)
        self.message_user(request, f"{pending.count()} notification(s) queued again.")
