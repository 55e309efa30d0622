from django.contrib import admin

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from workflow.admin import StatusReadOnlyAdmin


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "funded", "onboarded")
    list_filter = ("funded", "onboarded")
    search_fields = ("name", "members__username")
    filter_horizontal = ("members",)


@admin.register(Epic)
class EpicAdmin(StatusReadOnlyAdmin):
    list_display = ("title", "team", "status", "requires_new_ctf", "production_at")
    list_filter = ("status", "requires_new_ctf", "team")
    search_fields = ("title", "team__name")
    readonly_fields = ("cyber_compliant_by", "cyber_compliant_at", "production_at")


@admin.register(Story)
class StoryAdmin(StatusReadOnlyAdmin):
    list_display = ("title", "epic", "board", "status", "assignee")
    list_filter = ("board", "status")
    search_fields = ("title", "epic__title")
    readonly_fields = ("epic", "ticket", "board", "assignee")


@admin.register(Document)
class DocumentAdmin(StatusReadOnlyAdmin):
    list_display = ("epic", "kind", "status", "signed_on", "expires_on")
    list_filter = ("kind", "status")
    search_fields = ("epic__title", "original_name")
    readonly_fields = ("file", "size", "sha256", "uploaded_by", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False  # uploads go through the portal or the API, which check the PDF


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("epic", "impact_level", "created_at")
    list_filter = ("impact_level",)

    def has_add_permission(self, request):
        return False  # recorded when a pipeline story completes


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("epic", "tag", "source", "created_by", "created_at")
    list_filter = ("source",)
    search_fields = ("tag", "epic__title")

    def has_add_permission(self, request):
        return False  # recorded through release_create, which checks production
