"""Bodies the schema describes but no serializer renders: the errors of api/errors.py and
the answer of DRF's token view."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.transitions import GateSerializer


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(help_text="The object's current status.")


class GatesUnmetSerializer(ErrorSerializer):
    unmet = GateSerializer(many=True, help_text="Every unmet gate, not just the first.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
