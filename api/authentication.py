"""The API's token check: DRF's, with the user's roles read in the same query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from workflow.permissions import with_roles


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        users = get_user_model()._default_manager.filter(auth_token__key=key)
        user = with_roles(users).select_related("auth_token").first()
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (user, user.auth_token)
