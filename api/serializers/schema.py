"""Bodies the schema describes but no serializer renders: the errors of api/errors.py and
the token endpoint's request and answer (api/views.py TokenView)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.fields import TextField
from api.serializers.transitions import GateSerializer


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(help_text="The object's current status.")


class GatesUnmetSerializer(ErrorSerializer):
    unmet = GateSerializer(many=True, help_text="Every unmet gate, not just the first.")


class CredentialsSerializer(serializers.Serializer):
    """What `POST /api/v1/auth/token/` accepts: its shape only (the password backend checks
    it, api/tokens.py)."""

    username = TextField(write_only=True)
    password = TextField(write_only=True, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="Send it as `Authorization: Token <token>`; shown only once."
    )
