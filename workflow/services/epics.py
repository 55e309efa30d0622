"""The epic's own transitions: starting a pipeline and verifying cyber compliance."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from epics.models import Epic
from requests_app.models import Ticket
from workflow import gates, request_types
from workflow.dates import day
from workflow.services.runner import Verdict, audited, locked, moved, require_role, status_conflict

# The request types whose triaged ticket waits for an MDO PM to start its pipeline.
_STARTS_PIPELINE = request_types.where(lambda kind: kind.epic.starts_pipeline)


def _ticket_awaiting_pipeline(epic: Epic) -> Ticket | None:
    """The oldest triaged pipeline request on the epic whose pipeline has not started.

    A list that prefetched `epic.tickets` (to offer start_pipeline on each epic) asks no query.
    """
    if "tickets" in getattr(epic, "_prefetched_objects_cache", {}):
        waiting = [
            ticket
            for ticket in epic.tickets.all()
            if ticket.request_type in _STARTS_PIPELINE
            and ticket.status == Ticket.Status.TRIAGED
            and not ticket.epic_status_before
        ]
        return min(waiting, key=lambda ticket: (ticket.created_at, ticket.pk), default=None)
    return (
        Ticket.objects.filter(
            epic=epic,
            request_type__in=_STARTS_PIPELINE,
            status=Ticket.Status.TRIAGED,
            epic_status_before="",
        )
        .order_by("created_at", "pk")
        .first()
    )


def check_epic_start_pipeline(epic: Epic, user=None) -> Verdict:
    verdict = status_conflict(
        epic,
        epic.start_pipeline,
        "a pipeline starts from New, Pipeline Complete, Deployed - Staging or "
        "Prod Deploy - Complete",
    )
    if not verdict.allowed:
        return verdict
    if _ticket_awaiting_pipeline(epic) is None:
        return Verdict(
            conflict=f"No triaged pipeline request is waiting on epic “{epic}”: triage one first.",
            status=epic.status,
        )
    return Verdict(unmet=gates.unmet([gates.epic_free(epic), gates.cyber_compliant(epic)]))


@audited("start_pipeline", subject="epic")
def epic_start_pipeline(*, by, epic: Epic) -> Epic:
    require_role(epic.start_pipeline, by, "Only MDO PMs start pipelines.")
    epic = locked(Epic, epic.pk)
    # The triaged requests waiting on it, locked in the same query the check reads.
    waiting = Ticket.objects.filter(status=Ticket.Status.TRIAGED).select_for_update()
    prefetch_related_objects([epic], Prefetch("tickets", queryset=waiting))
    check_epic_start_pipeline(epic).enforce()
    ticket = _ticket_awaiting_pipeline(epic)
    before = epic.status
    epic.start_pipeline()
    moved(by, epic, "start_pipeline", before, detail={"ticket": ticket.pk})
    ticket.epic_status_before = before
    ticket.save(update_fields=["epic_status_before"])
    return epic


def check_epic_verify_cyber_compliance(epic: Epic, user=None) -> Verdict:
    if epic.cyber_compliant:
        return Verdict(
            conflict=f"Epic “{epic}” was already verified cyber compliant by "
            f"{epic.cyber_compliant_by} on {day(epic.cyber_compliant_at)}.",
            status=epic.status,
        )
    return Verdict()


@audited("verify_cyber_compliance", subject="epic")
def epic_verify_cyber_compliance(*, by, epic: Epic) -> Epic:
    require_role(
        epic.verify_cyber_compliance, by, "Only MDO PMs and the Cyber team verify cyber compliance."
    )
    epic = locked(Epic, epic.pk)
    check_epic_verify_cyber_compliance(epic).enforce()
    epic.verify_cyber_compliance(by=by, at=timezone.now())
    moved(by, epic, "verify_cyber_compliance", epic.status)
    return epic
