"""Field types the API's serializers share: how datetimes, users, ids of visible objects,
choices and impact levels are shown and read."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class UsernameField(serializers.SlugRelatedField):
    """A user named by username. A name with a NUL character names nobody: refused here,
    before PostgreSQL would refuse the query (as DRF's CharField does)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        return super().to_internal_value(data)
