"""What the API shows of each resource (API.md, "Resources"): objects fetched through
workflow/selectors.py, read-only."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from api.serializers.fields import (
    ImpactLevelListField,
    UTCDateTimeField,
    display_field,
    username_field,
)
from api.serializers.transitions import TransitionsField
from epics.models import Document, Epic, Release, Story, Team
from requests_app.models import Ticket
from workflow import forecast as forecasting
from workflow.models import AccessRequest
from workflow.service_levels import triage_clocks


# An object with a status machine: its status's label, and what the caller could do next.
# (The shared shapes are described in comments: drf-spectacular would show a base class's
# docstring as the description of every resource built on it.)
class WorkflowObjectSerializer(serializers.ModelSerializer):
    status_display = display_field("status")
    transitions = TransitionsField()


# One that someone decides on (a document verified or rejected, access approved or denied):
# who decided, and when.
class DecidedObjectSerializer(WorkflowObjectSerializer):
    decided_by = username_field(allow_null=True)
    decided_at = UTCDateTimeField(allow_null=True)


class TeamSerializer(serializers.ModelSerializer):
    members = username_field(many=True, help_text="Usernames of the team's members.")

    class Meta:
        model = Team
        fields = ["id", "name", "funded", "onboarded", "members"]


class EpicSerializer(WorkflowObjectSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    cyber_compliant = serializers.BooleanField(read_only=True)
    cyber_compliant_by = username_field(allow_null=True)
    cyber_compliant_at = UTCDateTimeField(allow_null=True)
    has_production = serializers.BooleanField(read_only=True)
    production_at = UTCDateTimeField(allow_null=True)
    repository_url = serializers.CharField(
        read_only=True,
        help_text="The GitLab project whose tag pushes record releases of the epic; empty when "
        "none is set.",
    )
    created_at = UTCDateTimeField()

    class Meta:
        model = Epic
        fields = [
            "id",
            "team",
            "team_name",
            "title",
            "status",
            "status_display",
            "requires_new_ctf",
            "cyber_compliant",
            "cyber_compliant_by",
            "cyber_compliant_at",
            "has_production",
            "production_at",
            "repository_url",
            "created_at",
            "transitions",
        ]
        read_only_fields = fields


class DocumentSerializer(DecidedObjectSerializer):
    kind_display = display_field("kind")
    impact_levels = ImpactLevelListField(child=serializers.CharField(), read_only=True)
    uploaded_by = username_field()
    uploaded_at = UTCDateTimeField()
    file = serializers.SerializerMethodField(help_text="Where to download the PDF.")
    renewal_due = serializers.BooleanField(
        read_only=True,
        help_text="A CtF letter due for renewal (a pipeline was added to its epic): it still "
        "counts until it expires or is superseded.",
    )
    superseded_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The newer verified CtF letter that replaced it."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "epic",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "signed_on",
            "expires_on",
            "impact_levels",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "renewal_due",
            "superseded_by",
            "file",
            "transitions",
        ]
        read_only_fields = fields

    def get_file(self, document) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:document-file", kwargs={"pk": document.pk})
        )


def _with_clocks_and_forecasts(tickets: list[Ticket]) -> list[Ticket]:
    """Each ticket with its triage clock and its forecast, computed for all of them at once
    (two queries each), not ticket by ticket."""
    clocks, forecasts = triage_clocks(tickets), forecasting.forecasts(tickets)
    for ticket in tickets:
        ticket.triage_clock, ticket.predicted = clocks[ticket.pk], forecasts[ticket.pk]
    return tickets


class TicketListSerializer(serializers.ListSerializer):
    """A page of tickets, their clocks and forecasts read for the whole page."""

    def to_representation(self, data):
        tickets = list(data.all() if hasattr(data, "all") else data)
        return super().to_representation(_with_clocks_and_forecasts(tickets))


class ForecastSerializer(serializers.Serializer):
    p50 = serializers.DateField(read_only=True, help_text="Half were done by this date.")
    p85 = serializers.DateField(read_only=True, help_text="85% were done by this date.")


class TicketSerializer(WorkflowObjectSerializer):
    request_type_display = display_field("request_type")
    created_by = username_field()
    created_at = UTCDateTimeField()
    stories = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the stories this ticket opened."
    )
    classified_story = serializers.SerializerMethodField(
        help_text="Id of its story on the Classified Ops board (IL6), or null."
    )
    triage_due_at = UTCDateTimeField(
        source="triage_clock.due_at",
        allow_null=True,
        help_text="When it is due for triage: filing + the triage goal in business hours + "
        "the business time it spent in Needs Info. Null once it has left triage.",
    )
    overdue = serializers.BooleanField(
        source="triage_clock.overdue",
        read_only=True,
        help_text="In Submitted past its triage due time.",
    )
    forecast = ForecastSerializer(
        source="predicted",
        read_only=True,
        allow_null=True,
        help_text=f"{forecasting.METHOD} Null for a closed ticket, or with fewer than "
        f"{forecasting.FORECAST_MINIMUM} such requests finished.",
    )

    class Meta:
        model = Ticket
        list_serializer_class = TicketListSerializer
        fields = [
            "id",
            "team",
            "epic",
            "request_type",
            "request_type_display",
            "impact_level",
            "title",
            "description",
            "application_name",
            "status",
            "status_display",
            "rejection_reason",
            "created_by",
            "created_at",
            "stories",
            "classified_story",
            "transitions",
            "triage_due_at",
            "overdue",
            "forecast",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if not hasattr(instance, "triage_clock"):  # one ticket (a page sets them all)
            _with_clocks_and_forecasts([instance])
        return super().to_representation(instance)

    def get_classified_story(self, ticket) -> int | None:
        # From the prefetched stories: no query per ticket.
        return next(
            (s.pk for s in ticket.stories.all() if s.board == Story.Board.CLASSIFIED_OPS), None
        )


class StorySerializer(WorkflowObjectSerializer):
    board_display = display_field("board")
    assignee = username_field(allow_null=True)
    created_at = UTCDateTimeField()

    class Meta:
        model = Story
        fields = [
            "id",
            "epic",
            "ticket",
            "board",
            "board_display",
            "title",
            "status",
            "status_display",
            "assignee",
            "created_at",
            "transitions",
        ]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    created_by = username_field(
        allow_null=True, help_text="Username; null for a tag pushed to GitLab."
    )
    created_at = UTCDateTimeField()

    class Meta:
        model = Release
        fields = ["id", "epic", "tag", "source", "created_by", "created_at"]
        read_only_fields = fields


class AccessRequestSerializer(DecidedObjectSerializer):
    user = username_field()
    created_at = UTCDateTimeField()

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "user",
            "justification",
            "status",
            "status_display",
            "decided_by",
            "decided_at",
            "reason",
            "expires_on",
            "created_at",
            "transitions",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "reason": {"help_text": "Why it was denied or revoked (empty otherwise)."},
            "expires_on": {"help_text": "The last day an approval gives access (portal time)."},
        }
