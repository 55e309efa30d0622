"""The audit trail and Classified Ops access requests."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from workflow.fsm import StateMachine
from workflow.permissions import CLASSIFIED_OPS, described, has_role, role_permission


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
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            # The audit trail's page and export (workflow/audit_query.py): newest first in
            # time (created_at's own index), or behind a filter, so a page is one short index
            # scan at any size; "who was refused" is the auditors' first question.
            models.Index(fields=["actor_name", "created_at", "id"], name="audit_actor_at"),
            models.Index(
                fields=["actor_name", "outcome", "created_at", "id"], name="audit_actor_outcome_at"
            ),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_at"),
            models.Index(fields=["outcome", "created_at", "id"], name="audit_outcome_at"),
            models.Index(fields=["content_type", "created_at", "id"], name="audit_type_at"),
        ]

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


def portal_today() -> dt.date:
    """The day an approval's `expires_on` is compared with: today in the portal's TIME_ZONE
    (as for CtF letters), so access ends at the end of its last day there."""
    return timezone.localdate()


class AccessRequestQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None):
        """The approvals that give Classified Ops access today (or `on`): approved, and
        `expires_on`, their last day, not past. Access ends with that day even before the
        clock marks the request Expired."""
        return self.filter(
            status=AccessRequest.Status.APPROVED, expires_on__gte=on or portal_today()
        )

    def past_their_end(self, on: dt.date | None = None):
        """Approvals whose last day is past: the clock marks them Expired."""
        return self.filter(
            status=AccessRequest.Status.APPROVED, expires_on__lt=on or portal_today()
        )


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

    @property
    def in_force(self) -> bool:
        """It gives Classified Ops access today (see AccessRequestQuerySet.in_force)."""
        return (
            self.status == self.Status.APPROVED
            and self.expires_on is not None
            and self.expires_on >= portal_today()
        )

    @transition(
        field=status, source=Status.PENDING, target=Status.APPROVED, permission=_not_own_request
    )
    def approve(self, *, by, at, days: int):
        """Access for `days` days from the day of the decision: `expires_on` is its last."""
        self.decided_by, self.decided_at = by, at
        self.expires_on = timezone.localdate(at) + dt.timedelta(days=days)

    @transition(
        field=status, source=Status.PENDING, target=Status.DENIED, permission=_not_own_request
    )
    def deny(self, *, by, at, reason: str):
        self.decided_by, self.decided_at, self.reason = by, at, reason

    # Revoking takes access away, so any Classified Ops member may, their own grant included
    # (they see the board by their role anyway). The revoker is the last to have decided.
    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.REVOKED,
        permission=role_permission(CLASSIFIED_OPS),
    )
    def revoke(self, *, by, at, reason: str):
        self.decided_by, self.decided_at, self.reason = by, at, reason

    # By the clock only (workflow/services/access.py, run as `system`): no path offers it.
    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.EXPIRED,
        conditions=[lambda access: access.expires_on < portal_today()],
    )
    def expire(self):
        """An approval past its last day is Expired; who approved it stays `decided_by`."""


class ClosureDayQuerySet(models.QuerySet):
    def in_force(self):
        """The closures the business calendar counts: recorded and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class ClosureDay(models.Model):
    """A day MDO is closed besides the federal holidays (a base closure, an executive-order
    day off), recorded by an MDO PM: no business time passes on it. Never deleted: a
    mistaken one is withdrawn (who and when kept), and both are audited."""

    date = models.DateField()
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ClosureDayQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_closure_in_force_per_day",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="closure_day_has_reason"),
        ]

    def __str__(self):
        return f"Closed {self.date:%a} {self.date.day} {self.date:%b %Y}: {self.reason}"
