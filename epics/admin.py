from contextlib import suppress

from django import forms
from django.contrib import admin
from django.http import Http404

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from workflow import selectors
from workflow.admin import KeptForever, StatusReadOnlyAdmin
from workflow.gitlab import normalize_repository_url
from workflow.permissions import has_classified_access


@admin.register(Team)
class TeamAdmin(KeptForever):
    list_display = ("name", "funded", "onboarded")
    list_filter = ("funded", "onboarded")
    search_fields = ("name", "members__username")
    filter_horizontal = ("members",)


class HasProductionFilter(admin.SimpleListFilter):
    title = "production"
    parameter_name = "production"

    def lookups(self, request, model_admin):
        return [("yes", "Has production"), ("no", "No production yet")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(production_at__isnull=self.value() == "no")
        return queryset


class HasRepositoryFilter(admin.SimpleListFilter):
    title = "GitLab repository"
    parameter_name = "repository"

    def lookups(self, request, model_admin):
        return [("yes", "Set"), ("no", "Not set")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(repository_url="")
        if self.value() == "no":
            return queryset.filter(repository_url="")
        return queryset


class EpicAdminForm(forms.ModelForm):
    repository_url = forms.URLField(
        max_length=Epic._meta.get_field("repository_url").max_length,
        required=False,
        assume_scheme="https",
        help_text=Epic._meta.get_field("repository_url").help_text,
    )

    class Meta:
        model = Epic
        fields = "__all__"  # noqa: DJ007 - the admin decides what shows (fieldsets, read-only)

    def clean_repository_url(self):
        # One spelling per project, so the unique constraint sees `…/app/` and `…/app.git`
        # as the same repository.
        return normalize_repository_url(self.cleaned_data["repository_url"])


@admin.register(Epic)
class EpicAdmin(StatusReadOnlyAdmin):
    form = EpicAdminForm
    list_display = (
        "title",
        "team",
        "status",
        "requires_new_ctf",
        "production_at",
        "repository_url",
    )
    list_filter = ("status", "requires_new_ctf", HasProductionFilter, HasRepositoryFilter, "team")
    search_fields = ("title", "team__name", "repository_url")
    readonly_fields = ("cyber_compliant_by", "cyber_compliant_at", "production_at")
    list_select_related = ("team",)


@admin.register(Story)
class StoryAdmin(StatusReadOnlyAdmin):
    list_display = ("title", "epic", "board", "status", "assignee")
    list_filter = ("board", "status", "ticket__request_type")
    search_fields = (
        "title",
        "epic__title",
        "epic__team__name",
        "ticket__title",
        "assignee__username",
    )
    readonly_fields = ("epic", "ticket", "board", "assignee")
    list_select_related = ("epic", "assignee")

    def get_queryset(self, request):
        # The Classified Ops board is seen only with Classified Ops access, here too.
        stories = super().get_queryset(request)
        if has_classified_access(request.user):
            return stories
        return stories.exclude(board=Story.Board.CLASSIFIED_OPS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a Classified Ops story, granted or refused, goes into the audit trail; what
        # the admin shows is decided by get_queryset.
        with suppress(Http404):
            selectors.story_open(request.user, object_id)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Document)
class DocumentAdmin(StatusReadOnlyAdmin):
    list_display = ("epic", "kind", "status", "signed_on", "expires_on", "original_name")
    list_filter = ("kind", "status", "epic__team")
    search_fields = ("epic__title", "epic__team__name", "original_name", "sha256")
    # What was uploaded, and what was verified of it, stays as it was: a change would
    # bypass the verification (a CtF letter covering more levels than the one verified).
    readonly_fields = (
        "epic",
        "kind",
        "file",
        "original_name",
        "size",
        "sha256",
        "signed_on",
        "expires_on",
        "impact_levels",
        "uploaded_by",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "renewal_due_since",
        "renewal_reason",
        "superseded_by",
    )
    list_select_related = ("epic",)

    def has_add_permission(self, request):
        return False  # uploads go through the portal or the API, which check the PDF


@admin.register(Pipeline)
class PipelineAdmin(KeptForever):
    list_display = ("epic", "impact_level", "ticket", "created_at")
    list_filter = ("impact_level", "epic__team")
    search_fields = ("epic__title", "epic__team__name")
    list_select_related = ("epic", "ticket")

    def has_add_permission(self, request):
        return False  # recorded when a pipeline story completes

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Release)
class ReleaseAdmin(KeptForever):
    list_display = ("epic", "tag", "source", "created_by", "created_at")
    list_filter = ("source", "epic__team")
    search_fields = ("tag", "epic__title", "epic__team__name")
    list_select_related = ("epic", "created_by")

    def has_add_permission(self, request):
        return False  # recorded through release_create, which checks production

    def has_change_permission(self, request, obj=None):
        return False
