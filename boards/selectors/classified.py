"""The Classified Ops board's reads: its stories (none without access) and the IL6
requests whose story is still to open."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    F,
)

from boards.selectors.cards import (
    Board,
    Card,
    as_datetime,
    dress_story,
    first_page_limits,
    rows_of_columns,
)
from boards.selectors.columns import (
    Column,
    after_cursor,
    board_version,
    column_views,
    counts_by_status,
    fetch_size,
    now,
    ordered,
    paged,
    story_columns,
)
from boards.selectors.filters import Filters, filter_choices
from boards.templatetags.boards import age
from epics.models import Story
from requests_app.models import Ticket
from workflow import request_types
from workflow.permissions import CLASSIFIED_OPS
from workflow.selectors import stories_for, tickets_for

# The Classified Ops board --------------------------------------------------------------------


def _classified_stories(user):
    return stories_for(user).filter(board=Story.Board.CLASSIFIED_OPS)


def _story_rows(queryset):
    return queryset.annotate(
        team_name=F("epic__team__name"),
        level=F("ticket__impact_level"),
        assignee_name=F("assignee__username"),
    ).values_list(
        "pk", "title", "status", "status_changed_at", "team_name", "level", "assignee_name"
    )


def _first_pages(branches) -> list[tuple]:
    """The first page of every column. Someone with access who is on no team (and whose role
    sees no team) may see no story at all: Django will not write the SQL of that empty
    choice (`team IN ()` raises EmptyResultSet) where the ORM would simply find no rows, so
    neither does this: no rows."""
    try:
        return rows_of_columns(branches)
    except EmptyResultSet:
        return []


def _story_cards(rows, now) -> list[Card]:
    cards = []
    for pk, title, status, changed, team, level, assignee in rows:
        changed = as_datetime(changed)
        cards.append(
            Card(
                "story",
                pk,
                title,
                status,
                changed,
                team,
                level,
                age(changed, now),
                line=assignee or "unassigned",
                line_status=status,
            )
        )
    return cards


def classified_board(user, filters: Filters, *, loaded=None, choices=True, version=None) -> Board:
    """The Classified Ops stories the user may see (none without access), by status."""
    version = board_version() if version is None else version
    columns = story_columns()
    visible = _classified_stories(user)
    condition = filters.for_stories()
    matching = visible.filter(condition) if condition is not None else visible
    limits = first_page_limits(columns, loaded)
    branches = [
        _story_rows(ordered(matching.filter(status=column.status), column))[: limits[column.status]]
        for column in columns
    ]
    cards = _story_cards(_first_pages(branches), now())
    counts = counts_by_status(visible.filter(status__in=[c.status for c in columns]), condition)
    teams, people = filter_choices(user, CLASSIFIED_OPS) if choices else ([], [])
    views = column_views(columns, cards, counts, condition is not None)
    return Board(views, filters, version, teams, people)


def classified_column_page(user, filters: Filters, column: Column, cursor) -> tuple[list, str]:
    condition = filters.for_stories()
    queryset = _classified_stories(user).filter(status=column.status)
    if condition is not None:
        queryset = queryset.filter(condition)
    rows = list(
        _story_rows(ordered(after_cursor(queryset, column, cursor), column))[: fetch_size()]
    )
    return paged(_story_cards(rows, now()))


def story_card(user, pk) -> Card | None:
    cards = _story_cards(list(_story_rows(_classified_stories(user).filter(pk=pk))), now())
    return cards[0] if cards else None


def classified_story(user, pk) -> Story | None:
    """The story itself for its card's moves (not audited: the caller already opened it
    through workflow.selectors.story_open)."""
    story = _classified_stories(user).filter(pk=pk).first()
    return dress_story(story) if story is not None else None


def il6_waiting_for_classified(user, limit: int = 50) -> list[Ticket]:
    """IL6 requests triaged and not yet with Classified Ops: where the PM opens their
    Production Deploy story (once the structure is prepared)."""
    return list(
        tickets_for(user)
        .filter(
            request_type__in=request_types.where(lambda kind: kind.classified),
            status=Ticket.Status.TRIAGED,
        )
        .order_by("created_at", "pk")[:limit]
    )
