"""The portal's own admin: SSO identities, and the people and roles of Django's auth, kept
like the evidence they stand behind (no delete: a person leaves by being made inactive, and
what they did stays theirs in the audit trail)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from portal.models import SsoIdentity
from workflow.admin import KeptForever


@admin.register(SsoIdentity)
class SsoIdentityAdmin(KeptForever):
    """Read-only: identities are made and updated by signing in with SSO."""

    list_display = ["user", "subject", "issuer", "last_sign_in_at"]
    search_fields = ["user__username", "user__email", "subject"]
    list_filter = ["issuer"]
    readonly_fields = ["user", "issuer", "subject", "groups", "created_at", "last_sign_in_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class PortalUserAdmin(KeptForever, UserAdmin):
    """People are made inactive, never deleted: their name stays on what they did."""


@admin.register(Group)
class RoleAdmin(KeptForever, GroupAdmin):
    """The roles (workflow/permissions.py) are made by migrations: none is deleted."""
