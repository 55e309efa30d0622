"""Transitions: what the caller could do next with an object (`transitions`, with every
unmet gate), and the parameters a `POST …/transitions/<name>/` takes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.fields import LineField, ServiceCheckedIntegerField, TextField
from requests_app.models import Comment
from workflow import selectors
from workflow.actions import transitions_for


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


class TransitionInputSerializer(serializers.Serializer):
    """The parameters a transition takes; each transition reads only its own."""

    reason = LineField(
        required=False,
        allow_blank=True,
        help_text="Why (ticket and document `reject`, access request `deny` and `revoke`).",
    )
    days = ServiceCheckedIntegerField(
        required=False,
        allow_null=True,
        help_text="How many days access lasts from today (access request `approve`; 1 to 365, "
        "default 90).",
    )
    assignee = TextField(
        required=False, allow_blank=True, help_text="Username of who works the story (`assign`)."
    )
    question = TextField(
        required=False,
        allow_blank=True,
        max_length=Comment.MAX_LENGTH,
        help_text="What the team should answer (ticket `ask_for_info`); becomes a comment.",
    )
    answer = TextField(
        required=False,
        allow_blank=True,
        max_length=Comment.MAX_LENGTH,
        help_text="The answer to the question (ticket `provide_info`); becomes a comment.",
    )

    def __init__(self, *args, takes: tuple[str, ...] | None = None, **kwargs):
        # Every parameter is checked as the schema types it, even one this transition does
        # not read (`{"assignee": null}` on a reject is malformed); only its own are used.
        super().__init__(*args, **kwargs)
        self.takes = takes

    def validate_assignee(self, username: str):
        if self.takes is not None and "assignee" not in self.takes:
            return None  # not this transition's: not looked up
        if not username:
            return None  # the service says that someone must be chosen
        user = selectors.user_by_username(username)
        if user is None:
            raise serializers.ValidationError(f"No user named “{username}”.")
        return user

    def arguments(self, takes: tuple[str, ...]) -> dict:
        """Every parameter the transition takes, absent ones empty: the service says what
        is missing."""
        defaults = {"reason": "", "assignee": None, "days": None, "question": "", "answer": ""}
        return {name: self.validated_data.get(name, defaults.get(name)) for name in takes}
