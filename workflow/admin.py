from django.contrib import admin

from workflow.models import AccessRequest, AuditEvent


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
