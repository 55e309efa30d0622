"""What the workflow tests share: a snapshot of everything a refusal must leave alone, the
check that a refusal changed nothing and was audited once, and objects built in a status."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Max

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from requests_app.models import RequestType, Ticket
from tests.factories import EpicFactory, StoryFactory, TicketFactory
from workflow.models import AccessRequest, AuditEvent

# The conftest fixture of each role the state-machine matrices run over.
ROLES = ("member", "outsider", "pm", "devops", "cyber", "classified")


def world() -> dict:
    """Every status, every link a transition could move, and every count it could change."""
    return {
        "teams": sorted(Team.objects.values_list("pk", "funded", "onboarded")),
        "epics": sorted(
            Epic.objects.values_list(
                "pk", "status", "status_changed_at", "cyber_compliant_at", "production_at"
            )
        ),
        "tickets": sorted(
            Ticket.objects.values_list(
                "pk",
                "status",
                "status_changed_at",
                "epic_id",
                "epic_status_before",
                "rejection_reason",
            )
        ),
        "stories": sorted(
            Story.objects.values_list("pk", "status", "status_changed_at", "assignee_id", "board")
        ),
        "documents": sorted(
            Document.objects.values_list("pk", "status", "decided_by_id", "rejection_reason")
        ),
        "access_requests": sorted(
            AccessRequest.objects.values_list(
                "pk", "status", "decided_by_id", "reason", "expires_on", "reminded_at"
            )
        ),
        "pipelines": sorted(Pipeline.objects.values_list("epic_id", "impact_level")),
        "releases": sorted(Release.objects.values_list("epic_id", "tag")),
        "notifications": _notification_count(),
    }


def _notification_count() -> int:
    """A refusal tells nobody (the outbox may not exist yet where notifications are not built)."""
    try:
        return apps.get_model("workflow", "Notification").objects.count()
    except LookupError:
        return 0


def audit_mark() -> int:
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def events_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))


def refused(error, service, *, action: str, **kwargs):
    """Call `service(**kwargs)`, expect `error`, and check the refusal left everything as it
    was and wrote exactly one refused audit event with its reason. Returns the refusal."""
    before, mark = world(), audit_mark()
    with pytest.raises(error) as info:
        service(**kwargs)
    assert world() == before
    events = events_since(mark)
    assert [(e.action, e.outcome, e.reason) for e in events] == [
        (action, AuditEvent.Outcome.REFUSED, info.value.detail)
    ]
    assert events[0].actor_id == kwargs["by"].pk
    assert events[0].detail["status_code"] == error.status_code
    return info.value


def done(service, *, action: str, subject, **kwargs):
    """Call `service(**kwargs)` and check it wrote a done audit event for `subject`'s action
    from its old status to its new one. Returns what the service returned."""
    mark = audit_mark()
    before = subject.status
    result = service(**kwargs)
    subject.refresh_from_db()
    moves = [
        (e.action, e.from_status, e.to_status, e.actor_id)
        for e in events_since(mark)
        if e.object_id == subject.pk and e.content_type.model_class() is type(subject)
    ]
    assert (action, before, subject.status, kwargs["by"].pk) in moves
    assert all(e.outcome == AuditEvent.Outcome.DONE for e in events_since(mark))
    return result


def codes(refusal) -> list[str]:
    return [check.code for check in refusal.unmet]


def statuses(*objs) -> tuple[str, ...]:
    for obj in objs:
        obj.refresh_from_db()
    return tuple(obj.status for obj in objs)


# Objects born in a status, with what surrounds them in that status ----------------------------


def pipeline_story(team, status: str, devops) -> Story:
    """A product-board story of an IL4 pipeline request on a new epic of `team`, in
    `status`, with its ticket and epic where the services would have put them."""
    Status, T, E = Story.Status, Ticket.Status, Epic.Status
    ticket_status, epic_status, assignee, before = {
        Status.TO_DO: (T.TRIAGED, E.PIPELINE_IN_PROGRESS, None, E.NEW),
        Status.IN_PROGRESS: (T.IN_PROGRESS, E.PIPELINE_BEING_BUILT, devops, E.NEW),
        Status.DONE: (T.DONE, E.PIPELINE_COMPLETE, devops, E.NEW),
        Status.CANCELLED: (T.REJECTED, E.NEW, None, ""),
    }[status]
    epic = EpicFactory(team=team, title=f"Ledger ({status})", status=epic_status)
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.PIPELINE,
        status=ticket_status,
        epic_status_before=before,
        rejection_reason="Not now." if ticket_status == T.REJECTED else "",
    )
    return StoryFactory(ticket=ticket, epic=epic, status=status, assignee=assignee)
