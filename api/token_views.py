"""The API's sign-in: `/api/v1/auth/token/` (API.md, "Authentication"; api/tokens.py)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api import tokens
from api.authentication import TokenAuthentication
from api.responses import FIELD_ERRORS, NOT_SIGNED_IN, RETRY_AFTER, TOO_MANY
from portal.auth import WRONG_CREDENTIALS, AccountLocked, SignInThrottled, sign_in_refusal


class TokenView(APIView):
    """`POST {"username", "password"}` → a new token `{"token"}`, live for API_TOKEN_TTL;
    wrong credentials or a locked account → 400, too many attempts → 429 with Retry-After.
    `DELETE` made with a token revokes it (204). Both are throttled (api/tokens.py)."""

    authentication_classes = [TokenAuthentication]
    throttle_classes = [tokens.TokenThrottle]
    throttle_scope = "token"

    def get_authenticators(self):
        # Asking for a token needs none: an expired one still sent must not stand in the way.
        asking = getattr(getattr(self, "request", None), "method", None) == "POST"
        return [] if asking else super().get_authenticators()

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait, detail="Too many requests for a token.")

    @extend_schema(
        summary="Get a new API token",
        request=s.CredentialsSerializer,
        responses={200: s.TokenSerializer, 400: FIELD_ERRORS, 429: TOO_MANY},
        parameters=[RETRY_AFTER],
        auth=[],
    )
    def post(self, request):
        """A new token for this user name and password, each time asked: the secret is in
        this answer only (the server keeps its hash). Wrong credentials or a locked account
        answer 400; too many attempts 429."""
        given = s.CredentialsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(request, **given.validated_data)
        if user is None:
            # Why: the password backend leaves its refusal on the request (portal/auth.py).
            refusal = sign_in_refusal(request)
            if isinstance(refusal, SignInThrottled):
                raise exceptions.Throttled(refusal.retry_after, detail=str(refusal))
            if isinstance(refusal, AccountLocked):
                raise exceptions.ValidationError(
                    "Too many failed sign-ins: this account is locked until "
                    f"{refusal.until:%H:%M:%S} UTC. Try again then, or ask an administrator."
                )
            raise exceptions.ValidationError(WRONG_CREDENTIALS)
        return Response({"token": tokens.issue(user)})

    @extend_schema(
        summary="Revoke the API token this request is made with",
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the token answers 401 from now on."),
            401: NOT_SIGNED_IN,
            429: TOO_MANY,
        },
        parameters=[RETRY_AFTER],
    )
    def delete(self, request):
        """The token this request is made with, revoked: it answers 401 from now on (the
        user's other tokens are untouched; signing out of the browser ends them all)."""
        tokens.revoke(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
