from django.contrib import admin

from requests_app.models import Comment, CommentAttachment, Ticket
from workflow.admin import KeptForever, StatusReadOnlyAdmin


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


class ReadOnly(KeptForever):
    """Shown, never added, changed or deleted here: comments are written through the
    conversation (workflow/services/comments.py) and never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentAttachmentInline(admin.TabularInline):
    model = CommentAttachment
    fields = ("name", "size", "content_type", "file")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ("pk", "ticket", "author", "kind", "internal", "created_at")
    list_filter = ("internal", "kind")
    search_fields = ("=id", "=ticket__id", "body", "author__username")
    list_select_related = ("ticket", "author")
    date_hierarchy = "created_at"
    inlines = [CommentAttachmentInline]


@admin.register(CommentAttachment)
class CommentAttachmentAdmin(ReadOnly):
    list_display = ("pk", "name", "comment", "size", "content_type")
    list_filter = ("content_type",)
    search_fields = ("=id", "name", "=comment__id", "=comment__ticket__id")
    list_select_related = ("comment",)
