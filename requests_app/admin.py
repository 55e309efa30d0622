from django.contrib import admin

from requests_app.models import Ticket
from workflow.admin import StatusReadOnlyAdmin


@admin.register(Ticket)
class TicketAdmin(StatusReadOnlyAdmin):
    list_display = ("pk", "title", "team", "request_type", "impact_level", "status", "created_at")
    list_filter = ("status", "request_type", "impact_level", "team")
    search_fields = (
        "=id",
        "title",
        "application_name",
        "description",
        "team__name",
        "epic__title",
        "created_by__username",
    )
    date_hierarchy = "created_at"
    list_select_related = ("team",)
    readonly_fields = (
        "team",
        "epic",
        "request_type",
        "impact_level",
        "application_name",
        "created_by",
        "epic_status_before",
        "rejection_reason",
    )

    def has_add_permission(self, request):
        return False  # filing goes through ticket_file, which checks every gate
