"""Audit events as the API shows them, in `/audit-events/` and in every `…/{id}/history/`
alike (API.md): the fields of workflow.audit_query.represented, described here for the
schema. The client address is shown to staff and auditors only (null for the others)."""

from __future__ import annotations

from rest_framework import serializers

from workflow import audit_query
from workflow.models import AuditEvent
from workflow.permissions import sees_client_addresses


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    at = serializers.CharField(read_only=True, help_text="When, in UTC (ISO 8601, ending in Z).")
    actor = serializers.CharField(
        read_only=True, help_text="A username, `system`, or `gitlab:<pusher>`."
    )
    object_type = serializers.ChoiceField(choices=list(audit_query.OBJECT_TYPES), read_only=True)
    object_id = serializers.IntegerField(read_only=True, allow_null=True)
    action = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=AuditEvent.Outcome.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    client_address = serializers.IPAddressField(
        read_only=True, allow_null=True, help_text="Staff and auditors only: null for others."
    )
    hash = serializers.CharField(
        read_only=True, help_text="SHA-256 of the event and the previous hash."
    )
    previous_hash = serializers.CharField(
        read_only=True, help_text="The previous event's hash (empty for the first)."
    )

    def to_representation(self, instance) -> dict:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        addresses = user is not None and sees_client_addresses(user)
        return audit_query.represented(instance, addresses=addresses)


class AuditEventPageSerializer(serializers.Serializer):
    """One page of the trail, newest first: `next` is the page of older events."""

    next = serializers.URLField(allow_null=True, help_text="Older events (`?before=`).")
    previous = serializers.URLField(allow_null=True, help_text="Newer events (`?after=`).")
    results = AuditEventSerializer(many=True)
