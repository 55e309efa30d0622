"""What creating or changing a resource accepts. These only parse: they check the input's
shape and turn ids into objects the caller may see; every rule of WORKFLOWS.md stays in
workflow/services/, which names what is wrong."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from api.serializers.fields import (
    BooleanInput,
    ImpactLevelsField,
    LineField,
    ServiceCheckedChoiceField,
    TextField,
    UsernameField,
    VisibleObjectField,
    max_length,
)
from epics.models import Document, Epic, ImpactLevel, Release, Team
from requests_app.models import RequestType, Ticket
from workflow import selectors

User = get_user_model()


def visible_team(**kwargs) -> VisibleObjectField:
    return VisibleObjectField(Team, selectors.teams_for, **kwargs)


def visible_epic(**kwargs) -> VisibleObjectField:
    return VisibleObjectField(Epic, selectors.epics_for, **kwargs)


class TeamInputSerializer(serializers.Serializer):
    name = LineField(
        required=False, allow_blank=True, max_length=max_length(Team, "name")
    )
    funded = BooleanInput(required=False)
    onboarded = BooleanInput(required=False)
    members = UsernameField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Usernames; on PATCH they replace the team's members.",
        error_messages={"does_not_exist": "No user named “{value}”."},
    )


class EpicInputSerializer(serializers.Serializer):
    team = visible_team()
    title = LineField(allow_blank=True, max_length=max_length(Epic, "title"))
    requires_new_ctf = BooleanInput(required=False)


class TicketInputSerializer(serializers.Serializer):
    team = visible_team()
    request_type = ServiceCheckedChoiceField(choices=RequestType.choices)
    impact_level = ServiceCheckedChoiceField(
        choices=ImpactLevel.choices,
        required=False,
        default="",
        help_text="IL2, IL4 or IL5; IL6 for an IL6 production deploy.",
    )
    epic = visible_epic(
        required=False,
        allow_null=True,
        help_text="The team's epic; leave it out for a new CtF (triage opens the epic).",
    )
    title = LineField(
        required=False, allow_blank=True, max_length=max_length(Ticket, "title")
    )
    description = TextField(required=False, allow_blank=True)
    application_name = LineField(
        required=False,
        allow_blank=True,
        max_length=max_length(Ticket, "application_name"),
        help_text="The new application's name (new CtF only): it becomes the epic's title.",
    )


class DocumentInputSerializer(serializers.Serializer):
    epic = visible_epic()
    kind = ServiceCheckedChoiceField(choices=Document.Kind.choices)
    file = serializers.FileField(
        required=False,
        default=None,
        allow_empty_file=True,
        help_text="The signed PDF (10 MB at most), checked by its content.",
    )
    signed_on = serializers.DateField(required=False, default=None, allow_null=True)
    impact_levels = ImpactLevelsField(
        required=False,
        help_text="For a CtF letter, the levels it covers (IL2, IL4, IL5, IL6): repeat the "
        "field, or separate them with commas.",
    )


class ReleaseInputSerializer(serializers.Serializer):
    epic = visible_epic()
    tag = LineField(allow_blank=True, max_length=max_length(Release, "tag"))


class AccessRequestInputSerializer(serializers.Serializer):
    justification = TextField(allow_blank=True)
