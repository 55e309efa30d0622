"""What the dashboard reads: a fixed number of queries, each bounded by the period or
aggregated in the database, whatever the size of the history.

- Flows and durations come from the audit trail, read by time (`created_at` is indexed), so
  a query reads the period's rows, not the history before it. Each row's partner (a
  ticket's filing, the epic's previous status change) is one index lookup on
  (content_type, object_id, created_at).
- Three figures are about now: how many epics are in each status (the cumulative flow walks
  back from it), how long the longest-standing of them has been there, and which requests
  are open. They read the status columns (and `status_changed_at`), counted in the
  database. The services write a status and its audit row in the same
  transaction, so the status is the audit trail's last word on the object; reading it
  spares replaying the whole history, which grows without end.

Who sees what is decided by the caller (insights/views.py, through workflow.selectors):
a Scope names the teams, or None for every team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery

from epics.models import Epic
from insights.metrics import EpicMove, FinishedTicket, Period, StatusNow, TriageDecision
from requests_app.models import Ticket
from workflow import service_levels
from workflow.business_hours import Calendar
from workflow.models import AuditEvent

OPEN_TICKET_STATUSES = (Ticket.Status.SUBMITTED, Ticket.Status.TRIAGED, Ticket.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Scope:
    """The teams whose work is counted (None: every team) and, for requests, one type."""

    team_ids: frozenset[int] | None = None
    request_type: str = ""


def _content_type(model) -> ContentType:
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


def _done(model):
    return AuditEvent.objects.filter(content_type=_content_type(model), outcome="done")


def tickets_in(scope: Scope):
    tickets = Ticket.objects.order_by()
    if scope.team_ids is not None:
        tickets = tickets.filter(team_id__in=scope.team_ids)
    if scope.request_type:
        tickets = tickets.filter(request_type=scope.request_type)
    return tickets


def epics_in(scope: Scope):
    """Epic figures cover every request type: an epic's status says what work it is in."""
    epics = Epic.objects.order_by()
    if scope.team_ids is not None:
        epics = epics.filter(team_id__in=scope.team_ids)
    return epics


def _ticket_events(scope: Scope, period: Period):
    events = _done(Ticket).filter(created_at__gte=period.start, created_at__lte=period.end)
    if scope.team_ids is not None or scope.request_type:
        events = events.filter(object_id__in=tickets_in(scope).values("pk"))
    return events


def _filed_at():
    return Subquery(
        _done(Ticket)
        .filter(action="file", object_id=OuterRef("object_id"))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def finished_tickets(scope: Scope, period: Period) -> list[FinishedTicket]:
    """Requests finished in the period, with their type and when they were filed."""
    rows = (
        _ticket_events(scope, period)
        .filter(action="finish")
        .annotate(
            filed_at=_filed_at(),
            request_type=Subquery(
                Ticket.objects.filter(pk=OuterRef("object_id")).values("request_type")[:1]
            ),
        )
        .filter(filed_at__isnull=False)
        .order_by("created_at", "pk")
        .values_list("object_id", "request_type", "filed_at", "created_at")
    )
    return [FinishedTicket(*row) for row in rows]


def triage_decisions(scope: Scope, period: Period) -> list[TriageDecision]:
    """Requests an MDO PM took out of Submitted in the period: triaged, or rejected there."""
    rows = (
        _ticket_events(scope, period)
        .filter(Q(action="triage") | Q(action="reject", from_status=Ticket.Status.SUBMITTED))
        .annotate(filed_at=_filed_at())
        .filter(filed_at__isnull=False)
        .order_by("created_at", "pk")
        .values_list("object_id", "filed_at", "created_at")
    )
    rows = list(rows)
    stays = service_levels.pauses({ticket for ticket, _, _ in rows})  # one query
    return [
        TriageDecision(ticket, filed, decided, tuple(stays.get(ticket, ())))
        for ticket, filed, decided in rows
    ]


def submitted_now(
    scope: Scope, overdue_before: dt.datetime | None, *, now: dt.datetime, calendar: Calendar
) -> tuple[int, int]:
    """Requests waiting in Submitted now, and how many of them are past their triage due
    time: those never in Needs Info when filed before the cutoff (counted in the
    database), the others (filed before it too) by their due time."""
    waiting = tickets_in(scope).filter(status=Ticket.Status.SUBMITTED)
    if overdue_before is None:
        return waiting.count(), 0
    was_paused = Exists(
        _done(Ticket).filter(object_id=OuterRef("pk"), to_status=service_levels.NEEDS_INFO)
    )
    counts = waiting.annotate(was_paused=was_paused).aggregate(
        waiting=Count("pk"),
        overdue=Count("pk", filter=Q(created_at__lt=overdue_before, was_paused=False)),
    )
    paused = dict(
        waiting.filter(was_paused, created_at__lt=overdue_before).values_list("pk", "created_at")
    )
    due = service_levels.due_times(paused, now=now, calendar=calendar) if paused else {}
    late = sum(1 for at in due.values() if at is not None and now > at)
    return counts["waiting"], counts["overdue"] + late


def _status_changes():
    return _done(Epic).exclude(to_status="").exclude(to_status=F("from_status"))


def epic_moves(scope: Scope, period: Period) -> list[EpicMove]:
    """Epics' status changes in the period, each with the time of the epic's change before."""
    previous = (
        _status_changes()
        .filter(object_id=OuterRef("object_id"))
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    moves = _status_changes().filter(created_at__gte=period.start, created_at__lte=period.end)
    if scope.team_ids is not None:
        moves = moves.filter(object_id__in=epics_in(scope).values("pk"))
    rows = (
        moves.annotate(previous_at=Subquery(previous))
        .order_by("created_at", "pk")
        .values_list("object_id", "from_status", "to_status", "created_at", "previous_at")
    )
    return [EpicMove(*row) for row in rows]


def epics_now(scope: Scope) -> dict[str, StatusNow]:
    """How many epics are in each status now, and since when the longest-standing of them
    has been there: its `status_changed_at`, which the transition that wrote the audit row
    stamps in the same moment (workflow/fsm.py). Counted in the database, with the
    (status, status_changed_at) index, however many epics are in flight."""
    rows = (
        epics_in(scope)
        .values("status")
        .annotate(n=Count("pk"), oldest=Min("status_changed_at"))
        .values_list("status", "n", "oldest")
    )
    return {status: StatusNow(n, oldest) for status, n, oldest in rows}


def open_tickets(scope: Scope) -> list[tuple[str, str, int]]:
    """(impact level, status, count) of the requests open now."""
    return list(
        tickets_in(scope)
        .filter(status__in=OPEN_TICKET_STATUSES)
        .values("impact_level", "status")
        .annotate(n=Count("pk"))
        .values_list("impact_level", "status", "n")
    )
