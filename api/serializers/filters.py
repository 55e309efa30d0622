"""The query parameters of the lists (`?team=`, `?status=`, …), checked like any input."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.fields import MAX_ID
from epics.models import Document, Epic, ImpactLevel, Story
from requests_app.models import RequestType, Ticket
from workflow.models import AccessRequest


class Filters(serializers.Serializer):
    """Query parameters of a list. Each filters on the model field of its name, or on the
    ORM lookup `lookups` gives for it."""

    lookups: dict[str, str] = {}

    def filter(self, queryset):
        self.is_valid(raise_exception=True)
        return queryset.filter(
            **{self.lookups.get(name, name): value for name, value in self.validated_data.items()}
        )


class OnEpicFilters(Filters):
    """A list of what belongs to an epic: `team` and `epic` are the epic's."""

    lookups = {"team": "epic__team_id", "epic": "epic_id"}


class GivenMeansGiven:
    """A parameter given empty (`?status=`) is a value to check, and refused, not taken as
    one left out: what the schema does not allow is a 400."""

    def get_value(self, dictionary):
        if self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)


class IdFilter(GivenMeansGiven, serializers.IntegerField):
    pass


class ChoiceFilter(GivenMeansGiven, serializers.ChoiceField):
    pass


def id_filter(help_text: str):
    return IdFilter(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


def choice_filter(choices):
    return ChoiceFilter(choices=choices, required=False)


class EpicFilters(Filters):
    lookups = {"team": "team_id"}
    team = id_filter("Only this team's epics.")
    status = choice_filter(Epic.Status.choices)


class TicketFilters(Filters):
    lookups = {"team": "team_id", "epic": "epic_id"}
    team = id_filter("Only this team's tickets.")
    epic = id_filter("Only tickets on this epic.")
    status = choice_filter(Ticket.Status.choices)
    request_type = choice_filter(RequestType.choices)
    impact_level = choice_filter(ImpactLevel.choices)


class StoryFilters(OnEpicFilters):
    lookups = {
        **OnEpicFilters.lookups,
        "ticket": "ticket_id",
        "request_type": "ticket__request_type",
    }
    team = id_filter("Only stories of this team's epics.")
    epic = id_filter("Only this epic's stories.")
    ticket = id_filter("Only this ticket's stories.")
    board = choice_filter(Story.Board.choices)
    status = choice_filter(Story.Status.choices)
    request_type = choice_filter(RequestType.choices)


class DocumentFilters(OnEpicFilters):
    team = id_filter("Only documents of this team's epics.")
    epic = id_filter("Only this epic's documents.")
    kind = choice_filter(Document.Kind.choices)
    status = choice_filter(Document.Status.choices)


class ReleaseFilters(OnEpicFilters):
    team = id_filter("Only releases of this team's epics.")
    epic = id_filter("Only this epic's releases.")


class AccessRequestFilters(Filters):
    status = choice_filter(AccessRequest.Status.choices)
