"""The portal's own admin: SSO identities, and the people and roles of Django's auth, kept
like the evidence they stand behind (no delete: a person leaves by being made inactive, and
what they did stays theirs in the audit trail). A superuser unlocks a locked sign-in here
("Unlock sign-in", asking why), and a password set here unlocks it too: both audited."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from portal import auth
from portal.models import SsoIdentity
from workflow.actions import Action
from workflow.admin import KeptForever, _run_transition


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


# Run like a transition: the intermediate page asks for the reason, each refusal is reported.
UNLOCK_SIGN_IN = Action(
    "unlock", "Unlock sign-in", None, auth.account_unlock, subject="user", params=("reason",)
)

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class PortalUserAdmin(KeptForever, UserAdmin):
    """People are made inactive, never deleted: their name stays on what they did."""

    actions = ["unlock"]

    @admin.action(description="Unlock sign-in (asks for reason)", permissions=["unlock"])
    def unlock(self, request, queryset):
        """portal.auth.account_unlock for each chosen user, after asking why."""
        return _run_transition(self, request, queryset, UNLOCK_SIGN_IN)

    def has_unlock_permission(self, request):
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        # The unlock a new password makes is audited as this administrator's.
        with auth.acting_as(request.user):
            return super().user_change_password(request, id, form_url)


@admin.register(Group)
class RoleAdmin(KeptForever, GroupAdmin):
    """The roles (workflow/permissions.py) are made by migrations: none is deleted."""
