"""What the API keeps of its own: the answers to POSTs made with an Idempotency-Key, and
the API tokens (as hashes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """A POST made with `Idempotency-Key`: a repeat by the same user within a day changes
    nothing and answers what the first answered (api/idempotency.py). An unanswered row is
    one still being answered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_user_and_key"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"


class ApiToken(models.Model):
    """An API token (API.md, "Authentication"), kept only as the SHA-256 of its secret: the
    secret is shown once, to whoever asked for it, and nobody can read it back. It ends at
    `expires_at` (API_TOKEN_TTL after it was issued), or when revoked: by a DELETE made with
    it, by its user signing out of the browser, or by an administrator (api/tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The secret's first characters, to tell tokens apart in the admin: not enough to use one.
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "live"
