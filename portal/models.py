"""Which P1 SSO account is which portal user."""

from django.conf import settings
from django.db import models


class SsoIdentity(models.Model):
    """A user signed in through OpenID Connect, known by the provider's issuer and subject.

    SSO never takes over an account it did not create: a local account with the same user
    name or e-mail address stays separate (portal/sso.py).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(
        default=list, blank=True, help_text="The provider's groups at the last sign-in."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SSO identity"
        verbose_name_plural = "SSO identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_sso_subject")
        ]

    def __str__(self):
        return f"{self.user} ({self.subject})"


class Heartbeat(models.Model):
    """The last sign of life of a process that runs on its own: Celery beat records each
    tick here (portal/scheduler.py), /readyz reports it."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class SignInCounter(models.Model):
    """The sign-in lockout's count for one user name (`user:<name>`) or one client address
    (`address:<ip>`): the wrong passwords within the window, the password checks running
    now, and the lock (portal/lockout.py reads and writes it, a row lock at a time).

    Times are seconds since the epoch, in lists no longer than the counter's limit.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.JSONField(default=list, help_text="When each counted wrong password was.")
    running = models.JSONField(default=list, help_text="When each running password check began.")
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sign-in counter"

    def __str__(self):
        return self.key
