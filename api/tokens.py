"""API tokens (API.md, "Authentication"): given for a user name and password, kept only as a
hash, and ended by time (API_TOKEN_TTL), by a DELETE made with the token, by its user
signing out of the browser, or by an administrator.

The secret is `secrets.token_urlsafe(32)` (256 random bits); the database keeps its SHA-256
(`ApiToken.digest`) and its first characters (`prefix`, for the admin), so a copy of the
database or the admin's pages gives no one a token that works. A fast hash is enough: the
secret is random, not a password someone chose.

Audit events (on the user, as portal/auth.py's are):

| action | when |
| --- | --- |
| `sign_in` (method api_token) | a token was given (the password backend records it) |
| `sign_out` (method api_token) | a DELETE revoked the token it was made with |
| `revoke_token` (via sign_out) | signing out of the browser revoked the user's tokens |
| `revoke_token` (via admin) | an administrator revoked one (its prefix) |
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from api.models import ApiToken
from portal.auth import SIGN_OUT, record_account
from workflow.audit import client_address_of

REVOKE_TOKEN = "revoke_token"
METHOD = "api_token"


def digest(secret: str) -> str:
    """What the database keeps of a token: the SHA-256 of its secret, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user) -> str:
    """A new token for `user`, live for API_TOKEN_TTL seconds: its secret, which is kept
    nowhere (the one way to get a token, for the token endpoint and for tests alike)."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        digest=digest(secret),
        prefix=secret[: ApiToken._meta.get_field("prefix").max_length],
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.API_TOKEN_TTL),
    )
    return secret


def _revoke(tokens) -> int:
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke(token: ApiToken) -> None:
    """The token a DELETE was made with, revoked: the API's sign-out."""
    if _revoke(ApiToken.objects.filter(pk=token.pk)):
        record_account(by=token.user, obj=token.user, action=SIGN_OUT, detail={"method": METHOD})


def revoke_by_admin(tokens, *, by) -> int:
    """The chosen tokens that are not revoked yet, revoked by an administrator."""
    revoked = 0
    for token in tokens.filter(revoked_at__isnull=True).select_related("user"):
        if _revoke(ApiToken.objects.filter(pk=token.pk)):
            revoked += 1
            record_account(
                by=by,
                obj=token.user,
                action=REVOKE_TOKEN,
                detail={"via": "admin", "prefix": token.prefix},
            )
    return revoked


def _on_signed_out(sender, request, user, **kwargs):
    """Signing out of the browser (by asking, or after idling) ends the user's tokens too."""
    if user is None:
        return
    revoked = _revoke(ApiToken.objects.filter(user=user))
    if revoked:
        record_account(
            by=user,
            obj=user,
            action=REVOKE_TOKEN,
            reason="Signed out of the browser.",
            detail={"via": "sign_out", "tokens": revoked},
        )


class TokenThrottle(ScopedRateThrottle):
    """At most API_TOKEN_RATE requests to the token endpoint per client address (per user
    once signed in). The address is the connection's, as TrustedProxyMiddleware set it:
    DRF's own reading of X-Forwarded-For would let a client pick a new one each time.
    The counts are in the default cache (per process unless CACHES says otherwise)."""

    def get_rate(self):
        return settings.API_TOKEN_RATE or None  # unset: no limit

    def get_ident(self, request):
        return client_address_of(request) or "unknown"


user_logged_out.connect(_on_signed_out, dispatch_uid="api.tokens.signed_out")
