"""The audit trail and Classified Ops access requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import FSMField, transition

from workflow.fsm import StateMachine
from workflow.permissions import CLASSIFIED_OPS, has_role


class AppendOnlyError(Exception):
    """The audit trail is append-only: nothing edits or deletes a record."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be updated.")

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=240, blank=True)
    action = models.CharField(max_length=60)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


def _not_own_request(access_request, user) -> bool:
    return has_role(user, CLASSIFIED_OPS) and access_request.user_id != user.pk


class AccessRequest(StateMachine):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_requests"
    )
    justification = models.TextField()
    status = FSMField(choices=Status.choices, default=Status.PENDING, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_access_request_per_user",
            ),
            models.CheckConstraint(
                condition=~models.Q(justification=""), name="access_request_is_justified"
            ),
        ]

    def __str__(self):
        return f"Classified Ops access for {self.user}"

    @transition(
        field=status, source=Status.PENDING, target=Status.APPROVED, permission=_not_own_request
    )
    def approve(self, *, by, at):
        self.decided_by, self.decided_at = by, at

    @transition(
        field=status, source=Status.PENDING, target=Status.DENIED, permission=_not_own_request
    )
    def deny(self, *, by, at):
        self.decided_by, self.decided_at = by, at


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
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="one_opt_out_per_event"),
        ]

    def __str__(self):
        return f"{self.user} opted out of e-mail for {self.event_type}"


class Notification(models.Model):
    """The transactional outbox: one row per event, recipient and channel, written in the
    transaction of the change that caused it and delivered once by workflow/delivery.py."""

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

    class Meta:
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
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject}"
