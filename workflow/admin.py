"""The admin: every model, with its filters and search.

Statuses are never edited: the status field is read-only in every change form, and each
transition of workflow/actions.py is an admin action that takes it through its service for
every selected object (the service checks the role, the status and the gates, audits the
refusals, and the admin reports each one). The audit trail cannot be added to, changed or
deleted here.

Nothing is deleted (WORKFLOWS.md, "Evidence that holds up"): the site offers no bulk
"Delete selected", and every admin of evidence is `KeptForever` (no delete page, no delete
button). What ends has a status, taken through its transition.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse

from workflow.actions import ACTIONS, Action
from workflow.audit import record
from workflow.errors import Refusal
from workflow.models import AccessRequest, AuditEvent, ClosureDay
from workflow.permissions import CLASSIFIED_OPS, DEVOPS
from workflow.selectors import Requested, as_id

PARAMS_TEMPLATE = "admin/transition_params.html"

# No bulk delete anywhere in the admin, whatever the model.
admin.site.disable_action("delete_selected")


NOTHING_DELETED = "Nothing is deleted: what ends has a status, taken through its transition."


class KeptForever(admin.ModelAdmin):
    """Never deleted through the admin, not even by a superuser: its delete page answers 403
    and no delete is offered (the models' PROTECT foreign keys refuse it on every other path).
    An attempt (the delete page, or a bulk delete posted anyway) is an audited refusal."""

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        _refused_delete(request, self.model, [object_id])
        return super().delete_view(request, object_id, extra_context)  # 403

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and request.POST.get("action") == "delete_selected":
            chosen = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)[:100]
            _refused_delete(request, self.model, chosen)  # "No action selected": nothing done
        return super().changelist_view(request, extra_context)


def _refused_delete(request, model, object_ids) -> None:
    for object_id in object_ids:
        record(
            by=request.user,
            obj=Requested(as_id(object_id)),
            model=model,
            action="delete",
            refused=True,
            reason=NOTHING_DELETED,
            detail={"status_code": 403, "via": "admin"},
        )


class TransitionParamsForm(forms.Form):
    """The parameters a transition takes (workflow/actions.py `params`), asked for on an
    intermediate page before it runs."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why.")
    # Text, not a number field: the service is the one place that checks the range.
    days = forms.CharField(
        required=False, help_text="Days of access from today (1 to 365); empty for the default."
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        help_text="What the team should answer (it becomes a comment they see).",
    )
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        help_text="A DevOps engineer (a Classified Ops member for a Classified Ops story).",
    )

    def __init__(self, *args, takes: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(takes):
            del self.fields[name]
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = (
                get_user_model()
                .objects.filter(is_active=True, groups__name__in=(DEVOPS, CLASSIFIED_OPS))
                .distinct()
                .order_by("username")
            )


def _run_transition(modeladmin, request, queryset, action: Action):
    """Take `action` for each selected object through its service; report every outcome."""
    params = {}
    if action.params:
        applying = "apply" in request.POST
        form = TransitionParamsForm(request.POST if applying else None, takes=action.params)
        if not (applying and form.is_valid()):
            objects = list(queryset)
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": f"{action.label}: {len(objects)} {modeladmin.opts.verbose_name_plural}",
                "opts": modeladmin.opts,
                "action": action,
                "action_name": request.POST.get("action", ""),
                "objects": objects,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": modeladmin.media,
            }
            return TemplateResponse(request, PARAMS_TEMPLATE, context)
        params = form.cleaned_data
    done = []
    for obj in queryset:
        try:
            action.perform(obj, request.user, **params)
        except Refusal as refusal:
            modeladmin.message_user(
                request, f"{obj}: not done ({action.label}): {refusal.detail}", messages.ERROR
            )
        else:
            done.append(str(obj))
    if done:
        modeladmin.message_user(
            request, f"{action.label}: done for {', '.join(done)}.", messages.SUCCESS
        )
    return None


def _transition_action(action: Action):
    def run(modeladmin, request, queryset):
        return _run_transition(modeladmin, request, queryset, action)

    run.__name__ = f"transition_{action.name}"
    return run


class StatusReadOnlyAdmin(KeptForever):
    """Statuses change only through workflow/services.py, never by editing the field: each
    transition the model has in workflow/actions.py is offered as an admin action."""

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "status", "status_changed_at")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions  # a view-only admin takes no transitions
        for action in ACTIONS.get(self.model, ()):
            run = _transition_action(action)
            asks = " (asks for " + ", ".join(action.params) + ")" if action.params else ""
            actions[run.__name__] = (run, run.__name__, f"{action.label}{asks}")
        return actions


@admin.register(AccessRequest)
class AccessRequestAdmin(StatusReadOnlyAdmin):
    list_display = ("user", "status", "expires_on", "decided_by", "created_at")
    list_filter = ("status",)
    search_fields = ("user__username", "justification")
    # Everything: a grant changes only through its transitions (audited), never by an edit
    # (extending `expires_on` by hand would give access no one approved).
    readonly_fields = (
        "user",
        "justification",
        "decided_by",
        "decided_at",
        "reason",
        "expires_on",
        "reminded_at",
    )
    list_select_related = ("user", "decided_by")

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(KeptForever):
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
    search_fields = ("actor_name", "object_repr", "object_id", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosureDay)
class ClosureDayAdmin(KeptForever):
    """Closure days, read-only: MDO PMs record and withdraw them on their page (/closures/),
    through the service that audits each."""

    list_display = ("date", "reason", "recorded_by", "created_at", "withdrawn_at")
    list_filter = ("withdrawn_at",)
    search_fields = ("reason",)
    list_select_related = ("recorded_by", "withdrawn_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class LogEntryAdmin(KeptForever):
    """What was changed through the admin itself (Django's own log), read-only like the
    audit trail."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
