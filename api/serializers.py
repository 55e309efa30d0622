"""What the API shows and what it accepts (API.md, "Resources").

Output serializers render objects fetched through workflow/selectors.py. Input serializers
only parse: they check the shape of the input and turn ids into objects the caller may
see; every rule of WORKFLOWS.md stays in workflow/services.py, which names what is wrong.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from epics.models import Document, Epic, ImpactLevel, Release, Story, Team
from requests_app.models import RequestType, Ticket
from workflow import selectors
from workflow.actions import transitions_for
from workflow.models import AccessRequest, AuditEvent

User = get_user_model()

# The largest id the database stores (a 64-bit integer): a larger one names nothing, and
# must not reach the database, where it would not fit.
MAX_ID = 2**63 - 1


# Fields -----------------------------------------------------------------------------------


class UTCDateTimeField(serializers.DateTimeField):
    """Datetimes in UTC, ISO 8601 (`2025-01-31T14:05:09.123456Z`), whatever TIME_ZONE is."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(default_timezone=dt.UTC, **kwargs)


def username_field(**kwargs):
    kwargs.setdefault("help_text", "Username.")
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kwargs)


class GateSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The gate's code, e.g. `team_funded`.")
    message = serializers.CharField(help_text="What holds, or what to do, in a sentence.")


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="POST to `…/transitions/<name>/` to take it.")
    label = serializers.CharField()
    allowed = serializers.BooleanField(help_text="Whether it would succeed now.")
    unmet = GateSerializer(many=True, help_text="Every gate that stands in the way.")
    detail = serializers.CharField(
        required=False, help_text="Present when the object's status stands in the way (409)."
    )


@extend_schema_field(TransitionSerializer(many=True))
class TransitionsField(serializers.Field):
    """What the caller could do next with the object (workflow/actions.py)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return transitions_for(obj, self.context["request"].user)


class VisibleObjectField(serializers.PrimaryKeyRelatedField):
    """The id of an object the caller may see (its selector decides); anything else is a
    field error that neither names nor confirms what the caller may not see."""

    default_error_messages = {
        "does_not_exist": "No {name} {pk_value} that you can see.",
        "incorrect_type": "Give the {name}'s id (a number), not {data_type}.",
    }

    def __init__(self, model, selector, **kwargs):
        self.selector = selector
        self.object_name = model._meta.verbose_name
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", name=self.object_name, data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", name=self.object_name, data_type=f"“{data}”")
        if not 0 < pk <= MAX_ID:
            self.fail("does_not_exist", name=self.object_name, pk_value=pk)
        try:
            return self.get_queryset().get(pk=pk)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", name=self.object_name, pk_value=pk)


class ServiceCheckedChoiceField(serializers.ChoiceField):
    """Shown as an enum in the schema, but any value reaches the service, whose refusal
    says what the choices are (and which ones this request type takes)."""

    def to_internal_value(self, data):
        return str(data).strip()


class ImpactLevelsField(serializers.ListField):
    """Impact levels as a list, as repeated form fields (`impact_levels=IL2&impact_levels=IL4`)
    or comma-separated (`IL2,IL4`); the service refuses unknown ones."""

    child = serializers.CharField()

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return [part.strip() for item in data for part in str(item).split(",") if part.strip()]


class UsernameField(serializers.SlugRelatedField):
    """A user named by username. A name with a NUL character names nobody: refused here,
    before PostgreSQL would refuse the query (as DRF's CharField does)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        return super().to_internal_value(data)


def _max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


# Output ------------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    members = username_field(many=True, help_text="Usernames of the team's members.")

    class Meta:
        model = Team
        fields = ["id", "name", "funded", "onboarded", "members"]


class EpicSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
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
    transitions = TransitionsField()

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


@extend_schema_field(
    {"type": "array", "items": {"$ref": "#/components/schemas/ImpactLevelEnum"}},
)
class ImpactLevelListField(serializers.ListField):
    """Impact levels, shown with the same enum as a ticket's `impact_level`."""


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    impact_levels = ImpactLevelListField(child=serializers.CharField(), read_only=True)
    uploaded_by = username_field()
    uploaded_at = UTCDateTimeField()
    decided_by = username_field(allow_null=True)
    decided_at = UTCDateTimeField(allow_null=True)
    file = serializers.SerializerMethodField(help_text="Where to download the PDF.")
    transitions = TransitionsField()

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
            "file",
            "transitions",
        ]
        read_only_fields = fields

    def get_file(self, document) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:document-file", kwargs={"pk": document.pk})
        )


class TicketSerializer(serializers.ModelSerializer):
    request_type_display = serializers.CharField(source="get_request_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = username_field()
    created_at = UTCDateTimeField()
    stories = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the stories this ticket opened."
    )
    classified_story = serializers.SerializerMethodField(
        help_text="Id of its story on the Classified Ops board (IL6), or null."
    )
    transitions = TransitionsField()

    class Meta:
        model = Ticket
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
        ]
        read_only_fields = fields

    def get_classified_story(self, ticket) -> int | None:
        # From the prefetched stories: no query per ticket.
        return next(
            (s.pk for s in ticket.stories.all() if s.board == Story.Board.CLASSIFIED_OPS), None
        )


class StorySerializer(serializers.ModelSerializer):
    board_display = serializers.CharField(source="get_board_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    assignee = username_field(allow_null=True)
    created_at = UTCDateTimeField()
    transitions = TransitionsField()

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


class AccessRequestSerializer(serializers.ModelSerializer):
    user = username_field()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = username_field(allow_null=True)
    decided_at = UTCDateTimeField(allow_null=True)
    created_at = UTCDateTimeField()
    transitions = TransitionsField()

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
            "created_at",
            "transitions",
        ]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    who = serializers.CharField(source="actor_name", read_only=True, help_text="Username.")
    at = UTCDateTimeField(source="created_at")
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "who",
            "action",
            "from_status",
            "to_status",
            "at",
            "client_address",
            "outcome",
            "reason",
            "detail",
        ]
        read_only_fields = fields


