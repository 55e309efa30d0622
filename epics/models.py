"""The Product Team Epic Board's data: teams, their epics, stories, pipelines, documents
and releases. Models declare the legal moves; workflow/services.py makes them."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition

from workflow.fsm import StateMachine
from workflow.permissions import (
    CLASSIFIED_OPS,
    CYBER,
    DEVOPS,
    MDO_PM,
    ROLE_HOLDERS,
    described,
    has_role,
    role_permission,
)
from workflow.text import single_line


class ImpactLevel(models.TextChoices):
    IL2 = "IL2", "IL2"
    IL4 = "IL4", "IL4"
    IL5 = "IL5", "IL5"
    IL6 = "IL6", "IL6"


IL245 = (ImpactLevel.IL2, ImpactLevel.IL4, ImpactLevel.IL5)


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    funded = models.BooleanField(default=False)
    onboarded = models.BooleanField(default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Epic(StateMachine):
    class Status(models.TextChoices):
        NEW = "new", "New"
        PIPELINE_IN_PROGRESS = "pipeline_in_progress", "Pipeline In Progress"
        PIPELINE_BEING_BUILT = "pipeline_being_built", "Pipeline Being Built"
        PIPELINE_COMPLETE = "pipeline_complete", "Pipeline Complete"
        DEPLOYED_STAGING = "deployed_staging", "Deployed - Staging"
        PROD_DEPLOY_QUEUED = "prod_deploy_queued", "Prod Deploy - Queued"
        PROD_DEPLOY_IN_PROGRESS = "prod_deploy_in_progress", "Prod Deploy - In Progress"
        PROD_DEPLOY_COMPLETE = "prod_deploy_complete", "Prod Deploy - Complete"

    # The statuses from which a new pipeline may start or a production deploy be queued.
    AT_REST = (
        Status.PIPELINE_COMPLETE,
        Status.DEPLOYED_STAGING,
        Status.PROD_DEPLOY_COMPLETE,
    )

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="epics")
    title = models.CharField(max_length=200, validators=[single_line])
    status = FSMField(choices=Status.choices, default=Status.NEW, protected=True, db_index=True)
    requires_new_ctf = models.BooleanField(default=False)
    cyber_compliant_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cyber_compliant_at = models.DateTimeField(null=True, blank=True)
    production_at = models.DateTimeField(
        null=True, blank=True, help_text="When its first production deployment completed."
    )
    repository_url = models.URLField(
        max_length=300,
        blank=True,
        help_text="The GitLab project's address, e.g. https://gitlab.example.mil/group/app: "
        "its tag pushes record releases of this epic (workflow/hooks.py).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["team", "title"], name="epic_title_unique_per_team"),
            # A tag push must name one epic.
            models.UniqueConstraint(
                Lower("repository_url"),
                condition=~Q(repository_url=""),
                name="epic_repository_unique",
            ),
            models.CheckConstraint(
                condition=Q(cyber_compliant_at__isnull=True) | Q(cyber_compliant_by__isnull=False),
                name="epic_cyber_compliance_names_who",
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at", "id"])]

    def __str__(self):
        return self.title

    @property
    def cyber_compliant(self) -> bool:
        return self.cyber_compliant_at is not None

    @property
    def has_production(self) -> bool:
        return self.production_at is not None

    # Transitions a person takes (their names are part of the API).
    @transition(
        field=status,
        source=[Status.NEW, *AT_REST],
        target=Status.PIPELINE_IN_PROGRESS,
        permission=role_permission(MDO_PM),
    )
    def start_pipeline(self):
        pass

    @transition(
        field=status,
        source="*",
        target=None,
        permission=role_permission(MDO_PM, CYBER),
        conditions=[lambda epic: not epic.cyber_compliant],
    )
    def verify_cyber_compliance(self, *, by, at):
        self.cyber_compliant_by = by
        self.cyber_compliant_at = at

    # Transitions that follow a story or a ticket (workflow/services.py calls them).
    @transition(
        field=status, source=Status.PIPELINE_IN_PROGRESS, target=Status.PIPELINE_BEING_BUILT
    )
    def build_pipeline(self):
        pass

    @transition(field=status, source=Status.PIPELINE_BEING_BUILT, target=Status.PIPELINE_COMPLETE)
    def complete_pipeline(self):
        pass

    @transition(field=status, source=Status.PIPELINE_BEING_BUILT, target=Status.DEPLOYED_STAGING)
    def deploy_staging(self):
        pass

    @transition(field=status, source=list(AT_REST), target=Status.PROD_DEPLOY_QUEUED)
    def queue_prod_deploy(self):
        pass

    @transition(
        field=status, source=Status.PROD_DEPLOY_QUEUED, target=Status.PROD_DEPLOY_IN_PROGRESS
    )
    def deploy_prod(self):
        pass

    @transition(
        field=status, source=Status.PROD_DEPLOY_IN_PROGRESS, target=Status.PROD_DEPLOY_COMPLETE
    )
    def complete_prod_deploy(self):
        if self.production_at is None:
            self.production_at = timezone.now()

    @transition(
        field=status,
        source=[Status.PIPELINE_IN_PROGRESS, Status.PROD_DEPLOY_QUEUED],
        target=RETURN_VALUE(Status.NEW, *AT_REST),
    )
    def revert(self, to):
        """Back to where it was before a rejected ticket moved it."""
        return to


class Story(StateMachine):
    class Status(models.TextChoices):
        TO_DO = "to_do", "To Do"
        IN_PROGRESS = "in_progress", "In Progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Board(models.TextChoices):
        PRODUCT = "product", "Product Team Epic Board"
        CLASSIFIED_OPS = "classified_ops", "Classified Ops board"

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="stories")
    ticket = models.ForeignKey(
        "requests_app.Ticket", on_delete=models.PROTECT, related_name="stories"
    )
    board = models.CharField(max_length=20, choices=Board.choices, default=Board.PRODUCT)
    title = models.CharField(max_length=240)
    status = FSMField(choices=Status.choices, default=Status.TO_DO, protected=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_stories",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "board"], name="one_story_per_ticket_per_board"
            ),
            models.CheckConstraint(
                condition=Q(status="to_do") | Q(status="cancelled") | Q(assignee__isnull=False),
                name="story_at_work_has_assignee",
            ),
        ]
        indexes = [models.Index(fields=["board", "status", "status_changed_at", "id"])]

    def __str__(self):
        return self.title

    @property
    def worker_role(self) -> str:
        """The role that works this board's stories."""
        return CLASSIFIED_OPS if self.board == self.Board.CLASSIFIED_OPS else DEVOPS

    @transition(
        field=status,
        source=Status.TO_DO,
        target=Status.IN_PROGRESS,
        permission=role_permission(MDO_PM),
    )
    def assign(self, assignee):
        self.assignee = assignee

    @transition(
        field=status,
        source=Status.TO_DO,
        target=Status.IN_PROGRESS,
        permission=described(lambda story: ROLE_HOLDERS[story.worker_role])(
            lambda story, user: has_role(user, story.worker_role)
        ),
    )
    def pick_up(self, user):
        self.assignee = user

    @transition(
        field=status,
        source=Status.IN_PROGRESS,
        target=Status.DONE,
        permission=described("its assignee or an MDO PM")(
            lambda story, user: story.assignee_id == user.pk or has_role(user, MDO_PM)
        ),
    )
    def complete(self):
        pass

    @transition(field=status, source=Status.TO_DO, target=Status.CANCELLED)
    def cancel(self):
        pass


