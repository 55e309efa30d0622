"""The dashboard's filters: a period of whole weeks, a team (where the user sees several)
and a request type."""

from __future__ import annotations

from django import forms

from requests_app.models import RequestType

PERIODS = ((4, "Last 4 weeks"), (12, "Last 12 weeks"), (26, "Last 26 weeks"), (52, "Last 52 weeks"))
DEFAULT_WEEKS = 12


class InsightsFilterForm(forms.Form):
    weeks = forms.TypedChoiceField(label="Period", choices=PERIODS, coerce=int)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    request_type = forms.ChoiceField(
        label="Request type",
        choices=[("", "All request types"), *RequestType.choices],
        required=False,
    )

    def __init__(self, query, *, teams=None):
        """`teams`: (pk, name) of the teams to choose from; None when the team is fixed."""
        data = {"weeks": str(DEFAULT_WEEKS), "team": "", "request_type": ""}
        data.update({key: query.get(key, "") for key in ("weeks", "team", "request_type")})
        data["weeks"] = data["weeks"] or str(DEFAULT_WEEKS)
        super().__init__(data)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = [("", "All teams"), *teams]

    def value(self, name: str, default=None):
        """The chosen value, or the default where the input was not one of the choices."""
        self.is_valid()
        return self.cleaned_data.get(name, default)

    @property
    def unknown_team(self) -> bool:
        """A team id that is not among the user's: answered as not found, like any object
        the user may not see."""
        self.is_valid()
        return "team" in self.errors
