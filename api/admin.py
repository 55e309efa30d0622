"""The admin of API tokens: who has one, since and until when, and a "Revoke" action.

A token's secret is nowhere to be read, here or in the database (api/tokens.py): the admin
shows its prefix, never its digest, and makes none (a token is given only to whoever signs
in for it). Nothing is deleted: a token ends by being revoked, audited.
"""

from __future__ import annotations

from django.contrib import admin, messages

from api import tokens
from api.models import ApiToken
from workflow.admin import KeptForever


@admin.register(ApiToken)
class ApiTokenAdmin(KeptForever):
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at", "state")
    list_filter = ("created_at", "expires_at", "revoked_at")
    search_fields = ("user__username", "prefix")
    list_select_related = ("user",)
    fields = ("user", "prefix", "created_at", "expires_at", "revoked_at", "state")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list (and its action) for those who may change tokens; a token's own page
        # shows it read-only, to them too.
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Revoke the selected API tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = tokens.revoke_by_admin(queryset, by=request.user)
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