class Pipeline(models.Model):
    """A completed pipeline of an epic at one impact level."""

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="pipelines")
    impact_level = models.CharField(max_length=3, choices=ImpactLevel.choices)
    ticket = models.ForeignKey(
        "requests_app.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["epic", "impact_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["epic", "impact_level"], name="one_pipeline_per_epic_and_level"
            ),
            models.CheckConstraint(
                condition=Q(impact_level__in=IL245), name="pipeline_impact_level_il245"
            ),
        ]

    def __str__(self):
        return f"{self.epic} {self.impact_level}"


def document_path(document, filename):
    """Server-made names: nothing of the uploader's file name reaches the disk."""
    return f"documents/{uuid.uuid4().hex}.pdf"


def expiry_warning_horizon(today: dt.date) -> dt.date:
    """CtF letters expiring on or before this day are warned of (settings, 30 days)."""
    return today + dt.timedelta(days=settings.CTF_EXPIRY_WARNING_DAYS)


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class Document(StateMachine):
    class Kind(models.TextChoices):
        CTF_LETTER = "ctf_letter", "CtF letter"
        CISSO_DOCUMENT = "cisso_document", "CISSO document"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    signed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    impact_levels = models.JSONField(default=list, blank=True)
    status = FSMField(
        choices=Status.choices, default=Status.UPLOADED, protected=True, db_index=True
    )
    rejection_reason = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The CtF's life (WORKFLOWS.md): a pipeline added to its epic makes it due for renewal
    # (it keeps counting); a newer verified letter on the epic supersedes it (it stops).
    renewal_due_since = models.DateTimeField(null=True, blank=True)
    renewal_reason = models.CharField(max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.epic} ({self.signed_on})"

    @property
    def renewal_due(self) -> bool:
        return self.renewal_due_since is not None and self.superseded_by_id is None

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.CTF_LETTER and self.signed_on:
            self.expires_on = one_year_after(self.signed_on)
        super().save(*args, **kwargs)

    def covers(self, impact_level: str) -> bool:
        return impact_level in self.impact_levels

    def expires_soon(self, today: dt.date) -> bool:
        """Still valid, but within the warning days of its expiry."""
        return self.expires_on is not None and today < self.expires_on <= (
            expiry_warning_horizon(today)
        )

    def valid_on(self, day: dt.date) -> bool:
        """Verified, unexpired and not superseded: it counts for the gates."""
        return (
            self.status == self.Status.VERIFIED
            and self.superseded_by_id is None
            and (self.expires_on is None or day < self.expires_on)
        )

    @transition(
        field=status,
        source=Status.UPLOADED,
        target=Status.VERIFIED,
        permission=role_permission(MDO_PM, CYBER),
    )
    def verify(self, *, by, at):
        self.decided_by, self.decided_at = by, at

    @transition(
        field=status,
        source=Status.UPLOADED,
        target=Status.REJECTED,
        permission=role_permission(MDO_PM, CYBER),
    )
    def reject(self, *, by, at, reason):
        self.decided_by, self.decided_at, self.rejection_reason = by, at, reason


class Release(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", "Portal"
        API = "api", "API"
        GITLAB = "gitlab", "GitLab tag push"

    epic = models.ForeignKey(Epic, on_delete=models.PROTECT, related_name="releases")
    tag = models.CharField(max_length=120, validators=[single_line])
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["epic", "tag"], name="release_tag_unique_per_epic"),
        ]

    def __str__(self):
        return f"{self.epic} {self.tag}"
