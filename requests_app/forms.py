"""The new-request form and the team request list's filters.

The form parses what was typed; workflow.services.ticket_file decides (its InvalidInput
messages land on the fields). The choices it offers follow the current request type and
team: impact levels the type takes (workflow/request_types.py), the team's epics.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q

from epics.models import ImpactLevel
from requests_app.models import RequestType, Ticket
from workflow import request_types
from workflow.text import single_line


class EpicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, epic):
        return f"{epic.title} ({epic.get_status_display()})"


class RequestForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your teams."},
    )
    request_type = forms.ChoiceField(
        label="What do you need?",
        choices=RequestType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need: one of the four request types."},
    )
    # Every level parses; the service says which ones the chosen type takes.
    impact_level = forms.ChoiceField(
        label="Impact level", choices=[("", "Choose…"), *ImpactLevel.choices], required=False
    )
    epic = EpicChoiceField(queryset=None, required=False, empty_label="Choose an epic…")
    application_name = forms.CharField(
        label="Application name",
        max_length=200,
        required=False,
        validators=[single_line],
        help_text="The new application; it becomes the name of its new epic.",
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        required=False,
        validators=[single_line],
        help_text="Optional: left empty, it says the request type, level and epic.",
    )
    description = forms.CharField(
        label="Details for the MDO PM",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: anything the MDO PM should know (deadlines, contacts, links).",
    )

    def __init__(self, *args, teams, epics, **kwargs):
        """`teams`: the user's own teams; `epics`: the epics the user may see."""
        super().__init__(*args, **kwargs)
        raw = self.data if self.is_bound else self.initial
        self.fields["team"].queryset = teams
        team_list = self.team_list = list(teams)
        self.chosen_team = _by_pk(team_list, raw.get("team")) or (
            team_list[0] if team_list else None
        )
        self.fields["epic"].error_messages["invalid_choice"] = (
            f"Choose one of {self.chosen_team}'s epics." if self.chosen_team else "Choose an epic."
        )
        request_type = raw.get("request_type") or ""
        self.chosen_type = request_type if request_type in RequestType.values else ""
        self.kind = request_types.of(self.chosen_type) if self.chosen_type else None
        self.allowed_levels = [
            str(level) for level in (self.kind.levels if self.kind else ImpactLevel.values)
        ]
        level = raw.get("impact_level") or ""
        if level not in self.allowed_levels:
            level = self.allowed_levels[0] if len(self.allowed_levels) == 1 else ""
        self.chosen_level = level
        team_epics = epics.filter(team=self.chosen_team) if self.chosen_team else epics.none()
        self.fields["epic"].queryset = team_epics
        self.team_epics = list(team_epics)
        self.chosen_epic = (
            None if self.needs_application else _by_pk(self.team_epics, raw.get("epic"))
        )
        if not self.is_bound:
            self.initial.update(
                team=self.chosen_team.pk if self.chosen_team else None,
                request_type=self.chosen_type,
                impact_level=self.chosen_level,
                epic=self.chosen_epic.pk if self.chosen_epic else None,
            )

    @property
    def needs_application(self) -> bool:
        return self.kind is not None and self.kind.opens_epic

    @property
    def needs_epic(self) -> bool:
        return not self.needs_application

    @property
    def type_chosen(self) -> bool:
        return bool(self.chosen_type)

    @property
    def raw(self):
        """What was typed (or given in the address), to show it again as it was."""
        return self.data if self.is_bound else self.initial

    def value_of(self, name: str) -> str:
        return self.raw.get(name) or ""

    def current(self) -> dict:
        """The choices as they stand, for the live checklist and links back to the form."""
        return {
            "team": self.chosen_team.pk if self.chosen_team else "",
            "request_type": self.chosen_type,
            "impact_level": self.chosen_level,
            "epic": self.chosen_epic.pk if self.chosen_epic else "",
            "application_name": self.value_of("application_name"),
            "title": self.value_of("title"),
        }

    def service_arguments(self) -> dict:
        """What workflow.services.ticket_file takes, from the cleaned data."""
        data = self.cleaned_data
        opens_epic = request_types.of(data["request_type"]).opens_epic
        return {
            "team": data["team"],
            "request_type": data["request_type"],
            "impact_level": data["impact_level"],
            "epic": None if opens_epic else data["epic"],
            "title": data["title"],
            "description": data["description"],
            "application_name": data["application_name"] if opens_epic else "",
        }


def _by_pk(objects, pk):
    return next((obj for obj in objects if str(obj.pk) == str(pk or "")), None)


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Title, application, details, or #number.",
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Ticket.Status.choices], required=False
    )
    request_type = forms.ChoiceField(
        label="Request type", choices=[("", "Any type"), *RequestType.choices], required=False
    )
    impact_level = forms.ChoiceField(
        label="Impact level", choices=[("", "Any level"), *ImpactLevel.choices], required=False
    )

    def filter(self, tickets):
        """The tickets that match; all of them when the filters do not parse."""
        if not self.is_valid():
            return tickets
        data = self.cleaned_data
        for name in ("status", "request_type", "impact_level"):
            if data[name]:
                tickets = tickets.filter(**{name: data[name]})
        query = data["q"].strip()
        if query:
            match = (
                Q(title__icontains=query)
                | Q(application_name__icontains=query)
                | Q(description__icontains=query)
                | Q(epic__title__icontains=query)
            )
            number = query.lstrip("#")
            if number.isdigit():
                match |= Q(pk=int(number))
            tickets = tickets.filter(match)
        return tickets
