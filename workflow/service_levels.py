"""The triage goal, as a time people can see (WORKFLOWS.md, "Service levels people can see").

A ticket is due for triage TRIAGE_GOAL_BUSINESS_HOURS business hours after it was filed,
plus the business time it has spent in Needs Info: the clock stops while the team is asked
for information, from the audit event that moved it to Needs Info to the one that moved it
out (an open pause runs until now). Past its due time a ticket still in Submitted is
overdue; one in Needs Info is not (the team holds it).

The pauses come from the audit trail, read for a whole list of tickets in one query, and the
business calendar once per list, so a page of tickets costs the same few queries whatever
its length.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from requests_app.models import Ticket
from workflow.business_hours import Calendar
from workflow.models import AuditEvent

SUBMITTED = Ticket.Status.SUBMITTED
NEEDS_INFO = getattr(Ticket.Status, "NEEDS_INFO", "needs_info")
# A triage due time is shown while the ticket waits for triage.
WAITING = (SUBMITTED, NEEDS_INFO)

# A stay in Needs Info: when it began, and when it ended (None: it goes on).
Pause = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class TriageClock:
    due_at: dt.datetime | None  # None once the ticket has left triage
    overdue: bool
    paused: bool  # in Needs Info now: the due time moves on while it stays there


def pauses(ticket_ids: Iterable[int]) -> dict[int, list[Pause]]:
    """Each ticket's stays in Needs Info, from its audit events, in one query."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = (
        AuditEvent.objects.filter(
            # In the same query (no content-type lookup that a warm cache would skip).
            content_type=ContentType.objects.filter(
                app_label=Ticket._meta.app_label, model=Ticket._meta.model_name
            ).values("pk")[:1],
            object_id__in=ids,
            outcome=AuditEvent.Outcome.DONE,
        )
        .filter(Q(to_status=NEEDS_INFO) | Q(from_status=NEEDS_INFO))
        .order_by("object_id", "created_at", "pk")
        .values_list("object_id", "from_status", "to_status", "created_at")
    )
    found: dict[int, list[Pause]] = defaultdict(list)
    began: dict[int, dt.datetime] = {}
    for ticket_id, before, after, at in rows:
        if after == NEEDS_INFO and before != NEEDS_INFO:
            began.setdefault(ticket_id, at)
        elif before == NEEDS_INFO and after not in ("", NEEDS_INFO) and ticket_id in began:
            found[ticket_id].append((began.pop(ticket_id), at))
    for ticket_id, at in began.items():
        found[ticket_id].append((at, None))
    return dict(found)


def paused_hours(stays: Iterable[Pause], until: dt.datetime, calendar: Calendar) -> float:
    """Business hours spent in Needs Info up to `until`."""
    return sum(
        calendar.hours_between(start, min(end or until, until)) for start, end in stays
    )


def due_at(
    filed_at: dt.datetime, stays: Iterable[Pause], *, now: dt.datetime, calendar: Calendar
) -> dt.datetime | None:
    """Filing time + the goal + the business time paused (up to now), on the calendar."""
    goal = settings.TRIAGE_GOAL_BUSINESS_HOURS
    return calendar.add_hours(filed_at, goal + paused_hours(stays, now, calendar))


def due_times(
    filed: Mapping[int, dt.datetime],
    *,
    now: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> dict[int, dt.datetime | None]:
    """{ticket id: triage due time} for tickets given as {id: filing time}."""
    now = now or timezone.now()
    calendar = calendar or Calendar.load()
    stays = pauses(filed)
    return {
        pk: due_at(at, stays.get(pk, ()), now=now, calendar=calendar) for pk, at in filed.items()
    }


def triage_due_at(tickets: Iterable[Ticket], **kwargs) -> dict[int, dt.datetime | None]:
    """{ticket id: when it is due for triage} for a list of tickets (two queries)."""
    return due_times({ticket.pk: ticket.created_at for ticket in tickets}, **kwargs)


def is_overdue(status: str, due: dt.datetime | None, now: dt.datetime) -> bool:
    return status == SUBMITTED and due is not None and now > due


def triage_clocks(
    tickets: Iterable[Ticket],
    *,
    now: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> dict[int, TriageClock]:
    """What a list of tickets shows of the triage goal: the due time of those waiting for
    triage, whether each is overdue or paused."""
    now = now or timezone.now()
    tickets = list(tickets)
    waiting = [ticket for ticket in tickets if ticket.status in WAITING]
    due = triage_due_at(waiting, now=now, calendar=calendar) if waiting else {}
    clocks = {}
    for ticket in tickets:
        at = due.get(ticket.pk)
        clocks[ticket.pk] = TriageClock(
            at, is_overdue(ticket.status, at, now), ticket.status == NEEDS_INFO
        )
    return clocks


def triage_clock(ticket: Ticket, **kwargs) -> TriageClock:
    return triage_clocks([ticket], **kwargs)[ticket.pk]
