"""Tickets: the requests product teams file through the portal."""

from __future__ import annotations

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from epics.models import Epic, ImpactLevel, Story, Team
from workflow import request_types
from workflow.fsm import StateMachine
from workflow.permissions import MDO_PM, role_permission, team_member_permission
from workflow.request_types import RequestType
from workflow.text import single_line

# Each request type's rules are declared in workflow/request_types.py; the database holds
# the ones a row must keep whatever path wrote it.
_OPENS_EPIC = request_types.where(lambda kind: kind.opens_epic)
_LEVEL_FITS_TYPE = functools.reduce(
    operator.or_,
    (Q(request_type=kind.value, impact_level__in=kind.levels) for kind in request_types.KINDS),
)


def _stories_not_started(ticket) -> bool:
    started = (Story.Status.IN_PROGRESS, Story.Status.DONE)
    return not any(story.status in started for story in ticket.stories.all())


class Ticket(StateMachine):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        NEEDS_INFO = "needs_info", "Needs Info"
        TRIAGED = "triaged", "Triaged"
        IN_PROGRESS = "in_progress", "In Progress"
        DONE = "done", "Done"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Still moving: the home's open requests, the insights' open work, the forecasts.
    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.NEEDS_INFO,
        Status.TRIAGED,
        Status.IN_PROGRESS,
    )

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    epic = models.ForeignKey(
        Epic,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="Empty for a new CtF until triage opens its epic.",
    )
    request_type = models.CharField(max_length=20, choices=RequestType.choices)
    impact_level = models.CharField(max_length=3, choices=ImpactLevel.choices)
    title = models.CharField(max_length=200, validators=[single_line])
    description = models.TextField(blank=True)
    application_name = models.CharField(max_length=200, blank=True)
    status = FSMField(
        choices=Status.choices, default=Status.SUBMITTED, protected=True, db_index=True
    )
    rejection_reason = models.TextField(blank=True)
    epic_status_before = models.CharField(
        max_length=30,
        blank=True,
        choices=Epic.Status.choices,
        help_text="The epic's status before this ticket moved it (restored if it is rejected).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_filed"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_LEVEL_FITS_TYPE, name="ticket_impact_level_fits_type"
            ),
            models.CheckConstraint(
                condition=Q(request_type__in=_OPENS_EPIC) | Q(epic__isnull=False),
                name="ticket_names_its_epic",
            ),
            models.CheckConstraint(
                condition=~Q(request_type__in=_OPENS_EPIC) | ~Q(application_name=""),
                name="new_ctf_ticket_names_its_application",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="rejected_ticket_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def kind(self) -> request_types.Kind:
        """The declaration of this ticket's request type."""
        return request_types.of(self.request_type)

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.TRIAGED,
        permission=role_permission(MDO_PM),
    )
    def triage(self):
        pass

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.NEEDS_INFO, Status.TRIAGED],
        target=Status.REJECTED,
        permission=role_permission(MDO_PM),
        conditions=[_stories_not_started],
    )
    def reject(self, *, reason):
        self.rejection_reason = reason

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.NEEDS_INFO],
        target=Status.WITHDRAWN,
        permission=team_member_permission,
    )
    def withdraw(self):
        pass

    # The question and its answer are comments (workflow/services/tickets.py).
    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.NEEDS_INFO,
        permission=role_permission(MDO_PM),
    )
    def ask_for_info(self):
        pass

    @transition(
        field=status,
        source=Status.NEEDS_INFO,
        target=Status.SUBMITTED,
        permission=team_member_permission,
    )
    def provide_info(self):
        pass

    @transition(
        field=status,
        source=Status.TRIAGED,
        target=Status.IN_PROGRESS,
        permission=role_permission(MDO_PM),
        conditions=[lambda ticket: ticket.kind.classified],
    )
    def open_classified_story(self):
        pass

    # Never set by hand: they follow the stories and the epic.
    @transition(field=status, source=Status.TRIAGED, target=Status.IN_PROGRESS)
    def start_work(self):
        pass

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.DONE)
    def finish(self):
        pass


class Comment(models.Model):
    """One message in a ticket's conversation: plain text, never edited or deleted (a
    correction is a new comment). An internal note is for Party Bus staff and auditors only
    (workflow/permissions.py, `reads_internal_notes`)."""

    MAX_LENGTH = 10_000

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        QUESTION = "question", "Question"  # asked with ask_for_info
        ANSWER = "answer", "Answer"  # given with provide_info

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(max_length=MAX_LENGTH)
    internal = models.BooleanField(
        default=False, help_text="Seen only by MDO PMs, DevOps, Cyber, Classified Ops, auditors."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_has_a_body"),
            models.CheckConstraint(
                condition=Q(kind="comment") | Q(internal=False),
                name="question_and_answer_are_not_internal",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} on ticket #{self.ticket_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A comment is never edited: a correction is a new comment.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A comment is never deleted.")


class CommentAttachment(models.Model):
    """A file a comment carries, checked by its content (workflow/attachments.py)."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="comments/%Y/%m/")
    name = models.CharField(max_length=255, help_text="The file's name as it was uploaded.")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40, help_text="As its content says.")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An attachment is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An attachment is never deleted.")
