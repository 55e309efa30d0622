"""What waits for this person, by role: the home page's "Your work" (portal/views.py).

Each entry is a count and a link to where the work is done, so a home leads to the work
instead of describing it. One COUNT query per entry the person's roles give them (at most
a dozen), whatever the data size; an entry with nothing waiting still shows, with 0, so the
list reads the same every day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Story
from requests_app.models import Ticket
from workflow import request_types
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import (
    AUDITOR,
    CLASSIFIED_OPS,
    CYBER,
    DEVOPS,
    MDO_PM,
    PRODUCT_TEAM,
    has_classified_access,
    has_role,
)
from workflow.selectors import (
    access_requests_for,
    documents_for,
    epics_for,
    stories_for,
    tickets_for,
)

# A CtF letter expiring within this many days is work for its team (and Cyber).
CTF_EXPIRING_DAYS = 30
# An auditor's home counts the refusals of this many days.
AUDIT_DAYS = 7


@dataclass(frozen=True)
class Work:
    names: tuple[str, str]  # what waits, one and many: ("request to triage", "requests …")
    count: int
    url: str
    hint: str = ""  # where it is done, or how it is ordered

    @property
    def label(self) -> str:
        return self.names[0] if self.count == 1 else self.names[1]


def _count(queryset) -> int:
    return queryset.count()


def _answered_questions(user):
    """Submitted tickets that went back to Submitted with an answer after this person asked
    the team for information (the latest ask was theirs)."""
    tickets = ContentType.objects.get_for_model(Ticket)
    asked = AuditEvent.objects.filter(
        content_type=tickets, action="ask_for_info", actor=user, outcome=AuditEvent.Outcome.DONE
    )
    answered = AuditEvent.objects.filter(
        content_type=tickets, action="provide_info", outcome=AuditEvent.Outcome.DONE
    )
    return tickets_for(user).filter(
        status=Ticket.Status.SUBMITTED,
        pk__in=asked.values("object_id"),
    ).filter(pk__in=answered.values("object_id"))


def _pm_work(user) -> list[Work]:
    triage = reverse("board_triage")
    waiting_il6 = tickets_for(user).filter(
        request_type__in=request_types.where(lambda kind: kind.classified),
        status=Ticket.Status.TRIAGED,
    )
    work = [
        Work(
            ("request to triage", "requests to triage"),
            _count(tickets_for(user).filter(status=Ticket.Status.SUBMITTED)),
            triage,
            "the triage queue, due soonest first",
        ),
        Work(
            ("answer to your questions", "answers to your questions"),
            _count(_answered_questions(user)),
            triage,
            "back in the triage queue",
        ),
        Work(
            (
                "request waiting for an answer from the team",
                "requests waiting for an answer from the team",
            ),
            _count(tickets_for(user).filter(status=Ticket.Status.NEEDS_INFO)),
            f"{triage}#needs-info",
            "Needs Info: listed under the triage queue",
        ),
    ]
    if has_classified_access(user):
        work.append(
            Work(
                (
                    "IL6 request waiting for a Classified Ops story",
                    "IL6 requests waiting for a Classified Ops story",
                ),
                _count(waiting_il6),
                triage,
                "open each one's story from the queue",
            )
        )
    return work


def _document_work(user) -> list[Work]:
    documents = reverse("documents_to_verify")
    return [
        Work(
            ("document to verify", "documents to verify"),
            _count(documents_for(user).filter(status=Document.Status.UPLOADED)),
            documents,
            "oldest first",
        ),
    ]


def _cyber_work(user) -> list[Work]:
    return [
        Work(
            ("epic waiting for cyber compliance", "epics waiting for cyber compliance"),
            _count(waiting_for_cyber(user)),
            reverse("documents_to_verify") + "#cyber",
            "new-CtF epics whose pipeline cannot start before it",
        ),
    ]


def waiting_for_cyber(user):
    """New-CtF epics not verified cyber compliant yet, oldest first."""
    return epics_for(user).filter(requires_new_ctf=True, cyber_compliant_at__isnull=True)


def _engineer_work(user) -> list[Work]:
    my_work = reverse("board_my_work")
    product = stories_for(user).filter(board=Story.Board.PRODUCT)
    return [
        Work(
            ("story assigned to you", "stories assigned to you"),
            _count(product.filter(status=Story.Status.IN_PROGRESS, assignee=user)),
            my_work,
            "My work",
        ),
        Work(
            ("story nobody has picked up", "stories nobody has picked up"),
            _count(product.filter(status=Story.Status.TO_DO, assignee__isnull=True)),
            my_work,
            "To do, on My work",
        ),
    ]


def _classified_work(user) -> list[Work]:
    stories = stories_for(user).filter(board=Story.Board.CLASSIFIED_OPS)
    return [
        Work(
            ("Classified Ops story open", "Classified Ops stories open"),
            _count(stories.filter(status__in=(Story.Status.TO_DO, Story.Status.IN_PROGRESS))),
            reverse("board_classified"),
            "the Classified Ops board",
        ),
        Work(
            ("access request waiting for a decision", "access requests waiting for a decision"),
            _count(access_requests_for(user).filter(status=AccessRequest.Status.PENDING)),
            reverse("board_access_requests"),
            "approve for a number of days, or deny with a reason",
        ),
    ]


def _auditor_work(user) -> list[Work]:
    """What an assessor looks at first: the refusals of the last week, in the trail."""
    since = timezone.localdate() - dt.timedelta(days=AUDIT_DAYS)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))  # on the index
    refused = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.REFUSED, created_at__gte=start)
    trail = reverse("audit_trail")
    return [
        Work(
            (
                f"refused attempt in the last {AUDIT_DAYS} days",
                f"refused attempts in the last {AUDIT_DAYS} days",
            ),
            _count(refused),
            f"{trail}?outcome={AuditEvent.Outcome.REFUSED}&since={since.isoformat()}",
            "the audit trail, filtered; export it from there",
        ),
    ]


def _team_work(user, teams) -> list[Work]:
    if not teams:
        return []
    today = timezone.localdate()
    soon = today + dt.timedelta(days=CTF_EXPIRING_DAYS)
    asked = tickets_for(user).filter(team__in=teams, status=Ticket.Status.NEEDS_INFO)
    expiring = documents_for(user).filter(
        epic__team__in=teams,
        kind=Document.Kind.CTF_LETTER,
        status=Document.Status.VERIFIED,
        superseded_by__isnull=True,
        expires_on__gt=today,
        expires_on__lte=soon,
    )
    soonest = expiring.order_by("expires_on", "pk").values_list("epic_id", flat=True).first()
    requests = reverse("team_requests", args=[teams[0].pk])
    return [
        Work(
            ("request waiting for your answer", "requests waiting for your answer"),
            _count(asked),
            f"{requests}?status={Ticket.Status.NEEDS_INFO}",
            "an MDO PM asked a question: answer it on the request",
        ),
        Work(
            (
                f"CtF letter expiring within {CTF_EXPIRING_DAYS} days",
                f"CtF letters expiring within {CTF_EXPIRING_DAYS} days",
            ),
            _count(expiring),
            reverse("epic_detail", args=[soonest]) + "#documents" if soonest else requests,
            "upload a newly signed letter on the epic before then",
        ),
    ]


def work_for(user, teams) -> list[Work]:
    """Everything waiting for `user` (a member of `teams`), in the order of their roles."""
    work: list[Work] = []
    if has_role(user, MDO_PM):
        work += _pm_work(user)
    if has_role(user, MDO_PM, CYBER):
        work += _document_work(user)
    if has_role(user, CYBER, MDO_PM):
        work += _cyber_work(user)
    if has_role(user, DEVOPS):
        work += _engineer_work(user)
    if has_role(user, CLASSIFIED_OPS):
        work += _classified_work(user)
    if has_role(user, AUDITOR):
        work += _auditor_work(user)
    if has_role(user, PRODUCT_TEAM) or teams:
        work += _team_work(user, teams)
    return work