# Input ---------------------------------------------------------------------------------------


class TeamInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=_max_length(Team, "name")
    )
    funded = serializers.BooleanField(required=False)
    onboarded = serializers.BooleanField(required=False)
    members = UsernameField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Usernames; on PATCH they replace the team's members.",
        error_messages={"does_not_exist": "No user named “{value}”."},
    )


class EpicInputSerializer(serializers.Serializer):
    team = VisibleObjectField(Team, selectors.teams_for)
    title = serializers.CharField(allow_blank=True, max_length=_max_length(Epic, "title"))
    requires_new_ctf = serializers.BooleanField(required=False)


class TicketInputSerializer(serializers.Serializer):
    team = VisibleObjectField(Team, selectors.teams_for)
    request_type = ServiceCheckedChoiceField(choices=RequestType.choices)
    impact_level = ServiceCheckedChoiceField(
        choices=ImpactLevel.choices,
        required=False,
        default="",
        help_text="IL2, IL4 or IL5; IL6 for an IL6 production deploy.",
    )
    epic = VisibleObjectField(
        Epic,
        selectors.epics_for,
        required=False,
        allow_null=True,
        help_text="The team's epic; leave it out for a new CtF (triage opens the epic).",
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=_max_length(Ticket, "title")
    )
    description = serializers.CharField(required=False, allow_blank=True)
    application_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=_max_length(Ticket, "application_name"),
        help_text="The new application's name (new CtF only): it becomes the epic's title.",
    )


class DocumentInputSerializer(serializers.Serializer):
    epic = VisibleObjectField(Epic, selectors.epics_for)
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
    epic = VisibleObjectField(Epic, selectors.epics_for)
    tag = serializers.CharField(allow_blank=True)


class AccessRequestInputSerializer(serializers.Serializer):
    justification = serializers.CharField(allow_blank=True)


class TransitionInputSerializer(serializers.Serializer):
    """The parameters a transition takes; each transition reads only its own."""

    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why (ticket and document `reject`)."
    )
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text="Username of who works the story (`assign`)."
    )

    def __init__(self, *args, takes: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if takes is not None:
            for name in set(self.fields) - set(takes):
                self.fields.pop(name)

    def validate_assignee(self, username: str):
        if not username:
            return None  # the service says that someone must be chosen
        user = selectors.user_by_username(username)
        if user is None:
            raise serializers.ValidationError(f"No user named “{username}”.")
        return user

    def arguments(self, takes: tuple[str, ...]) -> dict:
        """Every parameter the transition takes, absent ones empty: the service says what
        is missing."""
        defaults = {"reason": "", "assignee": None}
        return {name: self.validated_data.get(name, defaults.get(name)) for name in takes}


# Query parameters of the lists -----------------------------------------------------------------


class Filters(serializers.Serializer):
    """Query parameters of a list; `lookups` maps each to the ORM lookup it filters on."""

    lookups: dict[str, str] = {}

    def filter(self, queryset):
        self.is_valid(raise_exception=True)
        return queryset.filter(
            **{self.lookups[name]: value for name, value in self.validated_data.items()}
        )


def _id_filter(help_text: str):
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=help_text
    )


class EpicFilters(Filters):
    lookups = {"team": "team_id", "status": "status"}
    team = _id_filter("Only this team's epics.")
    status = serializers.ChoiceField(choices=Epic.Status.choices, required=False)


class TicketFilters(Filters):
    lookups = {
        "team": "team_id",
        "epic": "epic_id",
        "status": "status",
        "request_type": "request_type",
        "impact_level": "impact_level",
    }
    team = _id_filter("Only this team's tickets.")
    epic = _id_filter("Only tickets on this epic.")
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    impact_level = serializers.ChoiceField(choices=ImpactLevel.choices, required=False)


class StoryFilters(Filters):
    lookups = {
        "team": "epic__team_id",
        "epic": "epic_id",
        "ticket": "ticket_id",
        "board": "board",
        "status": "status",
        "request_type": "ticket__request_type",
    }
    team = _id_filter("Only stories of this team's epics.")
    epic = _id_filter("Only this epic's stories.")
    ticket = _id_filter("Only this ticket's stories.")
    board = serializers.ChoiceField(choices=Story.Board.choices, required=False)
    status = serializers.ChoiceField(choices=Story.Status.choices, required=False)
    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)


class DocumentFilters(Filters):
    lookups = {"team": "epic__team_id", "epic": "epic_id", "kind": "kind", "status": "status"}
    team = _id_filter("Only documents of this team's epics.")
    epic = _id_filter("Only this epic's documents.")
    kind = serializers.ChoiceField(choices=Document.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=Document.Status.choices, required=False)


class ReleaseFilters(Filters):
    lookups = {"team": "epic__team_id", "epic": "epic_id"}
    team = _id_filter("Only releases of this team's epics.")
    epic = _id_filter("Only this epic's releases.")


class AccessRequestFilters(Filters):
    lookups = {"status": "status"}
    status = serializers.ChoiceField(choices=AccessRequest.Status.choices, required=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


# Errors, for the schema --------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(help_text="The object's current status.")


class GatesUnmetSerializer(ErrorSerializer):
    unmet = GateSerializer(many=True, help_text="Every unmet gate, not just the first.")
