"""The work lists: the triage queue (MDO PMs) and My work (engineers)."""

from __future__ import annotations

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
from workflow.selectors import stories_for, tickets_for

# The triage queue ---------------------------------------------------------------------------


def triage_queue(user, cursor=None) -> tuple[list[Ticket], str, int]:
    """Submitted tickets, oldest first, a page at a time, with what their gates read (the
    epic's documents, stories and pipelines); the next page's cursor; how many wait in all."""
    waiting = _waiting_for_triage(user)
    queryset = (
        waiting.prefetch_related(None)
        .prefetch_related("epic__documents", "epic__stories", "epic__pipelines")
        .order_by("created_at", "pk")
    )
    if cursor is not None:
        at, pk = cursor
        queryset = queryset.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    size = page_size()
    tickets = list(queryset[: size + 1])
    more = ""
    if len(tickets) > size:
        last = tickets[size - 1]
        more = f"{(last.created_at - EPOCH) // MICROSECOND}.{last.pk}"
    return tickets[:size], more, waiting.count()


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
