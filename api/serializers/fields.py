"""Field types the API's serializers share: how datetimes, users, ids of visible objects,
choices and impact levels are shown and read."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.utils import html

from workflow.text import nul_problem, single_line

# The largest id the database stores (a 64-bit integer): a larger one names nothing, and
# must not reach the database, where it would not fit.
MAX_ID = 2**63 - 1


def max_length(model, field_name: str) -> int:
    """The model field's own limit, so an input serializer refuses what would not fit."""
    return model._meta.get_field(field_name).max_length


# Shown -----------------------------------------------------------------------------------------


class UTCDateTimeField(serializers.DateTimeField):
    """Datetimes in UTC, ISO 8601 (`2025-01-31T14:05:09.123456Z`), whatever TIME_ZONE is."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(default_timezone=dt.UTC, **kwargs)


def username_field(**kwargs):
    kwargs.setdefault("help_text", "Username.")
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kwargs)


def display_field(name: str):
    """The human label of the choice field `name` (`status` → `get_status_display`)."""
    return serializers.CharField(source=f"get_{name}_display", read_only=True)


@extend_schema_field(
    {"type": "array", "items": {"$ref": "#/components/schemas/ImpactLevelEnum"}},
)
class ImpactLevelListField(serializers.ListField):
    """Impact levels, shown with the same enum as a ticket's `impact_level`."""


# Read ------------------------------------------------------------------------------------------


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


class TextField(serializers.CharField):
    """Text, and only text: a number, a boolean or a list is malformed (`{"reason": 5}`),
    where DRF's CharField would take the number as "5"."""

    default_error_messages = {"invalid": "Give text (a string), not {data_type}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", data_type=type(data).__name__)
        return super().to_internal_value(data)


class BooleanInput(serializers.BooleanField):
    """true or false: in JSON a boolean only (not 0, 1 or "yes"); in a multipart or form
    body, which has only text, the words `true` or `false` (as the schema's boolean is
    written there), nothing else."""

    WORDS = {"true": True, "false": False}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        in_a_form = html.is_html_input(self.root.initial_data) and isinstance(data, str)
        if in_a_form and (word := data.strip().lower()) in self.WORDS:
            return self.WORDS[word]
        self.fail("invalid", input=data)


class LineField(TextField):
    """One line of text (titles, tag names, reasons: workflow/text.py); the schema shows
    the rule as a pattern."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), single_line]
        super().__init__(**kwargs)


class ServiceCheckedChoiceField(serializers.ChoiceField):
    """Shown as an enum in the schema, but any value reaches the service, whose refusal
    says what the choices are (and which ones this request type takes)."""

    def to_internal_value(self, data):
        return str(data).strip()


class ServiceCheckedIntegerField(serializers.IntegerField):
    """Shown as an integer in the schema, but any value reaches the service, whose refusal
    (audited, like every refusal) says which numbers it takes."""

    def to_internal_value(self, data):
        return data


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


class ListOnly(serializers.ManyRelatedField):
    """A list of related objects given as a list: an object (`{}`) is not one, where DRF's
    ManyRelatedField would take its keys."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class UsernameField(serializers.SlugRelatedField):
    """A user named by username. A name with a NUL character names nobody: refused here,
    before PostgreSQL would refuse the query (as DRF's CharField does)."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in MANY_RELATION_KWARGS:
            if key in kwargs:
                list_kwargs[key] = kwargs[key]
        return ListOnly(**list_kwargs)

    def to_internal_value(self, data):
        if problem := nul_problem(data):
            raise serializers.ValidationError(problem)
        return super().to_internal_value(data)
