from django.contrib import admin

from requests_app.models import Ticket
from workflow.admin import StatusReadOnlyAdmin


@admin.register(Ticket)
class TicketAdmin(StatusReadOnlyAdmin):
    list_display = ("pk", "title", "team", "request_type", "impact_level", "status", "created_at")
    list_filter = ("status", "request_type", "impact_level")
    search_fields = ("title", "application_name", "team__name")
    readonly_fields = (
        "team",
        "epic",
        "request_type",
        "impact_level",
        "created_by",
        "epic_status_before",
        "rejection_reason",
    )

    def has_add_permission(self, request):
        return False  # filing goes through ticket_file, which checks every gate
