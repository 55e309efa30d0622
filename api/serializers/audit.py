"""An object's audit trail, as `…/{id}/history/` shows it."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.fields import UTCDateTimeField
from workflow.models import AuditEvent


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
