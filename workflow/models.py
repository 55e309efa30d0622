"""The audit trail and Classified Ops access requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from workflow.fsm import StateMachine
from workflow.permissions import CLASSIFIED_OPS, described, has_role


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
    # Set by audit.record() before the event is hashed (the hash covers it).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (workflow/chain.py): this event's content and the previous hash.
    hash = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)

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


@described("Classified Ops members, on someone else's request")
def _not_own_request(access_request, user) -> bool:
    return has_role(user, CLASSIFIED_OPS) and access_request.user_id != user.pk


class AccessRequestQuerySet(models.QuerySet):
    def in_force(self):
        """The approvals that give Classified Ops access now."""
        return self.filter(status=AccessRequest.Status.APPROVED)


class AccessRequest(StateMachine):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_requests"
    )
    justification = models.TextField()
    status = FSMField(choices=Status.choices, default=Status.PENDING, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why it was denied or revoked: shown to the requester.
    reason = models.TextField(blank=True)
    # The last day an approval gives access (approved for `days`, default 90).
    expires_on = models.DateField(null=True, blank=True)
    # When the requester was told it expires within 14 days (told once).
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessRequestQuerySet.as_manager()

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
