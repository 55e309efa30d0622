"""The notifications' rows: the transactional outbox (one row per event, recipient and
channel), the Mattermost webhooks and each person's e-mail choices.

The tables kept their names when the models moved here from the workflow app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Webhook(models.Model):
    """A Mattermost (or Slack-compatible) incoming webhook for one team or one role."""

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    team = models.ForeignKey(
        "epics.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    role = models.CharField(max_length=30, blank=True, help_text="A role group, e.g. mdo_pm.")
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "workflow_webhook"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(team__isnull=False) & models.Q(role=""))
                | (models.Q(team__isnull=True) & ~models.Q(role="")),
                name="webhook_for_a_team_or_a_role",
            ),
        ]

    def __str__(self):
        return self.name


class EmailOptOut(models.Model):
    """An event type the user chose not to receive by e-mail (the app still shows it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    event_type = models.CharField(max_length=40)

    class Meta:
        db_table = "workflow_emailoptout"
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="one_opt_out_per_event"),
        ]

    def __str__(self):
        return f"{self.user} opted out of e-mail for {self.event_type}"


class Notification(models.Model):
    """The transactional outbox: one row per event, recipient and channel, written in the
    transaction of the change that caused it and delivered once by notifications/delivery.py."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In the app"
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Mattermost"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event_key = models.CharField(max_length=120)
    event_type = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(
        max_length=500, blank=True, help_text="The e-mail address or webhook URL."
    )
    subject = models.CharField(max_length=240)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When a pending row may be tried again (after a failed attempt's backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A sender that claimed the row holds it until then; a killed one's claim runs out.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Sent again by hand: the time allowed before giving up counts from then.
    sent_again_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workflow_notification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="notification_once_per_event_recipient_channel",
            ),
            models.UniqueConstraint(
                fields=["event_key", "channel", "address"],
                condition=models.Q(recipient__isnull=True),
                name="notification_once_per_event_webhook",
            ),
            models.CheckConstraint(
                condition=models.Q(channel="webhook", recipient__isnull=True)
                | (~models.Q(channel="webhook") & models.Q(recipient__isnull=False)),
                name="notification_webhooks_have_no_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject}"
