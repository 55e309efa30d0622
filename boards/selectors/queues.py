"""The work lists: the triage queue (MDO PMs) and My work (engineers)."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Q,
)

from boards.selectors.cards import dress_story
from boards.selectors.columns import (
    EPOCH,
    MICROSECOND,
    Column,
    after_cursor,
    fetch_size,
    ordered,
    page_size,
    paged,
    parse_cursor,
)
from epics.models import Epic, Story
from requests_app.models import Ticket
from workflow import service_levels
from workflow.selectors import stories_for, tickets_for

# The triage queue ---------------------------------------------------------------------------


def triage_queue(user, after: str = "", *, now: dt.datetime) -> tuple[list[Ticket], str, int]:
    """Submitted tickets, soonest due for triage first (then oldest), a page at a time, with
    what their gates read (the epic's documents, stories and pipelines) and each one's
    `triage_clock`; the next page's cursor; how many wait in all.

    The due time is computed, not stored (workflow/service_levels.py), so the order is made
    here: every waiting ticket's id and filing time, their Needs Info pauses and the
    calendar (three queries), then the page's tickets: the same queries at any length."""
    waiting = _waiting_for_triage(user)
    filed = dict(waiting.order_by().values_list("pk", "created_at"))
    due = service_levels.due_times(filed, now=now)

    def key(pk: int) -> tuple[int, int, int]:
        at = due[pk]
        return (_micros(at) if at is not None else NEVER, _micros(filed[pk]), pk)

    order = sorted(filed, key=key)
    cursor = _parse_triage_cursor(after)
    if cursor is not None:
        order = [pk for pk in order if key(pk) > cursor]
    size = page_size()
    page = order[:size]
    found = (
        waiting.prefetch_related(None)
        .prefetch_related("epic__documents", "epic__stories", "epic__pipelines")
        .in_bulk(page)
    )
    tickets = [found[pk] for pk in page if pk in found]
    for ticket in tickets:
        at = due[ticket.pk]
        ticket.triage_clock = service_levels.TriageClock(
            at, service_levels.is_overdue(ticket.status, at, now), False
        )
    more = ".".join(map(str, key(page[-1]))) if len(order) > size else ""
    return tickets, more, len(filed)


NEVER = 2**62  # the due time of a ticket that is never due (a calendar without working days)


def _micros(at: dt.datetime) -> int:
    return (at - EPOCH) // MICROSECOND


def _parse_triage_cursor(text: str) -> tuple[int, int, int] | None:
    """ "<due>.<filed>.<id>" (microseconds since 1970) of the row a page ends with."""
    try:
        due, filed, pk = (int(part) for part in (text or "").split("."))
    except ValueError:
        return None
    return due, filed, pk


def _waiting_for_triage(user):
    return tickets_for(user).filter(status=Ticket.Status.SUBMITTED)


def waiting_for_triage(user) -> int:
    """How many requests wait for triage (the queue's count, after a decision in place)."""
    return _waiting_for_triage(user).count()


def clashing_new_ctf_names(tickets: list[Ticket]) -> set[int]:
    """The new-CtF tickets whose application name an epic of their team now has, in one
    query (the epic triage would open cannot take that name)."""
    pairs = [
        (ticket.pk, ticket.team_id, ticket.application_name)
        for ticket in tickets
        if ticket.kind.opens_epic
    ]
    if not pairs:
        return set()
    condition = Q()
    for _, team_id, name in pairs:
        condition |= Q(team_id=team_id, title__iexact=name)
    taken = {
        (team_id, title.lower())
        for team_id, title in Epic.objects.filter(condition).values_list("team_id", "title")
    }
    return {pk for pk, team_id, name in pairs if (team_id, name.lower()) in taken}


# My work ------------------------------------------------------------------------------------


def _work_stories(user):
    return (
        stories_for(user)
        .select_related(None)
        .select_related("epic__team", "ticket", "assignee")
        .order_by("status_changed_at", "pk")
    )


def my_work(user, boards: list[str], after: str = "") -> tuple[list, list, str]:
    """The user's stories in progress; the unassigned To Do stories of the boards they work,
    longest waiting first, a page at a time (with the epic's stories, which the pick-up
    check reads); the cursor of the next page."""
    mine = [
        dress_story(story)
        for story in _work_stories(user).filter(
            board__in=boards, assignee=user, status=Story.Status.IN_PROGRESS
        )[:100]
    ]
    column = Column(Story.Status.TO_DO, Story.Status.TO_DO.label)
    queryset = (
        _work_stories(user)
        .filter(board__in=boards, status=Story.Status.TO_DO, assignee__isnull=True)
        .prefetch_related("epic__stories")
    )
    queryset = ordered(after_cursor(queryset, column, parse_cursor(after)), column)
    ready, more = paged([dress_story(story) for story in queryset[: fetch_size()]])
    return mine, ready, more


def work_story(user, pk) -> Story | None:
    story = _work_stories(user).prefetch_related("epic__stories").filter(pk=pk).first()
    return dress_story(story) if story is not None else None
