"""The API's token check: `Authorization: Token <secret>`, the token found by the hash of its
secret with its user and the user's roles in one query (api/tokens.py). A revoked or
expired token, or an inactive user's, answers 401 saying which."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import tokens
from api.models import ApiToken
from workflow.permissions import with_roles

INVALID = _("Invalid token.")
REVOKED = _("Token revoked: ask for a new one.")
EXPIRED = _("Token expired: ask for a new one.")
INACTIVE = _("User inactive or deleted.")

# The token's columns, read alongside its user's as `_token_<name>`.
_TOKEN_FIELDS = ("id", "prefix", "created_at", "expires_at", "revoked_at")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        digest = tokens.digest(key)
        users = get_user_model()._default_manager.filter(api_tokens__digest=digest)
        columns = {f"_token_{name}": F(f"api_tokens__{name}") for name in _TOKEN_FIELDS}
        user = with_roles(users).annotate(**columns).first()
        if user is None:
            raise exceptions.AuthenticationFailed(INVALID)
        token = ApiToken(
            user=user,
            digest=digest,
            **{name: getattr(user, f"_token_{name}") for name in _TOKEN_FIELDS},
        )
        token._state.adding = False
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(REVOKED)
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(EXPIRED)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        return (user, token)
